"""JSONL imports in bulk: DuckDB parses and checks the lines, Python hashes and redacts.

DuckDB reads the file on all cores, checks every field's type, serializes `input` and `output`,
and runs the redaction prefilter (the same RE2 pattern) over each line's JSON. Python then only
computes each input hash and redacts the lines the prefilter flagged. A file with a malformed
line, or a field of the wrong type, goes to the careful importer instead, which names the line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import queue
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from realitycheck.core.events import Events
from realitycheck.corpus.importers.base import ImportResult, expand, open_for_import, run_import
from realitycheck.corpus.importers.jsonl import read_jsonl
from realitycheck.corpus.ingest import SampleIds, dumps, no_gc
from realitycheck.corpus.model import canonical_bytes
from realitycheck.corpus.redact import Redactor, build_redactor
from realitycheck.corpus.store import SCHEMA, Corpus, Staging

BATCH_ROWS = 100_000
COLUMNS = (
    "{target: 'JSON', kind: 'JSON', input: 'JSON', output: 'JSON', duration_ms: 'JSON', "
    "recorded_at: 'JSON', id: 'JSON', source: 'JSON', tags: 'JSON', redactions: 'JSON'}"
)
_NUM = "('BIGINT', 'UBIGINT', 'DOUBLE')"
_STRINGS = (  # null, or an array of strings (json_structure is '["VARCHAR"]', or empty)
    "({c} IS NULL OR json_type({c}) = 'NULL' OR (json_type({c}) = 'ARRAY' AND "
    "(json_structure({c}) = '[\"VARCHAR\"]' OR json_array_length({c}) = 0)))"
)
QUERY = f"""
WITH raw AS (SELECT * FROM read_json(?, format = 'newline_delimited', columns = {COLUMNS}))
SELECT
    json_extract_string(target, '$') AS target,
    coalesce(json_extract_string(kind, '$'),
             CASE WHEN json_extract_string(target, '$') LIKE 'http:%' THEN 'http'
                  ELSE 'function' END) AS kind,
    input::VARCHAR AS input,
    CASE WHEN output IS NULL OR json_type(output) = 'NULL' THEN NULL
         ELSE output::VARCHAR END AS output,
    CASE WHEN json_type(duration_ms) IN {_NUM} THEN CAST(duration_ms AS DOUBLE) END
        AS duration_ms,
    CASE WHEN json_type(recorded_at) = 'VARCHAR'
             THEN TRY_CAST(json_extract_string(recorded_at, '$') AS TIMESTAMPTZ)
         WHEN json_type(recorded_at) IN {_NUM}
             THEN to_timestamp(CASE WHEN CAST(recorded_at AS DOUBLE) > 1e11
                                    THEN CAST(recorded_at AS DOUBLE) / 1000
                                    ELSE CAST(recorded_at AS DOUBLE) END)
    END AS recorded_at,
    json_extract_string(id, '$') AS id,
    json_extract_string(source, '$') AS source,
    CASE WHEN json_type(tags) = 'ARRAY' THEN tags::VARCHAR ELSE '[]' END AS tags,
    CASE WHEN json_type(redactions) = 'ARRAY' THEN redactions::VARCHAR ELSE '[]' END
        AS redactions,
    regexp_matches(input::VARCHAR || chr(10) || coalesce(output::VARCHAR, '') || chr(10)
                   || coalesce(tags::VARCHAR, ''), ?) AS flagged,
    (json_type(input) = 'OBJECT'
     AND (target IS NULL OR (json_type(target) = 'VARCHAR'
                             AND json_extract_string(target, '$') <> ''))
     AND (kind IS NULL OR json_extract_string(kind, '$') IN ('http', 'function'))
     AND (output IS NULL OR json_type(output) IN ('OBJECT', 'NULL'))
     AND (duration_ms IS NULL OR json_type(duration_ms) IN {_NUM}
          OR json_type(duration_ms) = 'NULL')
     AND (recorded_at IS NULL OR json_type(recorded_at) = 'NULL'
          OR (json_type(recorded_at) = 'VARCHAR'
              AND TRY_CAST(json_extract_string(recorded_at, '$') AS TIMESTAMPTZ) IS NOT NULL)
          OR json_type(recorded_at) IN {_NUM})
     AND (id IS NULL OR json_type(id) IN ('VARCHAR', 'NULL'))
     AND (source IS NULL OR json_type(source) IN ('VARCHAR', 'NULL'))
     AND {_STRINGS.format(c="tags")}
     AND {_STRINGS.format(c="redactions")}) AS ok
