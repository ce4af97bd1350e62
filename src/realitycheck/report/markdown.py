"""Markdown fit for a pull-request comment: a verdict line, a section per stage, details folded."""

from __future__ import annotations

import html

from realitycheck.core.report import (
    Block,
    Bullets,
    Details,
    Paragraph,
    Report,
    SideBySide,
    StageReport,
    Table,
)
from realitycheck.report.labels import VERDICT_MARK, VERDICT_WORD, short, stage_state

MAX_CHARS = 60_000  # GitHub refuses comments over 65,536 characters
MAX_ROWS = 50


def _cell(text: str) -> str:
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", "<br>")


def _blocks(blocks: list[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out += [block.text, ""]
        elif isinstance(block, Bullets):
            if block.title:
                out += [f"**{block.title}**", ""]
            out += [f"- {item}" for item in block.items] + [""]
        elif isinstance(block, Table):
            if block.title:
                out += [f"**{block.title}**", ""]
            out.append("| " + " | ".join(_cell(c) for c in block.columns) + " |")
            out.append("|" + "---|" * len(block.columns))
            for row in block.rows[:MAX_ROWS]:
                out.append("| " + " | ".join(_cell(c) for c in row) + " |")
            if len(block.rows) > MAX_ROWS:
                out.append(f"\n_… {len(block.rows) - MAX_ROWS} more rows in the JSON report_")
            out.append("")
        elif isinstance(block, SideBySide):
            if block.title:
                out += [f"**{block.title}**", ""]
            out += [
                "<table><tr>"
                f"<th>{html.escape(block.left_title)}</th><th>{html.escape(block.right_title)}</th>"
                "</tr><tr>"
                f"<td><pre>{html.escape(block.left)}</pre></td>"
                f"<td><pre>{html.escape(block.right)}</pre></td>"
                "</tr></table>",
                "",
            ]
        elif isinstance(block, Details):
            out += [f"<details><summary>{html.escape(block.summary)}</summary>", ""]
            out += _blocks(block.blocks)
            out += ["</details>", ""]
    return out


def _stage(stage: StageReport) -> list[str]:
    mark, word = stage_state(stage)
    lines = [f"### {mark} {stage.title} — {word}", ""]
    if stage.summary:
        lines += [stage.summary, ""]
    for failure in stage.failures:
        lines.append(f"- ❌ {failure.message}")
    if stage.failures:
        lines.append("")
    for shortfall in stage.insufficient:
        lines.append(f"- ⚠️ insufficient evidence: {shortfall.message}")
    if stage.insufficient:
        lines.append("")
    for warning in stage.warnings:
        lines.append(f"- ⚠️ {warning}")
    if stage.warnings:
        lines.append("")
    if stage.blocks:
        lines += ["<details><summary>Details</summary>", ""]
        lines += _blocks(stage.blocks)
        lines += ["</details>", ""]
    return lines


def render(report: Report, *, color: bool = False) -> str:
    """The Markdown report."""
    ch = report.change
    lines = [
        f"## {VERDICT_MARK[report.verdict]} realitycheck: {VERDICT_WORD[report.verdict]}",
        "",
        f"`{short(ch.base)}..{short(ch.head)}` · {ch.commits} commit"
        f"{'s' if ch.commits != 1 else ''}",
        "",
    ]
    if report.reasons:
        lines += ["**Why it failed**", ""]
        lines += [f"- **{r.check}**: {r.message}" for r in report.reasons]
        lines.append("")
    lines += ["| stage | status | summary |", "|---|---|---|"]
    for stage in report.stages:
        mark, word = stage_state(stage)
        summary = stage.reason if stage.status.value != "ran" else stage.summary
        lines.append(f"| {_cell(stage.title)} | {mark} {word} | {_cell(summary or '')} |")
    lines.append("")
    for stage in report.stages:
        if stage.status.value == "ran":
            lines += _stage(stage)
    text = "\n".join(lines).rstrip() + "\n"
    if len(text) > MAX_CHARS:
        cut = text[:MAX_CHARS].rsplit("\n", 1)[0]
        if cut.count("<details>") > cut.count("</details>"):
            cut += "\n</details>" * (cut.count("<details>") - cut.count("</details>"))
        text = cut + "\n\n_Report truncated to fit a comment; the JSON report has everything._\n"
    return text
