"""The corpus on disk: append-only Parquet segments queried with DuckDB, and a blob store.

Layout of a corpus directory:

    corpus.json                      {"format_version": 1}
    segments/seg-<time>-<rand>.parquet   one batch of samples each, written atomically
    blobs/sha256/<2 hex>/<62 hex>    content-addressed bytes
    quarantine/<segment>[.why]       bad segments moved aside, and why (segments.py)

A segment is written under a temporary name, fsynced and renamed, so a reader (or a crash) never
sees half of one. Opening a corpus runs no code: there is no pickle anywhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from realitycheck.core.errors import CorpusError
from realitycheck.corpus.model import BLOB_KEY, SEGMENT_FORMAT_VERSION, Sample
from realitycheck.corpus.segments import sound_segments

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("input_hash", pa.string()),
        ("target", pa.string()),
        ("kind", pa.string()),
        ("input", pa.string()),
        ("output", pa.string()),
        ("duration_ms", pa.float64()),
        ("recorded_at", pa.timestamp("us", tz="UTC")),
        ("source", pa.string()),
        ("tags", pa.string()),
        ("redactions", pa.string()),
    ],
    metadata={b"realitycheck.format_version": str(SEGMENT_FORMAT_VERSION).encode()},
)

_EMPTY_VIEW = ", ".join(
    f"NULL::{'DOUBLE' if f.name == 'duration_ms' else 'TIMESTAMPTZ' if f.name == 'recorded_at' else 'VARCHAR'} AS {f.name}"  # noqa: E501
    for f in SCHEMA
)


def fsync_dir(path: Path) -> None:
    """Flush a directory entry (after a rename) where the platform allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def samples_to_table(samples: Iterable[Sample]) -> pa.Table:
    """Samples as an Arrow table in the segment schema."""
    cols: dict[str, list[Any]] = {f.name: [] for f in SCHEMA}
    for s in samples:
        cols["id"].append(s.id)
        cols["input_hash"].append(s.input_hash)
        cols["target"].append(s.target)
        cols["kind"].append(s.kind)
        cols["input"].append(json.dumps(s.input, ensure_ascii=False, default=str))
        cols["output"].append(
            None if s.output is None else json.dumps(s.output, ensure_ascii=False, default=str)
        )
        cols["duration_ms"].append(s.duration_ms)
        at = s.recorded_at if s.recorded_at.tzinfo else s.recorded_at.replace(tzinfo=timezone.utc)
        cols["recorded_at"].append(at)
        cols["source"].append(s.source)
        cols["tags"].append(json.dumps(s.tags))
        cols["redactions"].append(json.dumps(s.redactions))
    return pa.table(cols, schema=SCHEMA)


def row_to_sample(row: dict[str, Any]) -> Sample:
    """A segment row (as DuckDB or Arrow returns it) as a Sample."""
    return Sample(
        id=row["id"],
        input_hash=row["input_hash"],
        target=row["target"],
        kind=row["kind"],
        input=json.loads(row["input"]),
        output=json.loads(row["output"]) if row["output"] is not None else None,
        duration_ms=row["duration_ms"],
        recorded_at=row["recorded_at"],
        source=row["source"] or "",
        tags=json.loads(row["tags"] or "[]"),
        redactions=json.loads(row["redactions"] or "[]"),
    )


class BlobStore:
    """Content-addressed bytes under `blobs/sha256/`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        """Where the blob with this sha256 hex digest lives."""
        return self.root / "sha256" / digest[:2] / digest[2:]

    def put(self, data: bytes, media_type: str = "application/octet-stream") -> dict[str, Any]:
        """Store bytes (once) and return the JSON reference to them."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                Path(tmp).replace(target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return {BLOB_KEY: f"sha256:{digest}", "size": len(data), "media_type": media_type}

    def get(self, ref: dict[str, Any] | str) -> bytes:
        """The bytes a reference points to."""
        key = ref[BLOB_KEY] if isinstance(ref, dict) else ref
        algo, _, digest = str(key).partition(":")
        if algo != "sha256" or len(digest) != 64:
            raise CorpusError(f"not a blob reference: {key!r}")
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            raise CorpusError(f"blob {key} is missing", path=self.root) from None


