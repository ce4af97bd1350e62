"""Uploading sealed local segments (and their blobs) to a remote corpus.

Used by capture's shipper thread and by `corpus push`. Blobs go first (a segment never appears
before the bytes it points to), then segments, oldest first, each as one whole object under its
own unique name. A local file is deleted only after the store confirmed the object with its full
size. Uploading a segment again after a crash writes the same bytes under the same name, and a
name a compaction already replaced stays replaced, so a retry never counts a sample twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from realitycheck.corpus.remote.layout import BLOBS, COMPACTED, SEGMENTS
from realitycheck.corpus.remote.store import RemoteStore, check_segment
from realitycheck.corpus.remote.url import RemoteError

QUARANTINE = "unshippable"


@dataclass
class ShipResult:
    """What one pass uploaded, and what it could not."""

    segments: int = 0
    samples: int = 0
    blobs: int = 0
    bytes: int = 0
    skipped: int = 0  # already in the remote corpus
    quarantined: list[str] = field(default_factory=list)


def local_segments(root: Path) -> list[Path]:
    """Sealed segments of a local corpus folder, oldest first."""
    folder = root / SEGMENTS
    return sorted(folder.glob("seg-*.parquet")) if folder.is_dir() else []


def local_blobs(root: Path) -> list[Path]:
    """Blob files of a local corpus folder."""
    folder = root / BLOBS / "sha256"
    if not folder.is_dir():
        return []
    return [p for p in folder.glob("*/*") if p.is_file() and not p.name.startswith(".")]


def backlog_bytes(root: Path) -> int:
    """Bytes of segments and blobs waiting to be shipped."""
    total = 0
    for path in [*local_segments(root), *local_blobs(root)]:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def ship_blobs(root: Path, store: RemoteStore, result: ShipResult, *, delete: bool) -> None:
    """Upload every local blob that the store does not hold yet."""
    for path in local_blobs(root):
        key = f"{BLOBS}/sha256/{path.parent.name}/{path.name}"
        if not store.exists(key):
            store.put_file(path, key)
            result.blobs += 1
            result.bytes += path.stat().st_size
        if delete:
            path.unlink(missing_ok=True)


def ship(
    root: Path,
    store: RemoteStore,
    *,
    delete: bool,
    stop: Callable[[], bool] = lambda: False,
) -> ShipResult:
    """Upload a local corpus's sealed segments to `segments/`, deleting each once confirmed."""
    result = ShipResult()
    segments = local_segments(root)  # listed before the blobs: their blobs are on disk already
    ship_blobs(root, store, result, delete=delete)
    for path in segments:
        if stop():
            break
        try:
            rows = check_segment(path, path.name)
        except RemoteError:
            quarantine(root, path)
            result.quarantined.append(path.name)
            continue
        size = path.stat().st_size
        store.put_file(path, f"{SEGMENTS}/{path.name}")
        result.segments += 1
        result.samples += rows
        result.bytes += size
        if delete:
            path.unlink(missing_ok=True)
    return result


def quarantine(root: Path, path: Path) -> None:
    """Keep a segment that cannot be shipped aside, out of the shipper's way (never deleted)."""
    folder = root / QUARANTINE
    folder.mkdir(parents=True, exist_ok=True)
    path.replace(folder / path.name)


def push(root: Path, store: RemoteStore) -> ShipResult:
    """Upload a local corpus as one commit: every segment appears at once, or none does.

    Segments whose names the remote corpus already holds (live or replaced) are skipped, so
    pushing the same folder twice adds nothing. Every segment is checked before any upload.
    """
    result = ShipResult()
    resolution, shipped = store.resolve()
    known = {k.rsplit("/", 1)[-1] for k in [*shipped, *resolution.live, *resolution.replaced]}
    todo = []
    for path in local_segments(root):
        if path.name in known:
            result.skipped += 1
            continue
        result.samples += check_segment(path, str(path))
        todo.append(path)
    if not todo:
        return result
    ship_blobs(root, store, result, delete=False)
    outputs = []
    for path in todo:
        key = f"{COMPACTED}/{path.name}"
        store.put_file(path, key)
        outputs.append(key)
        result.segments += 1
        result.bytes += path.stat().st_size
    store.commit(outputs, [])
    return result
