"""A standalone HTML page: the verdict, a section per stage with its figures, details folded.

One self-contained file: inline CSS and inline SVG figures (`plots.py`), no script, nothing
fetched from the network.
"""

from __future__ import annotations

from html import escape

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
from realitycheck.report.plots import Figure, figures

# Which stage's section shows each figure.
FIGURE_STAGE = {
    "divergence": "replay",
    "coverage": "replay",
    "assumptions": "assumptions",
    "provenance": "provenance",
}

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0} td,th{border:1px solid #ddd;padding:.25rem .5rem;
vertical-align:top;text-align:left} th{background:#f6f6f6} pre{white-space:pre-wrap;margin:0}
.failed{color:#b00020} .passed{color:#0a7d32} .skipped{color:#777} .error{color:#a66b00}
.insufficient{color:#a66b00}
.warn{color:#a66b00} details{margin:.5rem 0} summary{cursor:pointer;font-weight:600}
figure{margin:1rem 0} figure svg{max-width:100%;height:auto} figcaption{color:#555;font-size:.9rem}
"""


def _blocks(blocks: list[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(f"<p>{escape(block.text)}</p>")
        elif isinstance(block, Bullets):
            title = f"<p><strong>{escape(block.title)}</strong></p>" if block.title else ""
            items = "".join(f"<li>{escape(i)}</li>" for i in block.items)
            out.append(f"{title}<ul>{items}</ul>")
        elif isinstance(block, Table):
            title = f"<caption>{escape(block.title)}</caption>" if block.title else ""
            head = "".join(f"<th>{escape(c)}</th>" for c in block.columns)
            rows = "".join(
                "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
                for row in block.rows
            )
            out.append(f"<table>{title}<tr>{head}</tr>{rows}</table>")
        elif isinstance(block, SideBySide):
            title = f"<p><strong>{escape(block.title)}</strong></p>" if block.title else ""
            out.append(
                f"{title}<table><tr><th>{escape(block.left_title)}</th>"
                f"<th>{escape(block.right_title)}</th></tr><tr><td><pre>{escape(block.left)}</pre>"
                f"</td><td><pre>{escape(block.right)}</pre></td></tr></table>"
            )
        elif isinstance(block, Details):
            out.append(
                f"<details><summary>{escape(block.summary)}</summary>{_blocks(block.blocks)}"
                "</details>"
            )
    return "\n".join(out)


def _figure(fig: Figure) -> str:
    return (
        f'<figure id="figure-{fig.name}" role="img" aria-label="{escape(fig.title)}">'
        f"{fig.svg}<figcaption>{escape(fig.caption)}</figcaption></figure>"
    )


def _stage(stage: StageReport, figs: list[Figure] | None = None) -> str:
    mark, word = stage_state(stage)
    parts = [f'<h2>{mark} {escape(stage.title)} <span class="{word}">{word}</span></h2>']
    if stage.status.value != "ran":
        parts.append(f"<p>{escape(stage.reason or '')}</p>")
        return "\n".join(parts)
    if stage.summary:
        parts.append(f"<p>{escape(stage.summary)}</p>")
    parts.extend(_figure(f) for f in figs or [])
    if stage.failures:
        items = "".join(f'<li class="failed">{escape(f.message)}</li>' for f in stage.failures)
        parts.append(f"<ul>{items}</ul>")
    if stage.insufficient:
        items = "".join(
            f'<li class="insufficient">insufficient evidence: {escape(r.message)}</li>'
            for r in stage.insufficient
        )
        parts.append(f"<ul>{items}</ul>")
    if stage.warnings:
        items = "".join(f'<li class="warn">{escape(w)}</li>' for w in stage.warnings)
        parts.append(f"<ul>{items}</ul>")
    if stage.blocks:
        parts.append(f"<details open><summary>Details</summary>{_blocks(stage.blocks)}</details>")
    return "\n".join(parts)


def render(report: Report, *, color: bool = False) -> str:
    """The HTML page."""
    ch = report.change
    verdict = VERDICT_WORD[report.verdict]
    reasons = "".join(
        f"<li><strong>{escape(r.check)}</strong>: {escape(r.message)}</li>" for r in report.reasons
    )
    by_stage: dict[str, list[Figure]] = {}
    for fig in figures(report):
        by_stage.setdefault(FIGURE_STAGE.get(fig.name, ""), []).append(fig)
    body = [
        f"<h1>{VERDICT_MARK[report.verdict]} realitycheck: {verdict}</h1>",
        f"<p><code>{short(ch.base)}..{short(ch.head)}</code> · {ch.commits} commit"
        f"{'s' if ch.commits != 1 else ''}</p>",
        f"<ul>{reasons}</ul>" if reasons else "",
        *(_stage(s, by_stage.get(s.name)) for s in report.stages),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>realitycheck: {verdict}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(b for b in body if b)
        + "\n</body></html>\n"
    )
