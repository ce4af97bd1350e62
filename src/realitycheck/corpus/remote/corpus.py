"""Reading a remote corpus: the live segments, fetched concurrently, scanned by DuckDB.

DuckDB's own `httpfs` extension is not bundled in the duckdb wheel (it is downloaded on first
use, which an offline CI runner cannot do). Registering the store's fsspec filesystem into
DuckDB (`register_filesystem`, kept as `direct=True`) works, but DuckDB then opens segment
after segment through Python, about one round trip per footer and row group: 60 ms a segment
on a loopback S3. Segments never change once written, so by default they are fetched whole,
concurrently (fsspec's batched `get`), into a read-through cache keyed by segment name (a
temporary folder, or `cache=` a lasting one), checked, and scanned there: about ten times
faster on many small segments, and the same bytes a check reads anyway (it reads every column).
A `file://` corpus is read by DuckDB in place.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from realitycheck.corpus.model import BLOB_KEY, SEGMENT_FORMAT_VERSION, Sample
from realitycheck.corpus.remote.store import VERSION_KEY, RemoteStore
from realitycheck.corpus.remote.url import RemoteError
from realitycheck.corpus.store import _EMPTY_VIEW, Corpus


class RemoteBlobs:
    """Blobs of a remote corpus, read on demand."""

    def __init__(self, store: RemoteStore, root: Path) -> None:
        self.store = store
        self.root = root  # a local path that does not exist: no blobs are counted on disk

    def get(self, ref: dict[str, Any] | str) -> bytes:
        """The bytes a reference points to."""
        key = ref[BLOB_KEY] if isinstance(ref, dict) else ref
        algo, _, digest = str(key).partition(":")
        if algo != "sha256" or len(digest) != 64:
            raise RemoteError(f"not a blob reference: {key!r}", path=self.store.url)
        return self.store.cat(self.store.blob_key(digest))

    def put(self, data: bytes, media_type: str = "application/octet-stream") -> dict[str, Any]:
        """Remote corpora are written by shipping or pushing local segments."""
        raise RemoteError(_READ_ONLY, path=self.store.url)


_READ_ONLY = "a remote corpus is written by capture's shipper, `corpus push` or `corpus import`"


class RemoteCorpus(Corpus):
    """A corpus at a URL, read in place."""

    def __init__(
        self,
        root: Path | str,
        *,
        create: bool = False,
        cache: Path | None = None,
        direct: bool = False,
    ) -> None:
        self.store = RemoteStore(root, create=create)
        self.cache = cache
        self.direct = direct or self.store.loc.protocol == "file"

        self.url = self.store.url
        self.root = Path(root)
        self.segments_dir = self.root / "segments"
        self.blobs = RemoteBlobs(self.store, self.root / "blobs")  # type: ignore[assignment]
        self._sizes: dict[str, int] = {}
        self.problems: list[str] = []  # a bad remote segment fails in one line instead

    def __str__(self) -> str:
        return self.url

    def write(self, samples: Iterable[Sample]) -> Path | None:
        raise RemoteError(_READ_ONLY, path=self.url)

    def write_table(self, table: pa.Table) -> Path:
        raise RemoteError(_READ_ONLY, path=self.url)

    def segment_paths(self) -> list[Path]:
        """Remote segments have no local paths (see `segment_urls`)."""
        return []

    def segment_keys(self) -> list[str]:
        """The live segments, relative to the corpus root, oldest first."""
        resolution, listing = self.store.resolve()
        self._sizes = {k: int(v.get("size", 0)) for k, v in listing.items()}
        return resolution.live

    def segment_sizes(self) -> list[int]:
        """Bytes of each live segment."""
        keys = self.segment_keys()
        missing = [k for k in keys if k not in self._sizes]
        for key in missing:
            info = self.store.call(f"look at {key}", self.store.fs.info, self.store.loc.key(key))
            self._sizes[key] = int(info.get("size", 0))
        return [self._sizes[k] for k in keys]

    def cached_segments(self) -> dict[str, Path]:
        """The live segments as local files: fetched once each, evicted once not live."""
        if self.cache is None:
            self.cache = Path(tempfile.mkdtemp(prefix="realitycheck-remote-"))
            weakref.finalize(self, shutil.rmtree, self.cache, ignore_errors=True)
        self.cache.mkdir(parents=True, exist_ok=True)
        keys = self.segment_keys()
        paths = {k: self.cache / k.rsplit("/", 1)[-1] for k in keys}
        self.store.fetch([k for k, p in paths.items() if not p.exists()], self.cache)
        live = set(paths.values())
        for path in self.cache.glob("seg-*.parquet"):
            if path not in live:
                path.unlink(missing_ok=True)
        return paths

    def scan(self) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
        """A connection, and the path DuckDB reads each live segment at, to its key."""
        con = duckdb.connect()
        if not self.direct:
            return con, {str(p): k for k, p in self.cached_segments().items()}
        if self.store.loc.protocol != "file":
            con.register_filesystem(self.store.fs)
        return con, {self.direct_url(k): k for k in self.segment_keys()}

    def direct_url(self, key: str) -> str:
        """Where DuckDB reads a segment in place (through the registered filesystem)."""
        loc = self.store.loc
        return loc.key(key) if loc.protocol == "file" else loc.url_of(loc.key(key))

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with a view `samples` over every live remote segment."""
        con, files = self.scan()
        if not files:
            con.execute(f"CREATE VIEW samples AS SELECT {_EMPTY_VIEW} WHERE false")
            return con
        listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        if self.direct:  # fetched segments were checked as they arrived
            self._check_versions(con, listing, list(files), list(files.values()))
        con.execute(
            f"CREATE VIEW samples AS SELECT * FROM read_parquet([{listing}], union_by_name = true)"
        )
        return con

    def _check_versions(
        self, con: duckdb.DuckDBPyConnection, listing: str, urls: list[str], keys: list[str]
    ) -> None:
        """Every listed segment is Parquet of a format version this realitycheck reads."""
        key = VERSION_KEY.decode()
        try:
            rows = con.execute(
                f"SELECT file_name, decode(value) FROM parquet_kv_metadata([{listing}]) "
                f"WHERE decode(key) = '{key}'"
            ).fetchall()
        except duckdb.Error:
            for url, name in zip(urls, keys, strict=True):
                try:
                    con.execute("SELECT count(*) FROM parquet_kv_metadata(?)", [url]).fetchall()
                except duckdb.Error as exc:
                    text = str(exc).lower()
                    what = (
                        "missing (compacted or pruned meanwhile? run again)"
                        if ("no such file" in text or "not found" in text or "no files" in text)
                        else "not a Parquet segment"
                    )
                    raise RemoteError(what, path=f"{self.url}/{name}") from None
            raise RemoteError("cannot read the segments' metadata", path=self.url) from None
        versions = {str(f): v for f, v in rows}
        for url, name in zip(urls, keys, strict=True):
            value = versions.get(url)
            if (
                value is None
                or not value.isdigit()
                or not 1 <= int(value) <= SEGMENT_FORMAT_VERSION
            ):
                raise RemoteError(
                    f"unknown segment format version {value!r} (this realitycheck reads "
                    f"1..{SEGMENT_FORMAT_VERSION})",
                    path=f"{self.url}/{name}",
                )
