"""From raw recorded inputs to segment rows: redact, serialize, hash, deduplicate, batch.

Every way into the corpus (capture, each importer) goes through `Ingest`, so redaction happens
in one place, before anything is written, and rows are built without per-sample objects.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from realitycheck.corpus.model import BLOB_KEY, canonical_bytes
from realitycheck.corpus.redact import Redactor
from realitycheck.corpus.redact.paths import format_path
from realitycheck.corpus.store import SCHEMA, Corpus

_DUMPS = orjson.OPT_NON_STR_KEYS
_EMPTY_LIST = b"[]"
# Tags realitycheck itself writes, which cannot hold anything to redact.
PLAIN_TAGS = frozenset(
    {
        "capture",
        "unserializable",
        "egress",
        "keploy-mock",
        "keploy-test",
        "websocket",
        "no-response",
    }
)


# A run of 19 digits: an integer that may lie beyond 64 bits, which orjson reads as a float.
LONG_NUMBER = re.compile(r"[0-9]{19}")
_LONG_NUMBER_BYTES = re.compile(rb"[0-9]{19}")


def loads(text: str | bytes) -> Any:
    """Parse JSON with orjson (raising its errors), keeping integers beyond 64 bits exact:
    orjson reads those as floats, so text that may hold one is read again by `json`."""
    value = orjson.loads(text)
    long = _LONG_NUMBER_BYTES if isinstance(text, bytes) else LONG_NUMBER
    return json.loads(text) if long.search(text) else value  # type: ignore[arg-type]


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON of a value, whatever it holds (odd values become strings)."""
    try:
        return orjson.dumps(value, option=_DUMPS, default=str)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value, ensure_ascii=False, default=str).encode("utf-8", "replace")


class SampleIds:
    """Unique, roughly time-ordered ids in the `new_sample_id` format, made cheaply in bulk."""

    def __init__(self) -> None:
        self._counter = itertools.count(int.from_bytes(os.urandom(4), "big") & 0xFFFFFFF)

    def next(self) -> str:
        """The next id."""
        return f"s_{time.time_ns() // 1000:013x}{next(self._counter) & 0xFFFFFFF:07x}"

    def many(self, n: int) -> list[str]:
        """`n` ids at once (one timestamp, consecutive counters)."""
        prefix = f"s_{time.time_ns() // 1000:013x}"
        return [f"{prefix}{next(self._counter) & 0xFFFFFFF:07x}" for _ in range(n)]


class Seen:
    """Input hashes seen recently, in bounded memory (two generations of at most `capacity`)."""

    def __init__(self, capacity: int | None = None) -> None:
        self.capacity = capacity
        self.current: set[bytes] = set()
        self.previous: set[bytes] = set()

    def forget(self, digests: Iterable[bytes]) -> None:
        """Un-see hashes (of samples that were never written)."""
        for digest in digests:
            self.current.discard(digest)
            self.previous.discard(digest)

    def add(self, digest: bytes) -> bool:
        """Record a hash; False when it was already seen."""
        if digest in self.current or digest in self.previous:
            return False
        self.current.add(digest)
        if self.capacity is not None and len(self.current) >= self.capacity:
            self.previous, self.current = self.current, set()
        return True


class RowBatch:
    """Columns of segment rows being gathered for one segment."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {f.name: [] for f in SCHEMA}
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self.columns["id"])

    def add(
        self,
        sample_id: str,
        digest: str,
        target: str,
        kind: str,
        input_text: bytes,
        output_text: bytes | None,
        duration_ms: float | None,
        recorded_at: datetime,
        source: str,
        tags: bytes,
        redactions: bytes,
    ) -> None:
        """Append one row."""
        c = self.columns
        c["id"].append(sample_id)
        c["input_hash"].append(digest)
        c["target"].append(target)
        c["kind"].append(kind)
        # orjson's bytes carry a large spare capacity; text is stored at its own size
        c["input"].append(input_text.decode())
        c["output"].append(None if output_text is None else output_text.decode())
        c["duration_ms"].append(duration_ms)
        c["recorded_at"].append(recorded_at)
        c["source"].append(source)
        c["tags"].append(tags.decode())
        c["redactions"].append(redactions.decode())
        self.nbytes += len(input_text) + (len(output_text) if output_text else 0) + 200

    def table(self) -> pa.Table:
        """The rows as an Arrow table in the segment schema."""
        arrays = []
        for f in SCHEMA:
            values = self.columns[f.name]
            arrays.append(pa.array(values, type=f.type))
        return pa.Table.from_arrays(arrays, schema=SCHEMA)

    def clear(self) -> None:
        """Forget the rows (after they were written)."""
        for values in self.columns.values():
            values.clear()
        self.nbytes = 0


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector during bulk work that creates no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_time(value: Any) -> datetime | None:
    """A timestamp (ISO 8601 text, epoch seconds or a datetime) as an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        at = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        at = datetime.fromtimestamp(seconds, timezone.utc)
    elif isinstance(value, str):
        try:
            at = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


