"""`realitycheck provenance`: which commits and which changed lines of base..head a model wrote."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from realitycheck import __version__
from realitycheck.cli.options import (
    Common,
    change_options,
    common_options,
    label_options,
    output_option,
    text_json_option,
)
from realitycheck.cli.progress import ConsoleEvents
from realitycheck.core.report import SCHEMA_VERSION
from realitycheck.pipeline import resolve_change
from realitycheck.provenance import report
from realitycheck.provenance.analyze import analyze_range
from realitycheck.provenance.registry import load_registry
from realitycheck.report import write_atomic
from realitycheck.report.labels import short
from realitycheck.report.terminal import block_renderables

MAX_ROWS = 60


class _ReportedEvents(ConsoleEvents):
    """Progress on standard error; warnings are left to the report, which shows them."""

    def warning(self, message: str) -> None:
        return None


@click.command()
@common_options
@change_options
@text_json_option
@output_option()
@label_options
def provenance(
    common: Common,
    base: str | None,
    head: str,
    fmt: str,
    output: Path | None,
    labels: list[str],
    github_event: Path | None,
) -> int:
    """Show which commits and which changed lines of base..head a model wrote, and why.

    Each commit is ai, human or unknown from its trailers, identities, Git AI notes, Agent
    Trace records and pull-request labels; each added or changed line of head takes the
    verdict of the commit that last wrote it, unless a note or a trace says more. A commit
    with no marker is unknown, never human. Exit code 0, or 2 when the input is bad.
    """
    git = common.git()
    config = common.load_config(git)
    base_sha, base_ref, head_sha = resolve_change(git, config, base, head)
    events = _ReportedEvents() if fmt == "text" else ConsoleEvents()
    result = analyze_range(git, base_sha, head_sha, config.provenance, labels=labels, events=events)
    names = load_registry(config.provenance).name_of
    change = {
        "repo": str(git.root),
        "base": base_sha,
        "head": head_sha,
        "base_ref": base_ref,
        "head_ref": head,
        "commits": len(result.commits),
    }
    if fmt == "json":
        section = report.section(result)
        section["warnings"] = result.warnings
        document = {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "change": change,
            "provenance": section,
        }
        text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
        if output is None or str(output) == "-":
            click.echo(text)
        else:
            write_atomic(output, text)
        return 0
    buffer = io.StringIO() if output is not None else None
    console = Console(
        file=buffer,
        highlight=False,
        emoji=False,
        markup=False,
        width=120 if buffer else None,
        no_color=buffer is not None,
    )
    console.print(
        Text.assemble(
            ("provenance ", "bold"),
            f"{short(base_sha)}..{short(head_sha)} · {len(result.commits)} commit"
            f"{'s' if len(result.commits) != 1 else ''}",
        )
    )
    console.print(Text(report.summary(result, names)))
    for warning in result.warnings:
        console.print(Text(f"! {warning}", style="yellow"))
    for item in block_renderables(report.blocks(result, names), verbose=True):
        console.print(item)
    if output is not None and buffer is not None:
        write_atomic(output, buffer.getvalue())
    return 0
