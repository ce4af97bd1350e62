"""What capture did, counted per process and kept beside the segments for `corpus stats`.

Each capturing process rewrites its own file, `capture/<host>-<pid>-<start>.json`, atomically
after every write attempt. Counts of drops that happened because the corpus could not be written
reach the file only once writing works again; until then they are in the log.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

COUNTERS_DIR = "capture"
COUNTERS_VERSION = 1


class Counters:
    """Counts of recorded, sampled-out, deduplicated and dropped samples, by reason."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started = time.time()
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.values: dict[str, int] = {
            "sampled_out": 0,
            "queued": 0,
            "written": 0,
            "duplicates": 0,
            "capped": 0,
            "unserializable": 0,
        }
        self.dropped: dict[str, int] = {}

    def add(self, name: str, n: int = 1) -> None:
        """Count `n` more of something."""
        with self.lock:
            self.values[name] = self.values.get(name, 0) + n

    def drop(self, reason: str, n: int = 1) -> None:
        """Count `n` samples dropped for `reason`."""
        with self.lock:
            self.dropped[reason] = self.dropped.get(reason, 0) + n

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        with self.lock:
            return {
                "format_version": COUNTERS_VERSION,
                "host": self.host,
                "pid": self.pid,
                "started": self.started,
                "updated": time.time(),
                **self.values,
                "dropped": dict(self.dropped),
            }

    def save(self, corpus_root: Path, extra: dict[str, Any] | None = None) -> None:
        """Write the counts (plus `extra`, another part's) to one file, atomically."""
        folder = corpus_root / COUNTERS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        data = merge(self.snapshot(), extra) if extra else self.snapshot()
        name = f"{data['host']}-{data['pid']}-{int(data['started'])}.json"
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump(data, fh)
            Path(tmp).replace(folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def merge(mine: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Two parts' counts as one (identity from `other`, the process that captured)."""
    out = dict(mine)
    for key, value in other.items():
        if key == "dropped":
            dropped = dict(mine.get("dropped", {}))
            for reason, n in value.items():
                dropped[reason] = dropped.get(reason, 0) + n
            out["dropped"] = dropped
        elif key in ("host", "pid", "started", "format_version"):
            out[key] = value
        elif isinstance(value, int) and key in mine:
            out[key] = mine[key] + value
        elif key not in out:
            out[key] = value
    return out


def read_counters(corpus_root: Path) -> list[dict[str, Any]]:
    """Every capturing process's counts found in a corpus (unreadable files are skipped)."""
    folder = Path(corpus_root) / COUNTERS_DIR
    out = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            out.append(data)
    return out
