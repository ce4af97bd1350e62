"""One batch of a bulk JSONL import made into a segment: scanned, redacted, hashed, written.

DuckDB has parsed and checked the batch's lines (see `bulk.py`); what is left is Python's:
the redaction prefilter runs once over each text column's whole buffer, the rows it flags are
redacted value by value, every input is hashed, ids are filled in, and the batch becomes one
segment. This runs in the import's worker processes (one batch each), or in the importing
process itself for small files.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from realitycheck.corpus.ingest import dumps, loads
from realitycheck.corpus.model import canonical_bytes
from realitycheck.corpus.redact import Redactor
from realitycheck.corpus.redact.redactor import anchors_of
from realitycheck.corpus.store import SCHEMA, write_segment

_CANONICAL = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)  # the options of `model.canonical_bytes`, whose result this must equal byte for byte
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_RUN = b"0" * 19
ID_DIGITS = 7  # the counter part of a sample id (`ingest.SampleIds`)


class NeedsCarefulImport(Exception):
    """The file has lines the bulk path does not judge; the careful importer will."""


@dataclass(frozen=True)
class BatchJob:
    """What a worker needs besides the rows: where to write and how to fill gaps."""

    folder: Path  # the staging folder the segment goes to
    source: str  # for rows without a `source`
    id_prefix: str  # `s_` and the time part of the ids given to rows without one
    id_start: int  # the counter of the first such id


@dataclass(frozen=True)
class BatchDone:
    """A written segment: where, how many rows, and how many of each target."""

    segment: Path
    rows: int
    targets: dict[str, int]


def load(text: str) -> Any:
    """Parse a JSON text as the careful importer does; what it would refuse, it names."""
    try:
        return loads(text)
    except orjson.JSONDecodeError as exc:  # e.g. a number beyond a double's range
        raise NeedsCarefulImport(str(exc)) from None


def long_numbers(column: pa.Array) -> set[int]:
    """Rows whose text holds a run of 19 digits (an integer orjson may read as a float)."""
    if not pa.types.is_large_string(column.type):
        column = column.cast(pa.large_string())
    _, offsets, data = column.buffers()
    if data is None or len(column) == 0:
        return set()
    first = column.offset
    bounds = np.frombuffer(offsets, dtype=np.int64)[first : first + len(column) + 1].tolist()
    digits = bytes(memoryview(data)[bounds[0] : bounds[-1]]).translate(_DIGITS_AS_ZERO)
    rows, pos = set(), digits.find(_RUN)
    while pos >= 0:
        row = bisect.bisect_right(bounds, bounds[0] + pos) - 1
        rows.add(row)
        pos = digits.find(_RUN, bounds[row + 1] - bounds[0])
    return rows


def scan(redactor: Redactor, column: pa.Array) -> dict[int, list[bytes]]:
    """The prefilter's matches in a column of JSON texts, by row (rows without any are absent).

    The column's buffer holds its rows back to back, so one search covers them all; a match
    that runs past the end of its row does not hide the next row, which is searched afresh.
    """
    pre = redactor.scanner.prefilter
    if pre is None or len(column) == 0:
        return {}
    if not pa.types.is_large_string(column.type):
        column = column.cast(pa.large_string())
    _, offsets, data = column.buffers()
    if data is None:
        return {}
    first = column.offset
    bounds = np.frombuffer(offsets, dtype=np.int64)[first : first + len(column) + 1].tolist()
    view = memoryview(data)[: bounds[-1]]
    found: dict[int, list[bytes]] = {}
    pos = bounds[0]
    while pos < bounds[-1]:
        for m in pre.finditer(view, pos):
            start = m.start()
            row = bisect.bisect_right(bounds, start) - 1
            end = m.end()
            found.setdefault(row, []).append(bytes(view[start:end]))
            if end > bounds[row + 1]:
                pos = bounds[row + 1]
                break
        else:
            break
    return found


def input_hashes(
    targets: list[str], inputs: list[str], skip: Container[int], exact: Container[int] = ()
) -> list[str]:
    """`model.input_hash` of every (target, input text) but the rows in `skip` (left empty);
    the rows in `exact` may hold integers beyond 64 bits, and are parsed to keep them."""
    sha, fast, dump = hashlib.sha256, orjson.loads, orjson.dumps
    out = []
    for i, (target, text) in enumerate(zip(targets, inputs, strict=True)):
        if i in skip:
            out.append("")
            continue
        try:
            if i in exact:
                raise TypeError
            data = dump([target, fast(text)], option=_CANONICAL)
        except (orjson.JSONDecodeError, TypeError, orjson.JSONEncodeError):
            data = canonical_bytes([target, load(text)])
        out.append(sha(data).hexdigest())
    return out


def sample_ids(prefix: str, start: int, n: int) -> pa.Array:
    """`n` consecutive sample ids, built as one buffer (fixed width: prefix + 7 hex digits)."""
    counters = (np.arange(start, start + n, dtype=np.int64) & 0xFFFFFFF).astype(np.uint32)
    shifts = np.arange(4 * (ID_DIGITS - 1), -1, -4, dtype=np.uint32)
    digits = _HEX[(counters[:, None] >> shifts) & 0xF]
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    rows = np.hstack([np.broadcast_to(head, (n, len(head))), digits])
    width = rows.shape[1]
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(np.ascontiguousarray(rows).tobytes())
    )


def make_segment(batch: pa.RecordBatch, job: BatchJob, redactor: Redactor) -> BatchDone:
    """Redact, hash and complete one batch of DuckDB's rows, and write it as a segment."""
    if not pc.all(batch.column("ok")).as_py() or batch.column("target").null_count:
        raise NeedsCarefulImport
    targets = batch.column("target").to_pylist()
    inputs = batch.column("input").to_pylist()
    flagged: dict[int, list[bytes]] = {}
    for name in ("input", "output", "tags"):
        for row, found in scan(redactor, batch.column(name)).items():
            flagged.setdefault(row, []).extend(found)
    hashes = input_hashes(targets, inputs, flagged, long_numbers(batch.column("input")))
    changed: dict[str, dict[int, str]] = {"input": {}, "output": {}, "tags": {}, "redactions": {}}
    if flagged:
        row_of = _Rows(batch, sorted(flagged))
        for row, found in flagged.items():
            hashes[row] = _redact(redactor, row_of, row, inputs[row], found, changed)
    columns: dict[str, Any] = {
        "id": _ids(batch.column("id"), job),
        "input_hash": pa.array(hashes, pa.string()),
        "target": batch.column("target"),
        "kind": batch.column("kind"),
        "duration_ms": batch.column("duration_ms"),
        "recorded_at": batch.column("recorded_at").cast(pa.timestamp("us", "UTC")),
        "source": pc.coalesce(batch.column("source"), pa.scalar(job.source)),
    }
    for name, values in changed.items():
        columns[name] = _replaced(batch.column(name), values)
    table = pa.Table.from_arrays([columns[f.name] for f in SCHEMA], schema=SCHEMA)
    counts = batch.column("target").value_counts()
    tally = dict(
        zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True)
    )
    return BatchDone(write_segment(job.folder, table), batch.num_rows, tally)


