"""A remote corpus through fsspec: list, upload, download, delete, each error one line.

Every write is one whole object: S3, GCS and Azure make a PUT visible whole or not at all; on a
`file://` store an upload goes to a temporary name and is renamed. Nothing here reads the
environment: the filesystem (s3fs/botocore, gcsfs, adlfs) finds its own credentials.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import pyarrow.parquet as pq

from realitycheck.corpus.model import SEGMENT_FORMAT_VERSION
from realitycheck.corpus.remote.layout import (
    BLOBS,
    COMMITS,
    COMPACTED,
    META,
    SEGMENTS,
    Commit,
    Resolution,
    parse_commit,
    resolve,
)
from realitycheck.corpus.remote.url import RemoteError, RemoteLocation, filesystem, parse

T = TypeVar("T")
VERSION_KEY = b"realitycheck.format_version"


def describe(exc: BaseException) -> str:
    """One short line for a store's exception (never credentials: stores do not echo them)."""
    if isinstance(exc, PermissionError):
        return "access denied (check the store's credentials: AWS_PROFILE, AWS_ACCESS_KEY_ID, …)"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "does not exist" in text.lower() and "bucket" in text.lower():
        return "the bucket does not exist"
    return text[:200]


def check_segment(path: Path, name: str | None = None) -> int:
    """Rows of a local segment file; RemoteError naming it when it is not a segment we read."""
    label = name or str(path)
    try:
        meta = pq.read_metadata(path)
    except Exception:
        raise RemoteError("not a Parquet segment", path=label) from None
    raw = (meta.metadata or {}).get(VERSION_KEY)
    version = raw.decode(errors="replace") if raw is not None else None
    try:
        number = int(version) if version is not None else None
    except ValueError:
        number = None
    if number is None or not 1 <= number <= SEGMENT_FORMAT_VERSION:
        raise RemoteError(
            f"unknown segment format version {version!r} (this realitycheck reads "
            f"1..{SEGMENT_FORMAT_VERSION})",
            path=label,
        )
    return int(meta.num_rows)


