"""One commit's verdict: commit-wide evidence, then what its note and its traces add."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from realitycheck.core.config.provenance import ProvenanceConfig
from realitycheck.provenance.agent_trace import TraceRecord
from realitycheck.provenance.fusion import fuse
from realitycheck.provenance.gitai import AuthorshipNote
from realitycheck.provenance.history import CommitRecord
from realitycheck.provenance.model import CommitProvenance, Evidence, Origin
from realitycheck.provenance.registry import Registry
from realitycheck.provenance.signals import HumanRule, commit_evidence

NOTE_AI, NOTE_HUMAN, NOTE_RECOVERED = 0.95, 0.9, 0.85
TRACE_AI, TRACE_MIXED, TRACE_HUMAN = 0.9, 0.7, 0.9
MERGE_NOTE = (
    "merge commit: only lines it introduced itself (conflict resolutions) take its verdict; "
    "lines from the merged branch keep their own commits"
)
ROOT_NOTE = "root commit: it has no parent, so every line in it is new"
HUMAN_RAN_TOOL = (
    "its author is a configured human, and AI markers outweigh that: a person ran the tool, "
    "the tool wrote the lines"
)


@dataclass
class Judge:
    """Everything needed to judge the commits of one range."""

    registry: Registry
    humans: HumanRule
    labels: Sequence[str]
    config: ProvenanceConfig

    def commit(
        self,
        record: CommitRecord,
        note: AuthorshipNote | None,
        recovered: tuple[str, AuthorshipNote] | None,
        traces: Sequence[TraceRecord],
    ) -> CommitProvenance:
        """The verdict on one commit, and the origin its uncovered lines take."""
        wide = commit_evidence(record, self.registry, self.humans, self.labels, self.config)
        warnings: list[str] = []
        if recovered is not None:
            old, old_note = recovered
            wide += self.note_evidence(old_note, recovered_from=old)
            warnings.append(
                f"its git-ai note was found on {old[:10]}, a commit with the same author, time "
                "and patch (a rebase or cherry-pick that did not copy notes); it counts for the "
                "whole commit"
            )
        line_level: list[Evidence] = []
        if note is not None:
            line_level += self.note_evidence(note)
            if note.unresolved:
                warnings.append(
                    f"its git-ai note names {len(note.unresolved)} session(s) without metadata; "
                    "their lines count as AI of an unknown tool"
                )
        for trace in traces:
            line_level += self.trace_evidence(trace)
        default = fuse(wide, self.config.ai_threshold)
        overall = fuse(wide + line_level, self.config.ai_threshold)
        notes: list[str] = []
        if record.is_merge:
            notes.append(MERGE_NOTE)
        if record.is_root:
            notes.append(ROOT_NOTE)
        if overall.verdict is Origin.AI and any(e.source == "config" for e in wide):
            notes.append(HUMAN_RAN_TOOL)
        return CommitProvenance(
            sha=record.sha,
            subject=record.subject,
            author=str(record.author),
            verdict=overall.verdict,
            confidence=overall.confidence,
            tools=overall.tools,
            evidence=wide + line_level,
            merge=record.is_merge,
            warnings=warnings,
            root=record.is_root,
            committed_at=record.committed_at,
            line_default=default.verdict,
            notes=notes,
        )

    def note_evidence(
        self, note: AuthorshipNote, *, recovered_from: str | None = None
    ) -> list[Evidence]:
        """One piece of evidence per session (or known human) of a Git AI note."""
        lines: Counter[tuple[Origin, str, str | None, str | None]] = Counter()
        files: dict[tuple[Origin, str, str | None, str | None], set[str]] = {}
        for path, entries in note.files.items():
            for entry in entries:
                tool = self.registry.tool_for(entry.tool) if entry.tool else "unknown"
                key = (entry.origin, tool, entry.model, entry.who)
                lines[key] += entry.line_count
                files.setdefault(key, set()).add(path)
        out: list[Evidence] = []
        where = (
            f"git-ai note on {recovered_from[:10]} (before a rewrite)"
            if recovered_from
            else ("git-ai note")
        )
        for (origin, tool, model, who), count in lines.items():
            n_files = len(files[(origin, tool, model, who)])
            spread = f"{count} line{'s' if count != 1 else ''} in {n_files} file(s)"
            if origin is Origin.HUMAN:
                detail = f"{where}: {spread} typed by known human {who or 'unnamed'}"
                confidence = NOTE_HUMAN
            else:
                name = self.registry.name_of(tool) + (f" ({model})" if model else "")
                detail = f"{where}: {spread} by {name}"
                confidence = NOTE_RECOVERED if recovered_from else NOTE_AI
            out.append(
                Evidence(
                    source="git-ai-note",
                    detail=detail,
                    origin=origin,
                    tool=None if origin is Origin.HUMAN else tool,
                    confidence=confidence,
                )
            )
        return out

    def trace_evidence(self, trace: TraceRecord) -> list[Evidence]:
        """One piece of evidence per contributor kind of an Agent Trace record."""
        counts: Counter[str] = Counter()
        models: dict[str, set[str]] = {}
        for span in trace.ranges:
            counts[span.kind] += span.end - span.start + 1
            if span.model:
                models.setdefault(span.kind, set()).add(span.model)
        tool = self.registry.tool_for(trace.tool) if trace.tool else None
        out: list[Evidence] = []
        for kind, count in counts.items():
            model = ", ".join(sorted(models.get(kind, ()))) or "model not named"
            base = f"agent-trace record {trace.id[:8]} ({trace.where}): {count} lines"
            if kind in ("ai", "mixed"):
                conf = TRACE_AI if kind == "ai" else TRACE_MIXED
                what = "by AI" if kind == "ai" else "human-edited AI output (mixed)"
                out.append(
                    Evidence(
                        source="agent-trace",
                        detail=f"{base} {what}, {model}",
                        origin=Origin.AI,
                        tool=tool or "unknown",
                        confidence=conf,
                    )
                )
            elif kind == "human":
                trusted = self.config.trust_agent_trace_human
                out.append(
                    Evidence(
                        source="agent-trace",
                        detail=f"{base} marked human"
                        + ("" if trusted else " (not trusted: trust_agent_trace_human is off)"),
                        origin=Origin.HUMAN if trusted else Origin.UNKNOWN,
                        confidence=TRACE_HUMAN if trusted else 0.0,
                    )
                )
        return out
