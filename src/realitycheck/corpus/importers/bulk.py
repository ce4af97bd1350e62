"""JSONL imports in bulk: DuckDB parses and checks the lines, Python hashes and redacts.

DuckDB reads the file on all cores, checks every field's type and serializes `input` and
`output`. Batches of its rows then go to worker processes (`workers.py`, one per core), each of
which runs the redaction prefilter over whole columns, redacts the rows it flags, hashes every
input and writes the batch as one segment (`bulkbatch.py`). A file with a malformed line, or a
field of the wrong type, goes to the careful importer instead, which names the line.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from realitycheck.core.events import Events
from realitycheck.corpus.importers.base import ImportResult, expand, open_for_import, run_import
from realitycheck.corpus.importers.bulkbatch import (
    BatchDone,
    BatchJob,
    NeedsCarefulImport,
    make_segment,
)
from realitycheck.corpus.importers.jsonl import read_jsonl
from realitycheck.corpus.importers.workers import Workers, cpus
from realitycheck.corpus.ingest import no_gc
from realitycheck.corpus.redact import Redactor, build_redactor
from realitycheck.corpus.store import Corpus, Staging

__all__ = ["NeedsCarefulImport", "import_jsonl"]

BATCH_ROWS = 50_000  # rows per batch, and per segment
POOL_BYTES = 16 << 20  # smaller imports run in this process (starting workers costs more)
COLUMNS = (
    "{target: 'JSON', kind: 'JSON', input: 'JSON', output: 'JSON', duration_ms: 'JSON', "
    "recorded_at: 'JSON', id: 'JSON', source: 'JSON', tags: 'JSON', redactions: 'JSON'}"
)
_NUM = "('BIGINT', 'UBIGINT', 'DOUBLE')"
_STRINGS = (  # null, or an array of strings (json_structure is '["VARCHAR"]', or empty)
    "({c} IS NULL OR {c}_t = 'NULL' OR ({c}_t = 'ARRAY' AND "
    "(json_structure({c}) = '[\"VARCHAR\"]' OR json_array_length({c}) = 0)))"
)
# DuckDB's JSON text is compact: an object's text starts with `{`, and null is `null`. Testing
# that is much cheaper than json_type, which parses the whole input again; the small fields'
# types are found once each.
QUERY = f"""
WITH raw AS (SELECT * FROM read_json(?, format = 'newline_delimited', columns = {COLUMNS})),
typed AS (
    SELECT *,
        json_type(target) AS target_t, json_extract_string(target, '$') AS target_s,
        json_extract_string(kind, '$') AS kind_s,
        output::VARCHAR AS output_s,
        json_type(duration_ms) AS duration_t,
        json_type(recorded_at) AS recorded_t,
        json_type(id) AS id_t, json_type(source) AS source_t,
        json_type(tags) AS tags_t, json_type(redactions) AS redactions_t
    FROM raw
),
timed AS (
    SELECT *,
        CASE WHEN recorded_t = 'VARCHAR'
                 THEN TRY_CAST(json_extract_string(recorded_at, '$') AS TIMESTAMPTZ)
             WHEN recorded_t IN {_NUM}
                 THEN to_timestamp(CASE WHEN CAST(recorded_at AS DOUBLE) > 1e11
                                        THEN CAST(recorded_at AS DOUBLE) / 1000
                                        ELSE CAST(recorded_at AS DOUBLE) END)
        END AS recorded_v
    FROM typed
)
SELECT
    coalesce(?::VARCHAR, target_s) AS target,
    coalesce(kind_s, CASE WHEN target_s LIKE 'http:%' THEN 'http' ELSE 'function' END) AS kind,
    input::VARCHAR AS input,
    CASE WHEN output_s = 'null' THEN NULL ELSE output_s END AS output,
    CASE WHEN duration_t IN {_NUM} THEN CAST(duration_ms AS DOUBLE) END AS duration_ms,
    coalesce(recorded_v, ?::TIMESTAMPTZ) AS recorded_at,
    nullif(json_extract_string(id, '$'), '') AS id,
    nullif(json_extract_string(source, '$'), '') AS source,
    CASE WHEN tags_t = 'ARRAY' THEN tags::VARCHAR ELSE '[]' END AS tags,
    CASE WHEN redactions_t = 'ARRAY' THEN redactions::VARCHAR ELSE '[]' END AS redactions,
    coalesce(
        starts_with(input::VARCHAR, '{{')
        AND (target IS NULL OR (target_t = 'VARCHAR' AND target_s <> ''))
        AND (kind IS NULL OR kind_s IN ('http', 'function'))
        AND (output IS NULL OR output_s = 'null' OR starts_with(output_s, '{{'))
        AND (duration_ms IS NULL OR duration_t IN {_NUM} OR duration_t = 'NULL')
        AND (recorded_at IS NULL OR recorded_t = 'NULL' OR recorded_t IN {_NUM}
             OR (recorded_t = 'VARCHAR' AND recorded_v IS NOT NULL))
        AND (id IS NULL OR id_t IN ('VARCHAR', 'NULL'))
        AND (source IS NULL OR source_t IN ('VARCHAR', 'NULL'))
        AND {_STRINGS.format(c="tags")}
        AND {_STRINGS.format(c="redactions")},
        false) AS ok
