"""Provenance as the report shows it: the JSON section, display blocks, findings and signals."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from realitycheck.core.ranges import Range
from realitycheck.core.report import (
    Block,
    Bullets,
    Details,
    Finding,
    Level,
    Paragraph,
    RiskSignal,
    Table,
)
from realitycheck.provenance.model import CommitProvenance, Evidence, Origin, ProvenanceResult

Names = Callable[[str], str]
MAX_RANGES = 8


def section(result: ProvenanceResult) -> dict[str, Any]:
    """The `provenance` section of the JSON report (DESIGN.md's fields, then more)."""
    return {
        "ai_line_share": round(result.ai_line_share, 4),
        "changed_lines": result.changed_lines,
        "lines": result.counts,
        "is_ai_change": result.is_ai_change,
        "tools": result.tools,
        "commits": [_commit(c) for c in result.commits],
        "files": [
            {
                "path": f.path,
                "old_path": f.old_path,
                "status": f.status,
                "binary": f.binary,
                "note": f.note,
                "ai": [list(r) for r in f.ai],
                "human": [list(r) for r in f.human],
                "unknown": [list(r) for r in f.unknown],
                "spans": [s.model_dump(mode="json") for s in f.spans],
            }
            for f in result.files
        ],
        "counts": {
            "commits": len(result.commits),
            **{f"{o.value}_commits": sum(c.verdict is o for c in result.commits) for o in Origin},
            "files": len(result.files),
        },
        "notes": result.notes,
        "labels": result.labels,
        "registry_version": result.registry_version,
    }


def _commit(c: CommitProvenance) -> dict[str, Any]:
    return {
        "sha": c.sha,
        "subject": c.subject,
        "author": c.author,
        "verdict": c.verdict.value,
        "confidence": c.confidence,
        "tools": c.tools,
        "line_default": c.default_origin.value,
        "merge": c.merge,
        "root": c.root,
        "evidence": [e.model_dump(mode="json") for e in c.evidence],
        "notes": c.notes,
        "warnings": c.warnings,
    }


def ranges_text(ranges: Iterable[Range], limit: int = MAX_RANGES) -> str:
    """`3-9, 12` for display, shortened when long."""
    items = [f"{a}-{b}" if a != b else str(a) for a, b in ranges]
    if not items:
        return "—"
    if len(items) > limit:
        return ", ".join(items[:limit]) + f", … (+{len(items) - limit})"
    return ", ".join(items)


def _count(ranges: Iterable[Range]) -> int:
    return sum(b - a + 1 for a, b in ranges)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(result: ProvenanceResult, names: Names) -> str:
    """One line: how much a model wrote, and with which tools."""
    counts = result.counts
    total = result.changed_lines
    ai_commits = sum(c.verdict is Origin.AI for c in result.commits)
    tools = ", ".join(names(t) for t in result.tools)
    commits = f"{ai_commits} of {_plural(len(result.commits), 'commit')} AI-written"
    if tools:
        commits += f" ({tools})"
    if not result.commits and not total:
        return "empty range: nothing to attribute"
    if not total:
        return f"no changed text lines; {commits}"
    text = f"a model wrote {counts['ai']} of {total} changed lines ({result.ai_line_share:.0%}); "
    text += commits
    if counts["unknown"]:
        text += f"; {_plural(counts['unknown'], 'line')} of unknown origin"
    return text


def why(commit: CommitProvenance) -> Evidence | None:
    """The strongest evidence for a commit's verdict."""
    wanted = [e for e in commit.evidence if e.origin is commit.verdict]
    return max(wanted, key=lambda e: e.confidence, default=None)


def blocks(result: ProvenanceResult, names: Names) -> list[Block]:
    """What a reviewer reads: which lines a model wrote, and why it is thought so."""
    headline = _headline(result)
    out: list[Block] = [Paragraph(text=headline)] if headline else []
    commit_of = {c.sha: c for c in result.commits}
    if result.commits:
        rows = []
        for c in result.commits:
            best = why(c)
            reason = best.detail if best else "no marker, no note, no trace"
            tools = ", ".join(names(t) for t in c.tools) or "—"
            verdict = c.verdict.value + (f" ({c.confidence:.2f})" if c.confidence else "")
            rows.append([c.sha[:10], c.subject[:60], verdict, tools, reason])
        out.append(
            Table(
                title="Commits", columns=["commit", "subject", "verdict", "tools", "why"], rows=rows
            )
        )
    if result.files:
        rows = [
            [
                f.path,
                _cell(f.ai),
                _cell(f.human),
                _cell(f.unknown),
                f.note or "",
            ]
            for f in result.files
        ]
        out.append(
            Table(
                title="Changed lines of head",
                columns=["file", "AI-written", "human", "unknown", "note"],
                rows=rows,
            )
        )
    spans = [
        [
            f.path,
            f"{s.start}-{s.end}" if s.start != s.end else str(s.start),
            s.origin.value,
            (s.commit or "")[:10],
            _because(s.source, s.detail, commit_of.get(s.commit or "")),
        ]
        for f in result.files
        for s in f.spans
    ]
    if spans:
        out.append(
            Details(
                summary="Which commit wrote each changed line, and why it has its origin",
                blocks=[
                    Table(columns=["file", "lines", "origin", "commit", "because"], rows=spans)
                ],
            )
        )
    evidence = [
        [c.sha[:10], e.source, e.origin.value, f"{e.confidence:.2f}", e.detail]
        for c in result.commits
        for e in c.evidence
    ]
    if evidence:
        out.append(
            Details(
                summary="Every piece of evidence, per commit",
                blocks=[
                    Paragraph(
                        text="Signals of one side combine as a noisy-or; a commit is AI when "
                        "they reach the threshold, human only by a configured identity or a "
                        "git-ai human key, and unknown otherwise."
                    ),
                    Table(
                        columns=["commit", "source", "origin", "confidence", "detail"],
                        rows=evidence,
                    ),
                ],
            )
        )
    notes = _notes(result)
    if notes:
        out.append(Bullets(title="Notes", items=notes))
    return out


def _because(source: str, detail: str, commit: CommitProvenance | None) -> str:
    if source != "commit" or commit is None:
        return detail
    if commit.line_default is not None and commit.line_default is not commit.verdict:
        return f"not covered by its note or trace: the commit's other evidence says {detail}"
    return "the commit's verdict (see Commits)"


def _cell(ranges: list[Range]) -> str:
    if not ranges:
        return "—"
    return f"{ranges_text(ranges)} ({_count(ranges)})"


def _headline(result: ProvenanceResult) -> str:
    if not result.commits and not result.changed_lines:
        return ""
    by = {o: sum(c.verdict is o for c in result.commits) for o in Origin}
    files_ai = sum(1 for f in result.files if f.ai)
    parts = [
        f"Commits: {by[Origin.AI]} AI-written, {by[Origin.HUMAN]} human, "
        f"{by[Origin.UNKNOWN]} unknown; AI-written lines in {_plural(files_ai, 'file')}.",
        "Each changed line takes the verdict of the commit that last wrote it, unless that "
        "commit's git-ai note or an Agent Trace record says more about the line.",
    ]
    unknown = result.count(Origin.UNKNOWN)
    if unknown:
        parts.append(
            f"{_plural(unknown, 'changed line')} {'has' if unknown == 1 else 'have'} no "
            "marker at all: unknown, which is not the same as human."
        )
    return " ".join(parts)


def _notes(result: ProvenanceResult) -> list[str]:
    out = list(result.notes)
    for c in result.commits:
        out += [f"{c.sha[:10]}: {n}" for n in c.notes]
        out += [f"{c.sha[:10]}: {w}" for w in c.warnings]
    out += [f"{f.path}: {f.note}" for f in result.files if f.note]
    return out


def findings(result: ProvenanceResult) -> list[Finding]:
    """AI-written line ranges, located, for SARIF and code annotations (one per range)."""
    out: list[Finding] = []
    for f in result.files:
        for a, b in f.ai:
            why = next((s.detail for s in f.spans if a <= s.start <= b), "")
            out.append(
                Finding(
                    stage="provenance",
                    rule_id="ai-written",
                    rule_name="AI-written lines",
                    rule_description="Lines of the change that a model wrote.",
                    level=Level.NOTE,
                    message=f"lines {a}-{b} were written by a model" + (f": {why}" if why else ""),
                    path=f.path,
                    lines=[(a, b)],
                )
            )
    return out


def signals(result: ProvenanceResult, large_change_lines: int) -> list[RiskSignal]:
    """`ai-share` (the AI line share) and `change-size` (changed lines on a log scale)."""
    n = result.changed_lines
    size = min(1.0, math.log1p(n) / math.log1p(large_change_lines)) if n else 0.0
    return [
        RiskSignal(
            name="ai-share",
            value=round(result.ai_line_share, 4),
            detail=f"{result.count(Origin.AI)} of {n} changed lines written by a model",
        ),
        RiskSignal(
            name="change-size",
            value=round(size, 4),
            detail=f"{n} changed lines (1.0 at {large_change_lines})",
        ),
    ]