class Corpus:
    """A corpus directory: write segments, read samples, query with DuckDB."""

    def __new__(cls, root: Path | str, **options: Any) -> Corpus:
        """A URL (s3://bucket/prefix, file:///dir, …) opens a remote corpus (corpus/remote/)."""
        if cls is Corpus:
            from realitycheck.corpus.remote.url import is_remote

            if is_remote(root):
                from realitycheck.corpus.remote.corpus import RemoteCorpus

                return super().__new__(RemoteCorpus)
        return super().__new__(cls)

    def __init__(self, root: Path, *, create: bool = False) -> None:
        self.root = Path(root)
        self.segments_dir = self.root / "segments"
        self.blobs = BlobStore(self.root / "blobs")
        self.problems: list[str] = []  # bad segments found (and quarantined), one line each
        meta = self.root / "corpus.json"
        if create:
            self.segments_dir.mkdir(parents=True, exist_ok=True)
            if not meta.exists():
                fd, tmp = tempfile.mkstemp(prefix=".corpus-", dir=self.root)
                with os.fdopen(fd, "w") as fh:
                    json.dump({"format_version": SEGMENT_FORMAT_VERSION}, fh)
                Path(tmp).replace(meta)
        elif not self.root.is_dir():
            raise CorpusError(
                "no corpus here",
                path=self.root,
                hint="record or import samples first, or pass --corpus DIR",
            )
        if meta.exists():
            try:
                version = json.loads(meta.read_text())["format_version"]
            except (OSError, ValueError, KeyError, TypeError):
                raise CorpusError("unreadable corpus.json", path=meta) from None
            if version > SEGMENT_FORMAT_VERSION:
                raise CorpusError(
                    f"corpus format {version} is newer than this realitycheck "
                    f"understands ({SEGMENT_FORMAT_VERSION})",
                    path=meta,
                )

    # -- writing ---------------------------------------------------------------------------

    def write(self, samples: Iterable[Sample]) -> Path | None:
        """Write samples as one new segment, atomically; None when there were none."""
        table = samples_to_table(samples)
        if table.num_rows == 0:
            return None
        return self.write_table(table)

    def write_table(self, table: pa.Table) -> Path:
        """Write an Arrow table in the segment schema as one new segment, atomically."""
        self.segments_dir.mkdir(parents=True, exist_ok=True)
        return write_segment(self.segments_dir, table)

    def stage(self) -> Staging:
        """A staging area: segments written there appear in the corpus only when published."""
        return Staging(self)

    # -- reading ---------------------------------------------------------------------------

    def segment_paths(self) -> list[Path]:
        """Complete, sound segments, oldest first (temporary files of unfinished writes are
        ignored; a bad segment is quarantined and named in `problems`, see segments.py)."""
        if not self.segments_dir.is_dir():
            return []
        if (self.root / "commits").is_dir():  # compacted or pruned (corpus/remote/layout.py)
            from realitycheck.corpus.remote.layout import local_live

            paths = local_live(self.root)
        else:
            paths = sorted(self.segments_dir.glob("seg-*.parquet"))
        return sound_segments(self.root, paths, self.problems)

    def segment_sizes(self) -> list[int]:
        """Bytes of each segment."""
        return [p.stat().st_size for p in self.segment_paths()]

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with a view `samples` over every segment."""
        con = duckdb.connect()
        paths = self.segment_paths()
        if paths:
            listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
            con.execute(
                f"CREATE VIEW samples AS SELECT * FROM read_parquet([{listing}], "
                "union_by_name = true)"
            )
        else:
            con.execute(f"CREATE VIEW samples AS SELECT {_EMPTY_VIEW} WHERE false")
        return con

    def iter_samples(
        self, target: str | None = None, *, batch_size: int = 2048, where: str | None = None
    ) -> Iterator[Sample]:
        """Every sample (of one target), in recording order, read in batches."""
        con = self.connect()
        sql = "SELECT * FROM samples"
        clauses, params = [], []
        if target is not None:
            clauses.append("target = ?")
            params.append(target)
        if where:
            clauses.append(f"({where})")
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY recorded_at, id"
        cur = con.execute(sql, params)
        names = [d[0] for d in cur.description]
        while rows := cur.fetchmany(batch_size):
            for row in rows:
                yield row_to_sample(dict(zip(names, row, strict=True)))

    def get(self, sample_id: str) -> Sample:
        """One sample by id."""
        for sample in self.iter_samples(where=f"id = '{sample_id.replace(chr(39), '')}'"):
            return sample
        raise CorpusError(f"no sample with id {sample_id!r}", path=self.root)

    def targets(self) -> dict[str, int]:
        """Sample counts per target."""
        rows = (
            self.connect()
            .execute("SELECT target, count(*) FROM samples GROUP BY target ORDER BY target")
            .fetchall()
        )
        return {str(t): int(n) for t, n in rows}

    def count(self, target: str | None = None) -> int:
        """How many samples (of one target) the corpus holds."""
        con = self.connect()
        if target is None:
            row = con.execute("SELECT count(*) FROM samples").fetchone()
        else:
            row = con.execute("SELECT count(*) FROM samples WHERE target = ?", [target]).fetchone()
        return int(row[0]) if row else 0


class Staging:
    """Segments written aside (invisible to readers) and published together, or discarded."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.dir = corpus.segments_dir / f".staging-{os.getpid()}-{os.urandom(4).hex()}"
        self.paths: list[Path] = []

    def write_table(self, table: pa.Table) -> Path:
        """Write one segment into the staging folder, atomically."""
        path = write_segment(self.folder(), table)
        self.paths.append(path)
        return path

    def folder(self) -> Path:
        """The staging folder (created), for segments other processes write into it."""
        self.dir.mkdir(parents=True, exist_ok=True)
        return self.dir

    def adopt(self, path: Path) -> None:
        """Count a segment another process wrote into the staging folder as staged."""
        self.paths.append(path)

    def publish(self) -> list[Path]:
        """Move every staged segment into the corpus; each appears whole or not at all."""
        published = []
        for path in self.paths:
            final = self.corpus.segments_dir / path.name
            path.replace(final)
            published.append(final)
        fsync_dir(self.corpus.segments_dir)
        self.paths = []
        self.discard()
        return published

    def discard(self) -> None:
        """Remove whatever is still staged."""
        for path in self.paths:
            path.unlink(missing_ok=True)
        self.paths = []
        if self.dir.is_dir():
            for leftover in self.dir.iterdir():
                leftover.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.dir.rmdir()