FROM timed
"""


class _Ids:
    """Counters for the ids of rows that have none, handed out a batch at a time."""

    def __init__(self) -> None:
        self.prefix = f"s_{time.time_ns() // 1000:013x}"
        self.next = int.from_bytes(os.urandom(4), "big") & 0xFFFFFFF

    def take(self, n: int) -> tuple[str, int]:
        """The prefix and the first counter of `n` fresh ids."""
        start, self.next = self.next, self.next + n
        return self.prefix, start


def _bulk(
    staging: Staging,
    files: list[Path],
    target: str | None,
    redactor: Redactor,
    events: Events,
    result: ImportResult,
    workers: int,
) -> None:
    ids = _Ids()
    now = datetime.now(timezone.utc)
    folder = staging.folder()
    pool = Workers(workers, redactor) if workers > 1 else None
    try:
        with events.task("importing jsonl") as task, no_gc():

            def done(batch: BatchDone) -> None:
                staging.adopt(batch.segment)
                result.entries += batch.rows
                result.imported += batch.rows
                for name, n in batch.targets.items():
                    result.targets[name] = result.targets.get(name, 0) + n
                task.advance(batch.rows)

            for path in files:
                con = duckdb.connect(config={"memory_limit": "1GB"})
                try:
                    params = [str(path), target, now]
                    reader = con.sql(QUERY, params=params).to_arrow_reader(BATCH_ROWS)
                    source = f"import:jsonl:{path.name}"
                    for batch in _ahead(reader):
                        prefix, start = ids.take(batch.num_rows)
                        job = BatchJob(folder, source, prefix, start)
                        if pool is None:
                            done(make_segment(batch, job, redactor))
                        else:
                            for finished in pool.submit(batch, job):
                                done(finished)
                except duckdb.Error as exc:
                    raise NeedsCarefulImport from exc
                finally:
                    con.close()
            if pool is not None:
                for finished in pool.drain():
                    done(finished)
    finally:
        if pool is not None:
            pool.close()


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
    workers: int | None = None,
) -> ImportResult:
    """Import JSONL files: in bulk when every line is well-formed, else line by line.

    `workers` is how many processes hash and redact (default: one per core for large files,
    none for small ones).
    """
    events = events or Events()
    files = expand(paths, (".jsonl", ".ndjson"))
    store = open_for_import(corpus)
    redactor = redactor or build_redactor(store.root, key_file=key_file)
    if not dedup and not redactor.always_walk:
        staging = store.stage()
        result = ImportResult(format="jsonl", files=len(files))
        try:
            if workers is None:
                size = sum(p.stat().st_size for p in files)
                workers = cpus() if size >= POOL_BYTES else 1
            _bulk(staging, files, target, redactor, events, result, workers)
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
