"""Figures for the HTML report, drawn by matplotlib as inline SVG (no JavaScript, no network).

Each figure reads one stage's JSON section (`StageReport.data`) of the Report model and returns
a `Figure`: its SVG, a caption that says the same in words, and its name. A stage that did not
run, or ran on nothing, gives no figure: a plot never suggests a check happened that did not.
The canary metrics of both sides over time wait for the canary judge's section.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from realitycheck.core.report import Report, StageReport, StageStatus
from realitycheck.core.stats import wilson_interval

# Colours that stay apart for the common kinds of colour blindness (Okabe and Ito).
RED, GREEN, BLUE, ORANGE, GREY = "#D55E00", "#009E73", "#0072B2", "#E69F00", "#BBBBBB"
MAX_ROWS = 30


@dataclass(frozen=True)
class Figure:
    """One plot: its name, the inline SVG, and a caption that says it in words."""

    name: str
    title: str
    svg: str
    caption: str


def _ran(report: Report, name: str) -> dict[str, Any] | None:
    stage: StageReport | None = report.stage(name)
    if stage is None or stage.status is not StageStatus.RAN:
        return None
    return stage.data


def _svg(name: str, draw: Callable[[Any], None], rows: int, width: float = 8.0) -> str:
    """Draw on a new matplotlib figure and return its `<svg>` element."""
    import matplotlib
    from matplotlib.figure import Figure as MplFigure

    with matplotlib.rc_context(
        {"svg.fonttype": "path", "svg.hashsalt": name, "font.size": 9, "axes.titlesize": 10}
    ):
        fig = MplFigure(figsize=(width, 0.9 + 0.32 * max(rows, 2)), layout="constrained")
        draw(fig)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    svg = text[text.index("<svg") :]
    # ids are salted per figure; prefix them anyway so two figures never share one
    svg = re.sub(r'id="([^"]+)"', rf'id="{name}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", svg).replace(
        'xlink:href="#', f'xlink:href="#{name}-'
    )


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _interval_axes(ax: Any, labels: Sequence[str], title: str, xlabel: str) -> None:
    ax.set_yticks(range(len(labels)), labels=labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left")
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)


def _points(
    ax: Any, rows: Sequence[tuple[str, float, Sequence[float], str]], title: str, xlabel: str
) -> None:
    for i, (_label, rate, ci, colour) in enumerate(rows):
        low, high = (ci[0], ci[1]) if len(ci) == 2 else (rate, rate)
        ax.errorbar(
            rate, i, xerr=[[max(rate - low, 0)], [max(high - rate, 0)]], fmt="o",
            color=colour, ecolor=colour, capsize=3, markersize=5,
        )  # fmt: skip
    _interval_axes(ax, [r[0] for r in rows], title, xlabel)


def _interval(successes: int, n: int) -> tuple[float, float, float]:
    low, high = wilson_interval(successes, n)
    return successes / n, low, high


def _unexpected(target: tuple[str, int, int, dict[str, Any]]) -> int:
    return int(target[3].get("unexpected") or 0)


def divergence(report: Report) -> Figure | None:
    """Per replayed target: the share of samples that diverged at all, and unexpectedly (95%)."""
    data = _ran(report, "replay")
    targets = []
    for t in (data or {}).get("targets", []):
        n = int(t.get("replayed") or t.get("samples") or 0)
        if n > 0 and t.get("rate") is not None:
            targets.append((str(t["target"]), n, int(t.get("diverged") or 0), t))
    if not targets:
        return None
    targets = targets[:MAX_ROWS]
    title = "Divergence of head from base on recorded inputs (95% Wilson interval)"

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        series = (
            ("any divergence", GREY, -0.15, lambda t: t[2]),
            ("unexpected (not in the ledger)", RED, 0.15, _unexpected),
        )
        for label, colour, shift, count in series:
            for i, target in enumerate(targets):
                rate, low, high = _interval(count(target), target[1])
                ax.errorbar(
                    rate, i + shift, xerr=[[max(rate - low, 0.0)], [max(high - rate, 0.0)]],
                    fmt="o", color=colour,
                    capsize=3, markersize=5, label=label if i == 0 else "_nolegend_",
                )  # fmt: skip
        _interval_axes(ax, [_short(t[0]) for t in targets], title, "share of replayed samples")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=2, frameon=False)

    words = "; ".join(
        f"{name}: {diverged} of {n} diverged, {int(t.get('unexpected') or 0)} unexpectedly"
        for name, n, diverged, t in targets
    )
    return Figure("divergence", title, _svg("divergence", draw, len(targets) + 2), words)


def _assumption_rows(data: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    items = [*data.get("ledger", []), *data.get("mined", [])]
    checked = [
        a for a in items
        if (a.get("result") or {}).get("status") in ("holds", "violated")
        and (a.get("result") or {}).get("n")
    ]  # fmt: skip
    return checked, len(items) - len(checked)


def assumptions(report: Report) -> Figure | None:
    """Each checked assumption's violation rate in the corpus, with its 95% interval."""
    data = _ran(report, "assumptions")
    checked, unchecked = _assumption_rows(data or {})
    if not checked:
        return None
    checked.sort(key=lambda a: (a["result"]["status"] != "violated", str(a.get("id"))))
    rows = [
        (
            _short(f"{a.get('id')} {a.get('statement', '')}", 56),
            float(a["result"].get("rate") or 0.0),
            [float(x) for x in a["result"].get("ci") or []],
            RED if a["result"]["status"] == "violated" else GREEN,
        )
        for a in checked[:MAX_ROWS]
    ]
    title = "Assumptions checked against recorded data: violation rate (95% interval)"

    def draw(fig: Any) -> None:
        _points(fig.add_subplot(), rows, title, "share of recorded samples that violate it")

    words = "; ".join(
        f"{a.get('id')} {a['result']['status']}: {a['result'].get('violations', 0)} of "
        f"{a['result']['n']}"
        for a in checked
    )
    if unchecked:
        words += f"; {unchecked} not checked (not drawn)"
    return Figure("assumptions", title, _svg("assumptions", draw, len(rows)), words)