# DuckDB splits a scan across threads by row group: a large segment written as one row group
# would be read by one core.
ROW_GROUP_ROWS = 32_768
# Dictionary encoding pays only for columns of few distinct values; min/max statistics only for
# columns a query filters on. The JSON text columns get neither (both cost time when writing,
# and save nothing when reading). zstd's fastest regular level compresses the JSON text about
# 8:1, within a few percent of its default level, in three quarters of the time.
DICTIONARY_COLUMNS = ["target", "kind", "source", "tags", "redactions"]
STATISTICS_COLUMNS = ["id", "target", "kind", "duration_ms", "recorded_at", "source"]
ZSTD_LEVEL = 1


def write_segment(folder: Path, table: pa.Table) -> Path:
    """Write a table as a new segment file in `folder`: temporary name, fsync, rename."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    final = folder / f"seg-{stamp}-{os.urandom(4).hex()}.parquet"
    fd, tmp = tempfile.mkstemp(prefix=".tmp-seg-", suffix=".parquet", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            pq.write_table(
                table.cast(SCHEMA),
                fh,
                compression="zstd",
                compression_level=ZSTD_LEVEL,
                use_dictionary=DICTIONARY_COLUMNS,
                write_statistics=STATISTICS_COLUMNS,
                row_group_size=ROW_GROUP_ROWS,
            )
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(folder)
    return final


def open_corpus(root: Path) -> Corpus:
    """Open an existing corpus for reading."""
    return Corpus(root)


def is_remote(location: Path | str) -> bool:
    """Whether a corpus location is a URL (s3://, file://, …: corpus/remote/)."""
    from realitycheck.corpus.remote.url import is_remote as url

    return url(location)
