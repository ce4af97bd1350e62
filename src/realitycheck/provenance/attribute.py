"""Changed lines of head, each given the origin of the commit that last wrote it (or a closer one).

A line blamed to a commit of the range takes, in order: the Git AI note of that commit if it
attests the line, else an Agent Trace record tied to that commit if one covers it, else the
commit's own default origin. Line numbers are compared where they are valid: blame says where
the line sat in the commit that wrote it, and notes and traces speak of that same version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from realitycheck.core.diff import FileDiff
from realitycheck.core.ranges import to_ranges
from realitycheck.provenance.agent_trace import TraceRange, TraceRecord
from realitycheck.provenance.blame import LineOrigin
from realitycheck.provenance.gitai import AuthorshipNote
from realitycheck.provenance.model import CommitProvenance, FileProvenance, LineSpan, Origin

Reason = tuple[Origin, str | None, str, str]


@dataclass
class LineIndex:
    """Line-level evidence per commit: Git AI notes and tied Agent Trace records."""

    notes: dict[str, AuthorshipNote] = field(default_factory=dict)
    traces: dict[tuple[str, str], list[tuple[TraceRange, TraceRecord]]] = field(
        default_factory=dict
    )
    trust_trace_human: bool = False
    tool_name: Callable[[str], str] = str

    def add_trace(self, record: TraceRecord) -> None:
        """Index a record tied to a commit."""
        if record.commit is None:
            return
        for span in record.ranges:
            self.traces.setdefault((record.commit, span.path), []).append((span, record))

    def has(self, sha: str) -> bool:
        """Whether a commit has any line-level evidence."""
        return sha in self.notes or any(k[0] == sha for k in self.traces)

    def lookup(self, sha: str, path: str, line: int) -> tuple[Origin, str, str] | None:
        """(origin, source, detail) from a note or a trace, or None when neither covers it."""
        note = self.notes.get(sha)
        if note is not None:
            entry = note.lookup(path, line)
            if entry is not None:
                return entry.origin, "git-ai-note", entry.describe(self.tool_name)
        for span, record in reversed(self.traces.get((sha, path), ())):
            if span.start <= line <= span.end:
                origin = span.origin(trust_human=self.trust_trace_human)
                if origin is not None:
                    return origin, "agent-trace", record.describe(span)
        return None


def attribute_file(
    diff: FileDiff,
    blamed: Sequence[LineOrigin] | None,
    commits: Mapping[str, CommitProvenance],
    index: LineIndex,
    *,
    note: str | None = None,
) -> FileProvenance:
    """The origin of every added or modified line of one file, with its reason."""
    by_line = {b.line: b for b in blamed or ()}
    origin_of: dict[int, Origin] = {}
    shas: dict[int, str] = {}
    reasons: dict[int, Reason] = {}
    whys: dict[str, str] = {}
    for line in diff.added_lines:
        blame = by_line.get(line)
        reason: Reason
        if blame is None:
            reason = (Origin.UNKNOWN, None, "none", "not blamed")
        elif blame.sha not in commits:  # the root commit is a boundary too, yet in range
            reason = (Origin.UNKNOWN, blame.sha, "outside-range", "last written before the base")
        else:
            hit = index.lookup(blame.sha, blame.orig_path, blame.orig_line)
            if hit is not None:
                reason = (hit[0], blame.sha, hit[1], hit[2])
            else:
                if blame.sha not in whys:
                    whys[blame.sha] = _why(commits[blame.sha])
                reason = (commits[blame.sha].default_origin, blame.sha, "commit", whys[blame.sha])
        origin_of[line] = reason[0]
        if reason[1] is not None:
            shas[line] = reason[1]
        reasons[line] = reason
    return FileProvenance(
        path=diff.path,
        old_path=diff.old_path,
        status=diff.status.value,
        binary=diff.binary,
        ai=to_ranges(n for n, o in origin_of.items() if o is Origin.AI),
        human=to_ranges(n for n, o in origin_of.items() if o is Origin.HUMAN),
        unknown=to_ranges(n for n, o in origin_of.items() if o is Origin.UNKNOWN),
        commits=shas,
        note=note,
        spans=_spans(reasons),
    )


def _why(commit: CommitProvenance) -> str:
    """The strongest piece of commit-wide evidence behind a commit's default origin."""
    wanted = commit.default_origin
    line_level = {"git-ai-note", "agent-trace"}
    best = max(
        (e for e in commit.evidence if e.origin is wanted and e.source not in line_level),
        key=lambda e: e.confidence,
        default=None,
    )
    if best is not None:
        return best.detail
    if wanted is Origin.UNKNOWN:
        return "no marker on the commit"
    return commit.verdict.value


def _spans(reasons: Mapping[int, Reason]) -> list[LineSpan]:
    runs: list[tuple[int, int, Reason]] = []
    for line in sorted(reasons):
        reason = reasons[line]
        if runs and runs[-1][1] == line - 1 and runs[-1][2] == reason:
            runs[-1] = (runs[-1][0], line, reason)
        else:
            runs.append((line, line, reason))
    return [
        LineSpan(start=a, end=b, origin=r[0], commit=r[1], source=r[2], detail=r[3])
        for a, b, r in runs
    ]
