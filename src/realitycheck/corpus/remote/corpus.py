"""Reading a remote corpus in place: DuckDB scans the live segments through fsspec.

DuckDB's own `httpfs` extension is not bundled in the duckdb wheel (it is downloaded on first
use, which an offline CI runner cannot do), so the store's fsspec filesystem is registered into
DuckDB (`register_filesystem`) and `read_parquet` reads the segments' footers and row groups
through it, with ranged GETs. A `file://` corpus is read by DuckDB directly.
"""

from __future__ import annotations

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

    def __init__(self, root: Path | str, *, create: bool = False) -> None:
        self.store = RemoteStore(root, create=create)
        self.url = self.store.url
        self.root = Path(root)
        self.segments_dir = self.root / "segments"
        self.blobs = RemoteBlobs(self.store, self.root / "blobs")  # type: ignore[assignment]
        self._sizes: dict[str, int] = {}

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

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with a view `samples` over every live remote segment."""
        con = duckdb.connect()
        loc = self.store.loc
        if loc.protocol != "file":
            con.register_filesystem(self.store.fs)
        keys = self.segment_keys()
        if not keys:
            con.execute(f"CREATE VIEW samples AS SELECT {_EMPTY_VIEW} WHERE false")
            return con
        urls = [loc.url_of(loc.key(k)) if loc.protocol != "file" else loc.key(k) for k in keys]
        listing = ", ".join("'" + u.replace("'", "''") + "'" for u in urls)
        self._check_versions(con, listing, urls, keys)
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
