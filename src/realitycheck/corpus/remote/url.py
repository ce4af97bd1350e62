"""Corpus URLs: which strings name a remote corpus, and the fsspec filesystem behind one.

`s3://bucket/prefix`, `gs://bucket/prefix`, `az://container/prefix`, `file:///abs/dir` and any
other protocol fsspec knows. Credentials and endpoints are never part of realitycheck's files:
each filesystem reads its store's usual environment and profiles (for S3, botocore reads
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, AWS_PROFILE). A URL that carries
credentials (`s3://key:secret@bucket`) is refused, so none can end up in a report or a log.

`pathlib.Path` collapses `s3://b/p` to `s3:/b/p`; `location_url` accepts both spellings, so a
URL can travel through code that keeps the corpus location as a `Path`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realitycheck.core.errors import CorpusError

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://(.*)$")
_COLLAPSED = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):/([^/].*)?$")
# Stores whose first path component is a bucket (or container) that must be named.
BUCKETED = {"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl"}
# Which package brings each protocol (for the hint when it is missing).
PACKAGES = {"s3": "s3fs", "s3a": "s3fs", "gs": "gcsfs", "gcs": "gcsfs", "az": "adlfs"}
_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{1,252}$")


class RemoteError(CorpusError):
    """A remote corpus cannot be reached, read or written."""


def location_url(location: str | Path) -> str | None:
    """The URL a corpus location names, or None for a local folder."""
    text = str(location)
    if len(text) > 1 and text[1] == ":" and text[0].isalpha():  # C:\ on Windows
        return None
    if _SCHEME.match(text):
        return text.rstrip("/") if not text.endswith(":///") else text
    collapsed = _COLLAPSED.match(text)
    if collapsed and isinstance(location, Path):
        scheme, rest = collapsed.group(1), collapsed.group(2) or ""
        return f"{scheme}:///{rest}" if scheme == "file" else f"{scheme}://{rest}"
    return None


def is_remote(location: str | Path) -> bool:
    """Whether a corpus location is a URL (anything but a plain local folder)."""
    return location_url(location) is not None


@dataclass(frozen=True)
class RemoteLocation:
    """A parsed corpus URL: the protocol, and the store path fsspec addresses (no scheme)."""

    url: str
    protocol: str
    path: str

    def key(self, *parts: str) -> str:
        """The store path of a key under the corpus root."""
        return "/".join([self.path.rstrip("/"), *parts])

    def url_of(self, key: str) -> str:
        """The full URL of a store path (for DuckDB, which reads through the filesystem)."""
        return f"{self.protocol}://{key}"


def parse(location: str | Path) -> RemoteLocation:
    """Check a corpus URL; a malformed one raises RemoteError naming it."""
    url = location_url(location)
    if url is None:
        raise RemoteError("not a URL", path=str(location))
    match = _SCHEME.match(url)
    if match is None:  # e.g. `s3://` alone, which loses its slashes when trimmed
        raise RemoteError("a URL with nothing after the scheme", path=str(location))
    protocol, rest = match.group(1).lower(), match.group(2)
    if protocol == "file":
        if not rest.startswith("/"):
            raise RemoteError("a file:// URL needs an absolute path (file:///dir)", path=url)
        return RemoteLocation(url, protocol, rest.rstrip("/") or "/")
    bucket, _, prefix = rest.partition("/")
    if "@" in bucket or ":" in bucket:
        raise RemoteError(
            "credentials do not belong in the URL",
            path=f"{protocol}://…",
            hint="use the store's environment or profile (for S3: AWS_PROFILE or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)",
        )
    if protocol in BUCKETED and not _BUCKET.match(bucket):
        raise RemoteError("no bucket named (write s3://bucket/prefix)", path=url)
    if "//" in prefix or any(part in (".", "..") for part in prefix.split("/")):
        raise RemoteError("empty, '.' or '..' parts in the path", path=url)
    return RemoteLocation(url, protocol, rest.rstrip("/"))


def filesystem(loc: RemoteLocation, options: dict[str, Any] | None = None) -> Any:
    """A fresh fsspec filesystem for the location (no listing cache: segments come and go)."""
    try:
        import fsspec
    except ImportError:  # pragma: no cover - fsspec is a dependency
        raise RemoteError("remote corpora need fsspec", path=loc.url) from None
    kwargs: dict[str, Any] = {"skip_instance_cache": True, **(options or {})}
    if loc.protocol in ("s3", "s3a"):
        kwargs.setdefault("use_listings_cache", False)
    try:
        return fsspec.filesystem(loc.protocol, **kwargs)
    except (ImportError, ValueError) as exc:
        package = PACKAGES.get(loc.protocol)
        hint = f"pip install {package}" if package else "see fsspec's list of protocols"
        raise RemoteError(
            f"cannot open a {loc.protocol}:// store: {exc}", path=loc.url, hint=hint
        ) from None
