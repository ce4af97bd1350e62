"""Agent Trace records: the spec's shape, the reference hook's shape, bad lines, and tying."""

from __future__ import annotations

import json
from typing import Any

from realitycheck.provenance.agent_trace import CommitShape, read_traces, tie
from realitycheck.provenance.model import Origin


def record(
    revision: str | None,
    path: str = "src/app.py",
    ranges: list[tuple[int, int]] = ((1, 3),),  # type: ignore[assignment]
    *,
    kind: str = "ai",
    rec_id: str = "550e8400-e29b-41d4-a716-446655440000",
    timestamp: str = "2026-01-23T14:30:00Z",
    version: str = "0.1.0",
) -> dict[str, Any]:
    """A record in the shape of the spec's section 6.2 example."""
    doc: dict[str, Any] = {
        "version": version,
        "id": rec_id,
        "timestamp": timestamp,
        "tool": {"name": "cursor", "version": "2.4.0"},
        "files": [
            {
                "path": path,
                "conversations": [
                    {
                        "url": "https://api.cursor.com/v1/conversations/12345",
                        "contributor": {"type": kind, "model_id": "anthropic/claude-opus-4-5"},
                        "ranges": [
                            {"start_line": a, "end_line": b, "content_hash": "murmur3:9f2e8a1b"}
                            for a, b in ranges
                        ],
                        "related": [{"type": "session", "url": "https://api.cursor.com/s/1"}],
                    }
                ],
            }
        ],
        "metadata": {"confidence": 0.95, "dev.cursor": {"workspace_id": "ws-abc123"}},
    }
    if revision is not None:
        doc["vcs"] = {"type": "git", "revision": revision}
    return doc


def jsonl(*records: object) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


def test_the_spec_example_and_the_reference_hook_shape() -> None:
    hook = {  # what the reference hook writes: version "1.0", bookkeeping pseudo-files
        "version": "1.0",
        "id": "7d3f9c1e-0000-4000-8000-000000000001",
        "timestamp": "2026-01-25T10:00:00.000Z",
        "vcs": {"type": "git", "revision": "a" * 40},
        "tool": {"name": "claude-code"},
        "files": [
            {
                "path": ".shell-history",
                "conversations": [
                    {"contributor": {"type": "ai"}, "ranges": [{"start_line": 1, "end_line": 1}]}
                ],
            }
        ],
        "metadata": {"session_id": "s1", "tool_name": "Bash"},
    }
    records, warnings = read_traces(jsonl(record("b" * 40), hook), source="traces.jsonl")
    assert warnings == []
    spec, ref = records
    assert spec.revision == "b" * 40 and spec.tool == "cursor"
    span = spec.ranges[0]
    assert (span.path, span.start, span.end, span.model) == (
        "src/app.py",
        1,
        3,
        "anthropic/claude-opus-4-5",
    )
    assert span.origin(trust_human=False) is Origin.AI
    assert ref.version == "1.0" and ref.paths == {".shell-history"}


def test_a_range_contributor_overrides_its_conversation() -> None:
    doc = record("c" * 40)
    doc["files"][0]["conversations"][0]["ranges"].append(
        {"start_line": 9, "end_line": 9, "contributor": {"type": "human"}}
    )
    (rec,), _ = read_traces(jsonl(doc), source="t")
    assert rec.ranges[-1].kind == "human"
    assert rec.ranges[-1].origin(trust_human=False) is None
    assert rec.ranges[-1].origin(trust_human=True) is Origin.HUMAN


def test_each_bad_record_costs_only_itself() -> None:
    bad_range = record("d" * 40, ranges=[(5, 2)])
    no_files = {k: v for k, v in record("d" * 40).items() if k != "files"}
    bad_kind = record("d" * 40, kind="robot")
    text = jsonl(record("d" * 40), "{broken", bad_range, no_files, bad_kind, "[1, 2]")
    records, warnings = read_traces(text, source=".agent-trace/traces.jsonl")
    assert len(records) == 1
    assert len(warnings) == 5
    assert warnings[0].startswith(".agent-trace/traces.jsonl:2: not valid JSON")
    assert "bad range 5-2" in warnings[1] and ":3" in warnings[1]
    assert "'files'" in warnings[2]
    assert "contributor.type" in warnings[3]


def shapes(*specs: tuple[str, str | None, int]) -> list[CommitShape]:
    return [CommitShape(sha, parent, at) for sha, parent, at in specs]


def test_tying_by_the_named_commit_and_by_the_commit_made_on_top() -> None:
    a, b, c = "a" * 40, "b" * 40, "c" * 40
    commits = shapes((b, a, 100), (c, b, 200))
    named = read_traces(jsonl(record(c, rec_id="1")), source="t")[0]
    on_base = read_traces(jsonl(record(a, rec_id="2")), source="t")[0]
    outside = read_traces(jsonl(record("f" * 40, rec_id="3")), source="t")[0]
    none = read_traces(jsonl(record(None, rec_id="4")), source="t")[0]
    untied = tie(named + on_base + outside + none, commits, lambda shas: {})
    assert named[0].commit == c  # the last commit: nothing made on top of it
    assert on_base[0].commit == b  # the base is outside the range: the commit made on it
    assert outside[0].commit is None and none[0].commit is None
    assert untied == {"belong to commits outside the range": 1, "name no git revision": 1}


def test_ambiguous_revisions_go_to_the_commit_whose_changes_they_cover() -> None:
    a, b, c = "a" * 40, "b" * 40, "c" * 40
    commits = shapes((b, a, 100), (c, b, 200))
    spec_style = read_traces(jsonl(record(b, ranges=[(1, 3)], rec_id="1")), source="t")[0]
    hook_style = read_traces(jsonl(record(b, ranges=[(7, 9)], rec_id="2")), source="t")[0]
    changes = {b: {"src/app.py": {1, 2, 3}}, c: {"src/app.py": {7, 8, 9}}}
    asked: list[list[str]] = []

    def added(shas: list[str]) -> dict[str, dict[str, set[int]]]:
        asked.append(shas)
        return changes

    tie(spec_style + hook_style, commits, added)
    assert spec_style[0].commit == b
    assert hook_style[0].commit == c
    assert asked == [[b, c]]  # one batched look at the candidates' diffs


def test_short_revisions_and_ties() -> None:
    a, b, c = "a" * 40, "b" * 40, "c" * 40
    commits = shapes((b, a, 100), (c, b, 200))
    recs = read_traces(jsonl(record(b[:12])), source="t")[0]
    tie(recs, commits, lambda shas: {})
    assert recs[0].commit == b  # no overlap either way: the named commit
    too_short = read_traces(jsonl(record(b[:4])), source="t")[0]
    assert tie(too_short, commits, lambda shas: {}) == {"belong to commits outside the range": 1}
