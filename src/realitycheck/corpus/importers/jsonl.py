"""`jsonl`: one sample per line, in the corpus's own shape (DESIGN.md).

`target`, `kind`, `input` and `output` as a sample has them; `id`, `recorded_at`, `source`,
`duration_ms`, `tags` and `redactions` are optional; `input_hash` is always recomputed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from realitycheck.corpus.http import BlobPut
from realitycheck.corpus.importers.base import BadEntry, Entry, Item, Progress
from realitycheck.corpus.ingest import loads, parse_time

BOM = b"\xef\xbb\xbf"


def entry_from_object(obj: Any, index: int, line: int | None = None) -> Entry | BadEntry:
    """A sample object as an Entry, or why it is not one."""
    if not isinstance(obj, dict):
        return BadEntry(index, f"a sample must be a JSON object, not {type(obj).__name__}", line)
    target = obj.get("target")
    if target is not None and (not isinstance(target, str) or not target):
        return BadEntry(index, "'target' must be a non-empty string", line)
    kind = obj.get("kind")
    if kind is None:
        kind = "http" if isinstance(target, str) and target.startswith("http:") else "function"
    elif kind not in ("http", "function"):
        return BadEntry(index, f"'kind' must be http or function, not {kind!r}", line)
    sample_input = obj.get("input")
    if not isinstance(sample_input, dict):
        return BadEntry(index, "'input' must be a JSON object", line)
    output = obj.get("output")
    if output is not None and not isinstance(output, dict):
        return BadEntry(index, "'output' must be a JSON object or null", line)
    duration = obj.get("duration_ms")
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, (int, float))
    ):
        return BadEntry(index, "'duration_ms' must be a number", line)
    at = obj.get("recorded_at")
    recorded_at = parse_time(at)
    if at is not None and recorded_at is None:
        return BadEntry(index, f"'recorded_at' is not a timestamp: {at!r}", line)
    tags = obj.get("tags") or []
    redactions = obj.get("redactions") or []
    if not _strings(tags) or not _strings(redactions):
        return BadEntry(index, "'tags' and 'redactions' must be lists of strings", line)
    sample_id = obj.get("id")
    source = obj.get("source")
    if (sample_id is not None and not isinstance(sample_id, str)) or (
        source is not None and not isinstance(source, str)
    ):
        return BadEntry(index, "'id' and 'source' must be strings", line)
    return Entry(
        index=index,
        target=target,
        kind=kind,
        input=sample_input,
        output=output,
        duration_ms=None if duration is None else float(duration),
        recorded_at=recorded_at,
        tags=tags,
        sample_id=sample_id or None,
        source=source or None,
        redactions=redactions,
    )


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def read_jsonl(path: Path, blob: BlobPut, progress: Progress) -> Iterator[Item]:
    """Every line of a JSONL file as an entry (blank lines are not entries)."""
    with path.open("rb") as fh:
        index = 0
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            if not raw.strip():
                continue
            try:
                obj = loads(raw)
            except orjson.JSONDecodeError as exc:
                yield BadEntry(index, f"not valid JSON: {exc}", number)
            else:
                yield entry_from_object(obj, index, number)
            index += 1
            if not index & 0xFFF:
                progress.at(fh.tell())
