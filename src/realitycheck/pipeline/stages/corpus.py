"""The `corpus` stage: what real data the change is checked against (informational).

It summarises the corpus (samples per target, time span, what capture dropped) and marks the
recorded function targets whose module the change touches, so a reader sees at once whether
the changed code has real inputs behind it. It never fails the gate; it offers a risk signal
when the change touches recorded code that has only a handful of samples.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from realitycheck.core.errors import CorpusError
from realitycheck.core.report import (
    Block,
    Bullets,
    Paragraph,
    RiskSignal,
    StageReport,
    StageStatus,
    Table,
)
from realitycheck.corpus.model import CorpusSummary, TargetSummary
from realitycheck.corpus.stats import corpus_stats
from realitycheck.corpus.store import Corpus, is_remote
from realitycheck.pipeline.context import Context
from realitycheck.pipeline.stage import Skip, StageRun

THIN = 30  # fewer samples than this behind touched code is thin evidence


def module_files(module: str, roots: list[str]) -> set[str]:
    """The repository paths a dotted module name may live at."""
    rel = PurePosixPath(*module.split("."))
    out = set()
    for root in roots:
        base = PurePosixPath(root) if root not in ("", ".") else PurePosixPath()
        out.add(str(base / rel.with_suffix(".py")))
        out.add(str(base / rel / "__init__.py"))
    return out


def touched(target: str, changed: set[str], roots: list[str]) -> bool:
    """Whether a `fn:module:qualname` target's module is among the changed files."""
    if not target.startswith("fn:"):
        return False
    module = target[3:].split(":", 1)[0]
    return bool(module_files(module, roots) & changed)


class CorpusStage:
    """Describes the real data behind the change."""

    name = "corpus"
    title = "Corpus"
    after = ("provenance",)

    def run(self, ctx: Context) -> StageRun:
        folder = ctx.corpus_dir
        if not folder.is_dir() and not is_remote(folder):
            raise Skip(f"no corpus at {folder} (record or import samples, or pass --corpus)")
        try:
            stats = corpus_stats(Corpus(folder))
        except CorpusError as exc:
            raise Skip(f"the corpus cannot be opened: {exc}") from None
        if not stats["samples"]:
            raise Skip(f"the corpus at {folder} holds no samples yet")
        changed = {f.path for f in ctx.diff}
        roots = list(ctx.config.replay.source_roots)
        targets = [
            TargetSummary(
                target=t["target"],
                kind=t["kind"],
                samples=t["samples"],
                distinct_inputs=t["distinct_inputs"],
                touched=touched(t["target"], changed, roots),
            )
            for t in stats["targets"]
        ]
        capture = stats["capture"]
        summary = CorpusSummary(
            root=str(folder),
            samples=stats["samples"],
            targets=targets,
            first=stats["first"],
            last=stats["last"],
            dropped=capture["dropped_total"],
        )
        return StageRun(report=self._report(stats, summary), result=summary)

    def _report(self, stats: dict[str, object], summary: CorpusSummary) -> StageReport:
        hit = [t for t in summary.targets if t.touched]
        thin = [t for t in hit if t.samples < THIN]
        rows = [
            [t.target, str(t.samples), str(t.distinct_inputs), "yes" if t.touched else ""]
            for t in sorted(summary.targets, key=lambda t: (not t.touched, t.target))
        ]
        blocks: list[Block] = [
            Paragraph(
                text=f"{summary.samples:,} recorded samples of {len(summary.targets)} targets"
                + (
                    f", {summary.first:%Y-%m-%d} to {summary.last:%Y-%m-%d}"
                    if summary.first and summary.last
                    else ""
                )
                + "."
            ),
            Table(columns=["target", "samples", "distinct inputs", "changed code"], rows=rows[:25]),
        ]
        if len(rows) > 25:
            blocks.append(Paragraph(text=f"… and {len(rows) - 25} more targets."))
        if summary.dropped:
            blocks.append(
                Bullets(
                    title="Capture dropped samples",
                    items=[f"{k}: {v}" for k, v in stats["capture"]["dropped"].items()],  # type: ignore[index]
                )
            )
        signals = []
        if thin:
            signals.append(
                RiskSignal(
                    name="thin-corpus",
                    value=0.3,
                    detail="changed code has few recorded samples: "
                    + ", ".join(f"{t.target} ({t.samples})" for t in thin),
                )
            )
        touched_text = (
            f"; the change touches {len(hit)} recorded target{'s' if len(hit) != 1 else ''}"
            if hit
            else "; no recorded function target lives in a changed module"
        )
        return StageReport(
            name=self.name,
            title=self.title,
            status=StageStatus.RAN,
            gate=False,
            summary=f"{summary.samples:,} samples, {len(summary.targets)} targets" + touched_text,
            data={
                "dir": summary.root,
                "samples": summary.samples,
                "first": stats["first"],
                "last": stats["last"],
                "targets": [t.model_dump() for t in summary.targets],
                "capture": stats["capture"],
            },
            blocks=blocks,
            signals=signals,
            warnings=[str(p) for p in stats.get("problems", [])]  # type: ignore[attr-defined]
            + (
                [
                    f"{stats['quarantined_segments']} bad segment(s) quarantined: their samples "
                    "are not in this corpus (`realitycheck corpus doctor`)"
                ]
                if stats.get("quarantined_segments")
                else []
            ),
        )


STAGE = CorpusStage()
