"""The terminal report, drawn with rich."""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from realitycheck.core.report import (
    Block,
    Bullets,
    Details,
    Paragraph,
    Report,
    SideBySide,
    StageReport,
    Table,
    Verdict,
)
from realitycheck.report.labels import VERDICT_WORD, short, stage_state

_STYLE = {Verdict.PASS: "bold green", Verdict.FAIL: "bold red", Verdict.ERROR: "bold yellow"}
_WORD_STYLE = {
    "passed": "green",
    "failed": "red",
    "skipped": "dim",
    "error": "yellow",
    "insufficient": "yellow",
    "ran": "cyan",
}
MAX_ROWS = 40


def _plain(text: str | None) -> Text | None:
    """Report text is data, never rich markup."""
    return Text(text) if text is not None else None


def block_renderables(blocks: list[Block], verbose: bool = False) -> list[RenderableType]:
    """Display blocks as rich renderables; folded details open only when verbose."""
    out: list[RenderableType] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(Text(block.text))
        elif isinstance(block, Bullets):
            if block.title:
                out.append(Text(block.title, style="bold"))
            out += [Text(f"  • {item}") for item in block.items]
        elif isinstance(block, Table):
            table = RichTable(title=_plain(block.title), title_justify="left", show_lines=False)
            for col in block.columns:
                table.add_column(Text(col), overflow="fold")
            for row in block.rows[:MAX_ROWS]:
                table.add_row(*(Text(cell) for cell in row))  # text, not markup
            if len(block.rows) > MAX_ROWS:
                table.caption = f"… {len(block.rows) - MAX_ROWS} more rows in the JSON report"
            out.append(table)
        elif isinstance(block, SideBySide):
            table = RichTable(title=_plain(block.title), title_justify="left", expand=True)
            table.add_column(Text(block.left_title), overflow="fold", ratio=1)
            table.add_column(Text(block.right_title), overflow="fold", ratio=1)
            table.add_row(Text(block.left), Text(block.right))
            out.append(table)
        elif isinstance(block, Details) and verbose:
            out.append(Text(block.summary, style="bold"))
            out += block_renderables(block.blocks, verbose)
        elif isinstance(block, Details):
            out.append(
                Text.assemble(
                    ("▸ ", "dim"), (block.summary, "bold"), (" (folded: -v shows it)", "dim")
                )
            )
    return out


def _stage(stage: StageReport, verbose: bool = False) -> RenderableType:
    _, word = stage_state(stage)
    parts: list[RenderableType] = []
    if stage.summary:
        parts.append(Text(stage.summary))
    for failure in stage.failures:
        parts.append(Text(f"✗ {failure.message}", style="red"))
    for shortfall in stage.insufficient:
        parts.append(Text(f"! insufficient evidence: {shortfall.message}", style="yellow"))
    for warning in stage.warnings:
        parts.append(Text(f"! {warning}", style="yellow"))
    parts += block_renderables(stage.blocks, verbose)
    title = Text.assemble((f"{stage.title} ", "bold"), (word, _WORD_STYLE[word]))
    return Panel(Group(*parts), title=title, title_align="left")


def renderables(report: Report, *, verbose: bool = False) -> list[RenderableType]:
    """The report as rich renderables; folded details open only when verbose."""
    ch = report.change
    head = Text.assemble(
        ("realitycheck ", "bold"),
        (VERDICT_WORD[report.verdict], _STYLE[report.verdict]),
        f"  {short(ch.base)}..{short(ch.head)} · {ch.commits} commit"
        f"{'s' if ch.commits != 1 else ''}",
    )
    out: list[RenderableType] = [head]
    for reason in report.reasons:
        out.append(Text(f"  ✗ {reason.check}: {reason.message}", style="red"))
    overview = RichTable(show_header=True, header_style="bold", box=None, pad_edge=False)
    overview.add_column("stage")
    overview.add_column("status")
    overview.add_column("summary", overflow="fold")
    for stage in report.stages:
        _, word = stage_state(stage)
        summary = stage.summary if stage.status.value == "ran" else (stage.reason or "")
        overview.add_row(Text(stage.title), Text(word, style=_WORD_STYLE[word]), Text(summary))
    out.append(overview)
    out += [_stage(s, verbose) for s in report.stages if s.status.value == "ran"]
    return out


def render(report: Report, *, color: bool = False, width: int = 110, verbose: bool = True) -> str:
    """The terminal report as text (ANSI colour when asked); a file gets every detail."""
    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        color_system="standard" if color else None,
        width=width,
        no_color=not color,
        highlight=False,
        emoji=False,  # report text is data: `fn:a:b` is not an emoji code
        markup=False,
    )
    for item in renderables(report, verbose=verbose):
        console.print(item)
    return buf.getvalue()