FROM raw
"""


class NeedsCarefulImport(Exception):
    """The file has lines the bulk path does not judge; the careful importer will."""


def _loads(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # integers beyond 64 bits, numbers beyond doubles
        return json.loads(text)


def _hash(target: str, text: str) -> str:
    return hashlib.sha256(canonical_bytes([target, _loads(text)])).hexdigest()


def _redact(
    redactor: Redactor, kind: str, input_text: str, output_text: str | None, tags: str
) -> tuple[str, str | None, str, list[str]]:
    """Redact one flagged row; its new texts and the redacted paths."""
    sample_input = _loads(input_text)
    output = None if output_text is None else _loads(output_text)
    texts = [input_text.encode()] + ([] if output_text is None else [output_text.encode()])
    paths = redactor.sample(kind, sample_input, output, texts)
    new_tags = [redactor.text(t) for t in orjson.loads(tags)]
    new_output = None if output is None else dumps(output).decode()
    return dumps(sample_input).decode(), new_output, dumps(new_tags).decode(), paths


def _table(
    batch: pa.RecordBatch,
    target: str | None,
    redactor: Redactor,
    ids: SampleIds,
    source: str,
    now: datetime,
) -> pa.Table:
    """One batch of DuckDB's rows as a segment table (hashed, redacted, completed)."""
    if not all(batch.column("ok").to_pylist()):
        raise NeedsCarefulImport
    targets = batch.column("target").to_pylist()
    if target is not None:
        targets = [target] * batch.num_rows
    elif any(t is None for t in targets):
        raise NeedsCarefulImport
    kinds = batch.column("kind").to_pylist()
    inputs = batch.column("input").to_pylist()
    outputs = batch.column("output").to_pylist()
    tags = batch.column("tags").to_pylist()
    given = batch.column("redactions").to_pylist()
    redactions = list(given)
    for i, flagged in enumerate(batch.column("flagged").to_pylist()):
        if flagged:
            inputs[i], outputs[i], tags[i], paths = _redact(
                redactor, kinds[i], inputs[i], outputs[i], tags[i]
            )
            if paths:
                redactions[i] = dumps([*orjson.loads(given[i]), *paths]).decode()
    hashes = [_hash(t, text) for t, text in zip(targets, inputs, strict=True)]
    given_ids = batch.column("id").to_pylist()
    fresh = iter(ids.many(sum(1 for i in given_ids if not i)))
    sample_ids = [i or next(fresh) for i in given_ids]
    sources = [s or source for s in batch.column("source").to_pylist()]
    recorded = batch.column("recorded_at").fill_null(pa.scalar(now, pa.timestamp("us", "UTC")))
    columns = {
        "id": sample_ids,
        "input_hash": hashes,
        "target": targets,
        "kind": kinds,
        "input": inputs,
        "output": outputs,
        "duration_ms": batch.column("duration_ms"),
        "recorded_at": recorded.cast(pa.timestamp("us", "UTC")),
        "source": sources,
        "tags": tags,
        "redactions": redactions,
    }
    arrays = [
        v if isinstance(v, pa.Array) else pa.array(v, type=f.type)
        for f, v in ((f, columns[f.name]) for f in SCHEMA)
    ]
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def _bulk(
    staging: Staging,
    files: list[Path],
    target: str | None,
    redactor: Redactor,
    events: Events,
    result: ImportResult,
) -> None:
    pattern = redactor.scanner.prefilter.pattern.decode() if redactor.scanner.prefilter else "$^"
    ids = SampleIds()
    now = datetime.now(timezone.utc)
    with events.task("importing jsonl") as task, no_gc():
        for path in files:
            con = duckdb.connect(config={"memory_limit": "1GB"})
            try:
                reader = con.sql(QUERY, params=[str(path), pattern]).to_arrow_reader(BATCH_ROWS)
                source = f"import:jsonl:{path.name}"
                for batch in _ahead(reader):
                    table = _table(batch, target, redactor, ids, source, now)
                    staging.write_table(table)
                    result.entries += table.num_rows
                    result.imported += table.num_rows
                    for name, n in zip(*_count(table.column("target")), strict=True):
                        result.targets[name] = result.targets.get(name, 0) + n
                    task.advance(table.num_rows)
            except duckdb.Error as exc:
                raise NeedsCarefulImport from exc
            finally:
                con.close()


def _ahead(reader: Any, depth: int = 2) -> Iterator[pa.RecordBatch]:
    """Batches from DuckDB, read in a thread so DuckDB works while Python hashes and redacts."""
    ready: queue.Queue[Any] = queue.Queue(depth)
    done = object()
    stop = threading.Event()

    def pull() -> None:
        try:
            for batch in reader:
                if stop.is_set():
                    return
                ready.put(batch)
            ready.put(done)
        except Exception as exc:  # a malformed line: the careful path names it
            ready.put(NeedsCarefulImport(str(exc)))

    thread = threading.Thread(target=pull, name="realitycheck-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is done:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let the reader see `stop` before its connection closes
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.05)
        thread.join()


def _count(column: Any) -> tuple[list[str], list[int]]:
    counts = column.value_counts()
    return counts.field("values").to_pylist(), counts.field("counts").to_pylist()


def import_jsonl(
    corpus: Corpus | Path,
    paths: Sequence[Path],
    *,
    target: str | None = None,
    redactor: Redactor | None = None,
    key_file: Path | None = None,
    dedup: bool = False,
    strict: bool = False,
    events: Events | None = None,
) -> ImportResult:
    """Import JSONL files: in bulk when every line is well-formed, else line by line."""
    events = events or Events()
    files = expand(paths, (".jsonl", ".ndjson"))
    store = open_for_import(corpus)
    redactor = redactor or build_redactor(store.root, key_file=key_file)
    if not dedup and not redactor.always_walk:
        staging = store.stage()
        result = ImportResult(format="jsonl", files=len(files))
        try:
            _bulk(staging, files, target, redactor, events, result)
        except NeedsCarefulImport:
            staging.discard()  # a malformed line somewhere: the careful path names it
        except BaseException:
            staging.discard()
            raise
        else:
            result.segments = staging.publish()
            return result
    return run_import(
        store,
        "jsonl",
        read_jsonl,
        files,
        target=target,
        redactor=redactor,
        dedup=dedup,
        strict=strict,
        events=events,
    )