def new_name(prefix: str, suffix: str) -> str:
    """A unique object name that sorts by time."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    return f"{prefix}-{stamp}-{os.urandom(4).hex()}{suffix}"


class RemoteStore:
    """The objects of one remote corpus."""

    def __init__(
        self,
        location: str | Path | RemoteLocation,
        *,
        create: bool = False,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.loc = location if isinstance(location, RemoteLocation) else parse(location)
        self.fs = filesystem(self.loc, options)
        self._open(create)

    @property
    def url(self) -> str:
        """The corpus URL."""
        return self.loc.url

    def call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one store operation; any failure becomes one line naming the URL."""
        try:
            return fn(*args, **kwargs)
        except RemoteError:
            raise
        except Exception as exc:
            raise RemoteError(f"cannot {what}: {describe(exc)}", path=self.url) from None

    def _open(self, create: bool) -> None:
        meta = self.loc.key(META)
        try:
            data = self.fs.cat_file(meta)
        except FileNotFoundError:
            data = None
        except Exception as exc:
            raise RemoteError(f"cannot open the corpus: {describe(exc)}", path=self.url) from None
        if data is None:
            if self.loc.protocol != "file":
                bucket = self.loc.path.split("/", 1)[0]
                if not self.call("reach the store", self.fs.exists, bucket):
                    raise RemoteError("the bucket does not exist", path=self.url)
            if create:
                self.put_bytes(
                    META, json.dumps({"format_version": SEGMENT_FORMAT_VERSION}).encode()
                )
            elif not self.call("list the corpus", self.fs.exists, self.loc.key(SEGMENTS)):
                raise RemoteError(
                    "no corpus here", path=self.url, hint="ship, push or import samples first"
                )
            return
        try:
            version = json.loads(data)["format_version"]
            newer = int(version) > SEGMENT_FORMAT_VERSION
        except (ValueError, KeyError, TypeError):
            raise RemoteError("unreadable corpus.json", path=self.loc.url_of(meta)) from None
        if newer:
            raise RemoteError(
                f"corpus format {version} is newer than this realitycheck understands "
                f"({SEGMENT_FORMAT_VERSION})",
                path=self.loc.url_of(meta),
            )

    # -- listing ---------------------------------------------------------------------------

    def listing(self, folder: str) -> dict[str, dict[str, Any]]:
        """Objects directly under a folder, by key relative to the root (temporaries skipped)."""
        try:
            entries = self.fs.ls(self.loc.key(folder), detail=True)
        except FileNotFoundError:
            return {}
        except Exception as exc:
            raise RemoteError(f"cannot list {folder}/: {describe(exc)}", path=self.url) from None
        out = {}
        for entry in entries:
            name = str(entry["name"]).rstrip("/").rsplit("/", 1)[-1]
            if entry.get("type") == "file" and not name.startswith("."):
                out[f"{folder}/{name}"] = entry
        return out

    def commits(self) -> list[Commit]:
        """Every readable commit record."""
        keys = [k for k in self.listing(COMMITS) if k.endswith(".json")]
        if not keys:
            return []
        raw = self.call(
            "read commits", self.fs.cat, [self.loc.key(k) for k in keys], on_error="omit"
        )
        found = []
        for key in keys:
            data = raw.get(self.loc.key(key))
            if data is None:
                continue
            try:
                commit = parse_commit(key, json.loads(data))
            except ValueError:
                commit = None
            if commit is not None:
                found.append(commit)
        return found

    def resolve(self) -> tuple[Resolution, dict[str, dict[str, Any]]]:
        """The live set (segments are listed before commits: see layout.py), and the listing."""
        shipped = {k: v for k, v in self.listing(SEGMENTS).items() if k.endswith(".parquet")}
        return resolve(shipped, self.commits()), shipped

    def live(self) -> list[str]:
        """Keys of the live segments, oldest first."""
        return self.resolve()[0].live

    # -- objects ---------------------------------------------------------------------------

    def put_file(self, local: Path, key: str) -> None:
        """Upload a file as one whole object, and confirm it landed with its full size."""
        target = self.loc.key(key)
        size = local.stat().st_size
        if self.loc.protocol == "file":
            folder, _, name = target.rpartition("/")
            tmp = f"{folder}/.tmp-{os.urandom(4).hex()}-{name}"
            self.call("create a folder", self.fs.makedirs, folder, exist_ok=True)
            self.call(f"upload {key}", self.fs.put_file, str(local), tmp)
            self.call(f"upload {key}", self.fs.mv, tmp, target)
        else:
            self.call(f"upload {key}", self.fs.put_file, str(local), target)
        info = self.call(f"confirm {key}", self.fs.info, target)
        if int(info.get("size", -1)) != size:
            raise RemoteError(f"upload of {key} was not confirmed (size differs)", path=self.url)

    def put_bytes(self, key: str, data: bytes) -> None:
        """Write small bytes (a commit, corpus.json) as one whole object."""
        target = self.loc.key(key)
        if self.loc.protocol == "file":
            folder, _, name = target.rpartition("/")
            tmp = f"{folder}/.tmp-{os.urandom(4).hex()}-{name}"
            self.call("create a folder", self.fs.makedirs, folder, exist_ok=True)
            self.call(f"write {key}", self.fs.pipe_file, tmp, data)
            self.call(f"write {key}", self.fs.mv, tmp, target)
        else:
            self.call(f"write {key}", self.fs.pipe_file, target, data)

    def get_file(self, key: str, local: Path) -> None:
        """Download an object to a local path, atomically (temporary name, then rename)."""
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_name(f".tmp-{os.urandom(4).hex()}-{local.name}")
        try:
            self.call(f"download {key}", self.fs.get_file, self.loc.key(key), str(tmp))
            tmp.replace(local)
        finally:
            tmp.unlink(missing_ok=True)

    def fetch(self, keys: list[str], folder: Path) -> list[Path]:
        """Download segments concurrently into `folder` (named as on the store), each checked.

        They are fetched aside and moved in only once all arrived and were checked, so a
        failure leaves the folder as it was.
        """
        if not keys:
            return []
        aside = folder / f".fetch-{os.getpid()}-{os.urandom(4).hex()}"
        aside.mkdir(parents=True, exist_ok=True)
        try:
            names = [k.rsplit("/", 1)[-1] for k in keys]
            sources = [self.loc.key(k) for k in keys]
            self.call("download segments", self.fs.get, sources, [str(aside / n) for n in names])
            for key, name in zip(keys, names, strict=True):
                check_segment(aside / name, f"{self.url}/{key}")
            final = []
            for name in names:
                (aside / name).replace(folder / name)
                final.append(folder / name)
            return final
        finally:
            for leftover in aside.iterdir():
                leftover.unlink(missing_ok=True)
            aside.rmdir()

    def cat(self, key: str) -> bytes:
        """The bytes of one object."""
        data: bytes = self.call(f"read {key}", self.fs.cat_file, self.loc.key(key))
        return data

    def exists(self, key: str) -> bool:
        """Whether an object exists."""
        return bool(self.call(f"look for {key}", self.fs.exists, self.loc.key(key)))

    def delete(self, keys: list[str]) -> None:
        """Delete objects (missing ones are fine)."""
        for key in keys:
            try:
                self.fs.rm_file(self.loc.key(key))
            except FileNotFoundError:
                continue
            except Exception as exc:
                raise RemoteError(f"cannot delete {key}: {describe(exc)}", path=self.url) from None

    def commit(self, outputs: list[str], replaces: list[str]) -> Commit:
        """Make outputs appear and replaced objects disappear, in one PUT."""
        commit = Commit(
            new_name(f"{COMMITS}/cmt", ".json"), tuple(outputs), tuple(replaces), time.time()
        )
        self.put_bytes(commit.name, json.dumps(commit.as_json()).encode())
        return commit

    def blob_key(self, digest: str) -> str:
        """Where a blob lives, relative to the root."""
        return f"{BLOBS}/sha256/{digest[:2]}/{digest[2:]}"


__all__ = ["COMPACTED", "SEGMENTS", "RemoteStore", "check_segment", "describe", "new_name"]