def _span_map(pairs: Iterable[Any]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for item in pairs:
        path, (start, end) = item[0], item[1]
        out.setdefault(str(path), []).append((int(start), int(end)))
    return out


def coverage(report: Report) -> Figure | None:
    """The changed lines of each file: reached by real inputs, by tests only, or by nothing."""
    data = _ran(report, "replay")
    reality = (data or {}).get("reality_coverage") or {}
    if not reality.get("changed_lines"):
        return None
    kinds = [
        ("reached by recorded real inputs", GREEN, _span_map(reality.get("by_replay", []))),
        ("reached by tests only", ORANGE, _span_map(reality.get("tests_only", []))),
        ("reached by nothing", RED, _span_map(reality.get("uncovered", []))),
    ]
    files = sorted({f for _, _, spans in kinds for f in spans})[:MAX_ROWS]
    title = "Reality coverage of the changed lines"

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        for label, colour, spans in kinds:
            for row, path in enumerate(files):
                bars = [(s - 0.5, e - s + 1) for s, e in spans.get(path, [])]
                ax.broken_barh(bars, (row - 0.35, 0.7), facecolors=colour, label=label)
                label = "_nolegend_"
        ax.set_yticks(range(len(files)), labels=[_short(f, 40) for f in files])
        ax.invert_yaxis()
        ax.set_xlabel("line in the head revision")
        ax.set_title(title, loc="left")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=3, frameon=False)

    words = (
        f"{reality.get('covered_by_replay', 0)} of {reality['changed_lines']} changed lines "
        f"reached by recorded real inputs, {reality.get('covered_by_tests_only', 0)} by tests "
        f"only, {reality.get('uncovered_lines', 0)} by nothing"
    )
    return Figure("coverage", title, _svg("coverage", draw, len(files) + 2), words)


def _lines(spans: Iterable[Any]) -> int:
    return sum(int(end) - int(start) + 1 for start, end in spans)


def provenance(report: Report) -> Figure | None:
    """Who wrote the changed lines of each file: a model, a person, or unknown."""
    data = _ran(report, "provenance")
    files: list[tuple[str, int, int, int]] = [
        (str(f["path"]), _lines(f.get("ai", [])), _lines(f.get("human", [])),
         _lines(f.get("unknown", [])))
        for f in (data or {}).get("files", [])
    ]  # fmt: skip
    files = [f for f in files if sum(f[1:]) > 0][:MAX_ROWS]
    if not files:
        return None
    title = "Who wrote the changed lines, per file"

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        labels = [_short(f[0], 40) for f in files]
        left = [0.0] * len(files)
        totals = [f[1] + f[2] + f[3] for f in files]
        columns = {
            "AI": (BLUE, [f[1] for f in files]),
            "human": (GREEN, [f[2] for f in files]),
            "unknown": (GREY, [f[3] for f in files]),
        }
        for name, (colour, counts) in columns.items():
            shares = [c / total for c, total in zip(counts, totals, strict=True)]
            ax.barh(range(len(files)), shares, left=left, color=colour, label=name, height=0.7)
            left = [a + b for a, b in zip(left, shares, strict=True)]
        _interval_axes(ax, labels, title, "share of the file's changed lines")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=3, frameon=False)

    words = "; ".join(f"{p}: {ai} AI, {human} human, {unk} unknown" for p, ai, human, unk in files)
    return Figure("provenance", title, _svg("provenance", draw, len(files) + 2), words)


FIGURES: list[Callable[[Report], Figure | None]] = [divergence, assumptions, coverage, provenance]


def figures(report: Report) -> list[Figure]:
    """Every figure the report has data for, in reading order.

    A figure that cannot be drawn (data of an unexpected shape) leaves its caption saying so,
    and the rest of the report is still rendered.
    """
    out: list[Figure] = []
    for make in FIGURES:
        name = make.__name__
        try:
            made = make(report)
        except Exception as exc:
            why = f"this figure could not be drawn: {type(exc).__name__}: {exc}"
            made = Figure(name, name, "", why)
        if made is not None:
            out.append(made)
    return out