class Ingest:
    """Redacts and batches samples, and writes a segment whenever the batch is full."""

    def __init__(
        self,
        corpus: Corpus,
        redactor: Redactor,
        write: Callable[[pa.Table], Path] | None = None,
        *,
        dedup: bool = False,
        seen: Seen | None = None,
        rows_per_segment: int = 50_000,
        bytes_per_segment: int = 64 << 20,
    ) -> None:
        self.corpus = corpus
        self.redactor = redactor
        self.write = write or corpus.write_table
        self.dedup = dedup
        self.seen = seen if seen is not None else Seen()
        self.rows_per_segment = rows_per_segment
        self.bytes_per_segment = bytes_per_segment
        self.batch = RowBatch()
        self.ids = SampleIds()
        self.segments: list[Path] = []
        self.added = 0
        self.duplicates = 0
        self._digests: list[bytes] = []

    def blob(self, data: bytes, media_type: str = "application/octet-stream") -> dict[str, Any]:
        """Store bytes (redacted first when they are text) and return their reference."""
        redacted = self.redactor.blob(data)
        ref = self.corpus.blobs.put(redacted if redacted is not None else data, media_type)
        if redacted is not None:
            ref["redacted"] = True
        return ref

    def add(
        self,
        target: str,
        kind: str,
        input: dict[str, Any],
        output: dict[str, Any] | None,
        *,
        duration_ms: float | None = None,
        recorded_at: datetime | None = None,
        source: str = "",
        tags: Iterable[str] = (),
        sample_id: str | None = None,
        redactions: Iterable[str] = (),
    ) -> bool:
        """Redact and add one sample; False when it was a duplicate and dedup is on."""
        input_text = dumps(input)
        output_text = None if output is None else dumps(output)
        texts = [input_text] if output_text is None else [input_text, output_text]
        paths = self.redactor.sample(kind, input, output, texts)
        if b'"redacted":true' in input_text:
            paths += _redacted_blobs(input, "input")
        if output_text is not None and b'"redacted":true' in output_text:
            paths += _redacted_blobs(output, "output")
        if paths:
            input_text = dumps(input)
            output_text = None if output is None else dumps(output)
        digest = hashlib.sha256(canonical_bytes([target, input]))
        if self.dedup:
            raw = digest.digest()
            if not self.seen.add(raw):
                self.duplicates += 1
                return False
            self._digests.append(raw)
        all_paths = [*redactions, *paths]
        tag_list = [t if t in PLAIN_TAGS else self.redactor.text(t) for t in tags]
        self.batch.add(
            sample_id or self.ids.next(),
            digest.hexdigest(),
            target,
            kind,
            input_text,
            output_text,
            duration_ms,
            recorded_at or datetime.now(timezone.utc),
            source,
            dumps(tag_list) if tag_list else _EMPTY_LIST,
            dumps(all_paths) if all_paths else _EMPTY_LIST,
        )
        self.added += 1
        if len(self.batch) >= self.rows_per_segment or self.batch.nbytes >= self.bytes_per_segment:
            self.flush()
        return True

    def flush(self) -> Path | None:
        """Write the gathered rows as one segment (None when there were none)."""
        if not len(self.batch):
            return None
        path = self.write(self.batch.table())
        self.batch.clear()
        self._digests.clear()
        self.segments.append(path)
        return path

    def discard(self) -> None:
        """Forget the gathered rows (their write failed), so their inputs can be seen again."""
        self.added -= len(self.batch)
        self.batch.clear()
        self.seen.forget(self._digests)
        self._digests.clear()


def _redacted_blobs(value: Any, root: str) -> list[str]:
    """Paths of blob references whose bytes were redacted before storing."""
    found: list[str] = []

    def walk(node: Any, path: list[str | int]) -> None:
        if isinstance(node, dict):
            if isinstance(node.get(BLOB_KEY), str):
                if node.get("redacted") is True:
                    found.append(format_path(path))
                return
            for k, v in node.items():
                walk(v, [*path, k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, [*path, i])

    walk(value, [root])
    return found
