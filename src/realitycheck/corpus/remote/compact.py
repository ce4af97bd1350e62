"""Keeping a remote corpus healthy: compaction, and the clean-up of what commits replaced.

`compact` merges small live segments into larger ones. For each group it uploads the merged
segment under `compacted/` (invisible), then writes one commit record naming the output and the
segments it replaces: that single PUT is the moment readers switch from the old set to the new
(layout.py). A compactor killed at any point leaves either no commit (the old set stays live; its
upload is an orphan that `collect` removes later) or a whole commit (the new set is live).

`collect` deletes what no reader can need any more: objects replaced by a commit older than the
grace period, orphaned uploads older than it, and rejected commits with their outputs.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from realitycheck.corpus.remote.layout import COMPACTED
from realitycheck.corpus.remote.store import RemoteStore, check_segment
from realitycheck.corpus.store import SCHEMA, write_segment

TARGET_BYTES = 128 << 20  # a compacted segment's size, about
SMALL_BYTES = 16 << 20  # segments smaller than this are merged
DEFAULT_GRACE = 15 * 60.0  # seconds a replaced object stays readable for readers that listed it


@dataclass
class CompactResult:
    """What a compaction did (or, with dry_run, would do)."""

    groups: list[list[str]] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    samples: int = 0
    deleted: list[str] = field(default_factory=list)
    rejected: int = 0


def _mtime(entry: dict[str, Any]) -> float:
    value = entry.get("LastModified") or entry.get("mtime") or entry.get("created")
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    return time.time()  # unknown age: treat as new (never collected early)


def collect(store: RemoteStore, grace: float = DEFAULT_GRACE) -> list[str]:
    """Delete replaced objects, orphaned uploads and rejected commits past the grace period."""
    now = time.time()
    uploads = store.listing(COMPACTED)  # listed before the commits (see the module docstring)
    resolution, _ = store.resolve()
    deleted: list[str] = []
    for commit in resolution.rejected:
        store.delete([*commit.outputs, commit.name])
        deleted += [*commit.outputs, commit.name]
    named = {k for c in [*resolution.accepted, *resolution.rejected] for k in c.outputs}
    orphans = [k for k, e in uploads.items() if k not in named and now - _mtime(e) >= grace]
    old = [k for k, at in resolution.replaced.items() if now - at >= grace]
    if store.loc.protocol == "file":  # uploads to a temporary name, left by a killed writer
        for folder in ("segments", COMPACTED, "commits"):
            orphans += [
                k for k, e in _temporaries(store, folder).items() if now - _mtime(e) >= grace
            ]
    store.delete([*orphans, *old])
    return deleted + orphans + old


def _temporaries(store: RemoteStore, folder: str) -> dict[str, dict[str, Any]]:
    """`.tmp-*` files directly under a folder of a file:// corpus."""
    try:
        entries = store.fs.ls(store.loc.key(folder), detail=True)
    except FileNotFoundError:
        return {}
    out = {}
    for entry in entries:
        name = str(entry["name"]).rsplit("/", 1)[-1]
        if name.startswith(".tmp-"):
            out[f"{folder}/{name}"] = entry
    return out


def plan(
    store: RemoteStore, *, small: int = SMALL_BYTES, target: int = TARGET_BYTES
) -> list[list[str]]:
    """Groups of small live segments to merge, each group about `target` bytes."""
    resolution, shipped = store.resolve()
    sizes: dict[str, int] = {k: int(v.get("size", 0)) for k, v in shipped.items()}
    for key in resolution.live:
        if key not in sizes:
            sizes[key] = int(store.call("stat", store.fs.info, store.loc.key(key)).get("size", 0))
    groups: list[list[str]] = []
    current: list[str] = []
    total = 0
    for key in resolution.live:
        if sizes[key] >= small:
            continue
        current.append(key)
        total += sizes[key]
        if total >= target:
            groups.append(current)
            current, total = [], 0
    if len(current) > 1:
        groups.append(current)
    return [g for g in groups if len(g) > 1]


def merge_group(store: RemoteStore, group: list[str], work: Path) -> tuple[str, int]:
    """Download and merge a group into one segment under compacted/; its key and rows."""
    tables = []
    for i, key in enumerate(group):
        local = work / f"in-{i}.parquet"
        store.get_file(key, local)
        check_segment(local, f"{store.url}/{key}")
        tables.append(pq.read_table(local).select(SCHEMA.names).cast(SCHEMA))
        local.unlink()
    merged = pa.concat_tables(tables).sort_by([("recorded_at", "ascending"), ("id", "ascending")])
    path = write_segment(work, merged)
    key = f"{COMPACTED}/{path.name}"
    store.put_file(path, key)
    path.unlink()
    return key, merged.num_rows


def compact(
    store: RemoteStore,
    *,
    grace: float = DEFAULT_GRACE,
    dry_run: bool = False,
    small: int = SMALL_BYTES,
    target: int = TARGET_BYTES,
) -> CompactResult:
    """Merge small segments, one commit per merged group, then collect what is past its grace."""
    result = CompactResult(groups=plan(store, small=small, target=target))
    if dry_run:
        return result
    with tempfile.TemporaryDirectory(prefix="realitycheck-compact-") as tmp:
        for group in result.groups:
            key, rows = merge_group(store, group, Path(tmp))
            commit = store.commit([key], group)
            resolution, _ = store.resolve()
            if any(c.name == commit.name for c in resolution.rejected):  # another compactor won
                store.delete([key, commit.name])
                result.rejected += 1
                continue
            result.outputs.append(key)
            result.samples += rows
    result.deleted = collect(store, grace)
    return result
