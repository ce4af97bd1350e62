"""`realitycheck provenance`: which commits and which changed lines of base..head a model wrote."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
from rich.console import Console, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

from realitycheck import __version__
from realitycheck.cli.options import Common, common_options
from realitycheck.cli.progress import ConsoleEvents
from realitycheck.cli.verify import labels_from_event, split_labels
from realitycheck.core.report import SCHEMA_VERSION, Block, Bullets, Details, Paragraph, Table
from realitycheck.pipeline import resolve_change
from realitycheck.provenance import report
from realitycheck.provenance.analyze import analyze_range
from realitycheck.provenance.registry import load_registry
from realitycheck.report import write_atomic
from realitycheck.report.labels import short

MAX_ROWS = 60


class _ReportedEvents(ConsoleEvents):
    """Progress on standard error; warnings are left to the report, which shows them."""

    def warning(self, message: str) -> None:
        return None


def _blocks(blocks: list[Block]) -> list[RenderableType]:
    out: list[RenderableType] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(Text(block.text))
        elif isinstance(block, Bullets):
            out.append(Text(block.title or "", style="bold"))
            out += [Text(f"  • {item}") for item in block.items]
        elif isinstance(block, Table):
            table = RichTable(title=block.title, title_justify="left", title_style="bold")
            for column in block.columns:
                table.add_column(column, overflow="fold")
            for row in block.rows[:MAX_ROWS]:
                table.add_row(*(Text(cell) for cell in row))  # cells are data, not markup
            if len(block.rows) > MAX_ROWS:
                table.caption = f"… {len(block.rows) - MAX_ROWS} more rows: use --format json"
            out.append(table)
        elif isinstance(block, Details):
            out.append(Text(block.summary, style="bold"))
            out += _blocks(block.blocks)
    return out


@click.command()
@common_options
@click.option(
    "--base",
    default=None,
    help="Base revision (default: merge-base with the default branch). "
    "'EMPTY' starts at the empty tree.",
)
@click.option("--head", default="HEAD", show_default=True, help="Head revision.")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the output to this file instead of standard output.",
)
@click.option(
    "--pr-labels",
    multiple=True,
    metavar="LABELS",
    help="Pull-request labels, comma-separated (e.g. ai-generated).",
)
@click.option(
    "--github-event",
    type=click.Path(path_type=Path),
    default=None,
    envvar="GITHUB_EVENT_PATH",
    help="GitHub event payload to read PR labels from.  [env: GITHUB_EVENT_PATH]",
)
def provenance(
    common: Common,
    base: str | None,
    head: str,
    fmt: str,
    output: Path | None,
    pr_labels: tuple[str, ...],
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
    labels = split_labels(pr_labels)
    if github_event is not None and github_event.exists():
        labels += labels_from_event(github_event)
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
            _write(output, text)
        return 0
    buffer = io.StringIO() if output is not None else None
    console = Console(
        file=buffer, highlight=False, width=120 if buffer else None, no_color=buffer is not None
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
    for item in _blocks(report.blocks(result, names)):
        console.print(item)
    if output is not None and buffer is not None:
        _write(output, buffer.getvalue())
    return 0


def _write(output: Path, text: str) -> None:
    """Atomically to a file; straight through to a device or a pipe (never replace /dev/null)."""
    if output.exists() and not output.is_file():
        with output.open("w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
        return
    write_atomic(output, text)