class _Rows:
    """The values of a batch's flagged rows, column by column (taken at once)."""

    def __init__(self, batch: pa.RecordBatch, rows: list[int]) -> None:
        index = pa.array(rows, pa.int64())
        self.values: dict[str, dict[int, Any]] = {
            name: dict(zip(rows, batch.column(name).take(index).to_pylist(), strict=True))
            for name in ("target", "kind", "output", "tags", "redactions")
        }

    def __call__(self, name: str, row: int) -> Any:
        return self.values[name][row]


def _redact(
    redactor: Redactor,
    value: _Rows,
    row: int,
    input_text: str,
    found: list[bytes],
    changed: dict[str, dict[int, str]],
) -> str:
    """Redact one flagged row (new texts go to `changed`); its input hash."""
    tags = value("tags", row)
    if tags != "[]":
        new_tags = [redactor.text(t) for t in orjson.loads(tags)]
        if dumps(new_tags) != tags.encode():
            changed["tags"][row] = dumps(new_tags).decode()
    sample_input = load(input_text)
    output_text = value("output", row)
    output = None if output_text is None else load(output_text)
    keys = None
    if "\\" not in input_text and (output_text is None or "\\" not in output_text):
        keys = tuple(k.decode("utf-8", "replace") for k in found if k.startswith(b'"'))
    paths = redactor.walk(value("kind", row), sample_input, output, anchors_of(found), keys)
    if paths:
        changed["input"][row] = dumps(sample_input).decode()
        if output is not None:
            changed["output"][row] = dumps(output).decode()
        given = orjson.loads(value("redactions", row))
        changed["redactions"][row] = dumps([*given, *paths]).decode()
    return hashlib.sha256(canonical_bytes([value("target", row), sample_input])).hexdigest()


def _replaced(column: pa.Array, values: dict[int, str]) -> pa.Array:
    """A column with some rows' values replaced."""
    if not values:
        return column
    rows = sorted(values)
    mask = np.zeros(len(column), dtype=bool)
    mask[rows] = True
    new = pa.array([values[r] for r in rows], column.type)
    return pc.replace_with_mask(column, pa.array(mask), new)


def _ids(given: pa.Array, job: BatchJob) -> pa.Array:
    """The given ids, with fresh ones where a row has none."""
    missing = given.null_count
    if not missing:
        return given
    fresh = sample_ids(job.id_prefix, job.id_start, len(given))
    return pc.coalesce(given, fresh)
