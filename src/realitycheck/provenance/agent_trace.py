"""Agent Trace records (`.agent-trace/traces.jsonl`, spec 0.1.0), parsed and tied to commits.

A record is one JSON object per line: `version`, `id`, `timestamp`, an optional
`vcs: {type, revision}`, an optional `tool: {name, version}`, and `files[{path,
conversations[{contributor: {type, model_id}, ranges[{start_line, end_line, content_hash?,
contributor?}]}]}]`. A range's own contributor overrides its conversation's.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from realitycheck.core.errors import InputError
from realitycheck.core.ranges import Range
from realitycheck.provenance.model import Origin

CONTRIBUTORS = {"ai": Origin.AI, "mixed": Origin.AI, "human": Origin.HUMAN, "unknown": None}


@dataclass(frozen=True)
class TraceRange:
    """Lines of one file a contributor produced, at the record's revision."""

    path: str
    start: int
    end: int
    kind: str
    model: str | None

    def origin(self, *, trust_human: bool) -> Origin | None:
        """What the range says about its lines, or None when it says nothing usable."""
        origin = CONTRIBUTORS[self.kind]
        if origin is Origin.HUMAN and not trust_human:
            return None
        return origin


@dataclass
class TraceRecord:
    """One trace record and where it was read."""

    id: str
    version: str
    timestamp: datetime | None
    revision: str | None
    tool: str | None
    ranges: list[TraceRange]
    where: str
    commit: str | None = field(default=None)

    @property
    def paths(self) -> set[str]:
        """The files the record attributes lines in."""
        return {r.path for r in self.ranges}

    def describe(self, span: TraceRange) -> str:
        """A short reason a reviewer can read."""
        who = {"ai": "AI", "mixed": "AI-edited (mixed)", "human": "human", "unknown": "unknown"}
        text = f"agent-trace: {who[span.kind]}"
        if self.tool:
            text += f" via {self.tool}"
        if span.model:
            text += f" ({span.model})"
        return text + f", record {self.id[:8]}"


