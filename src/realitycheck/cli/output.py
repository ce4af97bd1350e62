"""Writing command output: reports in each format asked for, JSON documents, atomic files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from realitycheck.cli.progress import stderr
from realitycheck.core.report import Report
from realitycheck.report import render_report, write_atomic
from realitycheck.report.terminal import renderables


def plain_console(**options: Any) -> Console:
    """A console for output that holds user data: no markup, no emoji codes (`fn:a:b` stays
    `fn:a:b`), no highlighting. Styled parts are given as `rich.text.Text`."""
    return Console(highlight=False, emoji=False, markup=False, **options)


def emit_report(
    report: Report, pairs: list[tuple[str, str | None]], *, verbose: bool = False
) -> None:
    """Render the report once per (format, path); path None is standard output."""
    for fmt, path in pairs:
        if path is None and fmt == "text":
            console = plain_console()
            if not console.is_terminal:
                console.width = max(console.width, 110)
            for item in renderables(report, verbose=verbose):
                console.print(item)
            continue
        text = render_report(report, fmt, path)
        if text is not None:
            click.echo(text, nl=not text.endswith("\n"))
        else:
            stderr.print(f"wrote {fmt} report to {path}", highlight=False)


def emit_json(document: Any, output: Path | None = None) -> None:
    """Exactly one JSON document, to standard output or atomically to a file."""
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    if output is None or str(output) == "-":
        click.echo(text)
    else:
        write_atomic(output, text)