def _need(obj: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InputError(f"'{key}' is missing or not a {kind.__name__}", place=where)
    return value


def _contributor(raw: object, fallback: str, where: str) -> tuple[str, str | None]:
    if raw is None:
        return fallback, None
    if not isinstance(raw, dict) or raw.get("type") not in CONTRIBUTORS:
        raise InputError("contributor.type is not human, ai, mixed or unknown", place=where)
    model = raw.get("model_id")
    return str(raw["type"]), str(model) if isinstance(model, str) and model else None


def parse_record(obj: object, *, where: str) -> TraceRecord:
    """One record; InputError naming what is wrong."""
    if not isinstance(obj, dict):
        raise InputError("a trace record must be a JSON object", place=where)
    version = _need(obj, "version", str, where)
    rec_id = _need(obj, "id", str, where)
    stamp_text = _need(obj, "timestamp", str, where)
    try:
        stamp: datetime | None = datetime.fromisoformat(stamp_text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"timestamp {stamp_text!r} is not RFC 3339", place=where) from None
    if stamp is not None and stamp.tzinfo is None:
        stamp = None  # a local time cannot be compared with commit times
    revision: str | None = None
    vcs = obj.get("vcs")
    if vcs is not None:
        if not isinstance(vcs, dict):
            raise InputError("'vcs' is not an object", place=where)
        if vcs.get("type") == "git" and isinstance(vcs.get("revision"), str):
            revision = vcs["revision"].strip().lower() or None
    tool = obj.get("tool")
    tool_name = str(tool["name"]) if isinstance(tool, dict) and tool.get("name") else None
    ranges: list[TraceRange] = []
    for f_index, entry in enumerate(_need(obj, "files", list, where)):
        f_where = f"{where}, files[{f_index}]"
        if not isinstance(entry, dict):
            raise InputError("a file entry must be an object", place=f_where)
        path = _need(entry, "path", str, f_where).removeprefix("./")
        if not path:
            raise InputError("'path' is missing", place=f_where)
        for c_index, conv in enumerate(_need(entry, "conversations", list, f_where)):
            c_where = f"{f_where}.conversations[{c_index}]"
            if not isinstance(conv, dict):
                raise InputError("a conversation must be an object", place=c_where)
            kind, model = _contributor(conv.get("contributor"), "unknown", c_where)
            for r_index, rng in enumerate(_need(conv, "ranges", list, c_where)):
                r_where = f"{c_where}.ranges[{r_index}]"
                if not isinstance(rng, dict):
                    raise InputError("a range must be an object", place=r_where)
                start = _need(rng, "start_line", int, r_where)
                end = _need(rng, "end_line", int, r_where)
                if start < 1 or end < start:
                    raise InputError(f"bad range {start}-{end}", place=r_where)
                r_kind, r_model = _contributor(rng.get("contributor"), kind, r_where)
                ranges.append(TraceRange(path, start, end, r_kind, r_model or model))
    return TraceRecord(rec_id, version, stamp, revision, tool_name, ranges, where)


def read_traces(text: str, *, source: str) -> tuple[list[TraceRecord], list[str]]:
    """Every valid record of a JSONL file, and one warning per record that is not."""
    records: list[TraceRecord] = []
    warnings: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            warnings.append(f"{where}: not valid JSON ({exc.msg}); record ignored")
            continue
        try:
            records.append(parse_record(obj, where=where))
        except InputError as exc:
            warnings.append(f"{exc.place}: {exc.message}; record ignored")
    return records, warnings


@dataclass(frozen=True)
class CommitShape:
    """What tying a trace needs to know of a commit of the range."""

    sha: str
    first_parent: str | None
    committed_at: int


def candidates(revision: str, commits: Sequence[CommitShape]) -> tuple[str | None, list[str]]:
    """The range commit a revision names (if any) and the range commits made on top of it."""
    if len(revision) < 7:
        return None, []
    named = next((c.sha for c in commits if c.sha.startswith(revision)), None)
    parent = named or revision
    children = [
        c.sha
        for c in sorted(commits, key=lambda c: c.committed_at)
        if c.first_parent is not None and c.first_parent.startswith(parent)
    ]
    return named, children


def overlap(ranges: Sequence[TraceRange], added: Mapping[str, set[int]]) -> float:
    """The share of a record's lines that a commit added or changed."""
    total = hit = 0
    for r in ranges:
        lines = added.get(r.path, set())
        total += r.end - r.start + 1
        hit += sum(1 for n in range(r.start, r.end + 1) if n in lines)
    return hit / total if total else 0.0


def tie(
    records: Sequence[TraceRecord],
    commits: Sequence[CommitShape],
    added: Callable[[list[str]], Mapping[str, Mapping[str, set[int]]]],
) -> Counter[str]:
    """Set each record's `commit`; count the records left untied, by reason.

    A record names the revision its ranges were recorded at. The Agent Trace spec reads that
    as the commit that holds the lines; its reference hook records the HEAD the agent edited
    on top of, so the lines land in the next commit. Both readings are tried: the range
    commit the revision names, and the range commits whose first parent it is. With more than
    one candidate, the commit whose own changes cover most of the record's lines wins; on a
    tie, the named commit, then the first child committed after the record.
    """
    untied: Counter[str] = Counter()
    plans: list[tuple[TraceRecord, str | None, list[str]]] = []
    for record in records:
        if record.revision is None:
            untied["name no git revision"] += 1
            continue
        named, children = candidates(record.revision, commits)
        options = list(dict.fromkeys(([named] if named else []) + children))
        if not options:
            untied["belong to commits outside the range"] += 1
        elif len(options) == 1:
            record.commit = options[0]
        else:
            plans.append((record, named, options))
    if not plans:
        return untied
    changes = added(sorted({sha for _, _, options in plans for sha in options}))
    times = {c.sha: c.committed_at for c in commits}
    for record, named, options in plans:
        scores = {sha: overlap(record.ranges, changes.get(sha, {})) for sha in options}
        top = [sha for sha in options if scores[sha] == max(scores.values())]
        stamp = record.timestamp.timestamp() if record.timestamp else None
        after = [sha for sha in top if stamp is not None and times.get(sha, 0) >= stamp]
        if len(top) == 1:
            record.commit = top[0]
        elif named in top:
            record.commit = named
        else:
            record.commit = after[0] if after else top[0]
    return untied


def line_ranges(record: TraceRecord, path: str) -> list[Range]:
    """The ranges a record gives for one path."""
    return [(r.start, r.end) for r in record.ranges if r.path == path]
