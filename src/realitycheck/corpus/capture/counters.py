"""What capture did, counted per process and kept beside the segments for `corpus stats`.

Each capturing process rewrites its own file, `capture/<host>-<pid>-<start>.json`, atomically
after every write attempt. When the corpus cannot be written (read-only, missing), the file goes
to a folder of the system's temporary directory named after the corpus (`fallback_dir`), which
`corpus stats` reads too and reports as not persisted; the counts are also in the log, and in
`realitycheck.corpus.capture.control.capture_stats()` for an endpoint of the application.
"""

from __future__ import annotations

import contextlib
import hashlib
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

    def save(self, corpus_root: Path, extra: dict[str, Any] | None = None) -> Path | None:
        """Write the counts (plus `extra`, another part's) to one file, atomically."""
        data = merge(self.snapshot(), extra) if extra else self.snapshot()
        return save_counts(corpus_root, data)


def save_counts(corpus_root: Path, data: dict[str, Any]) -> Path | None:
    """Write one process's counts into the corpus; when the corpus cannot be written (read-only,
    missing), into `fallback_dir` instead, marked as kept elsewhere. The file written, or None
    when neither could be (the counts then live only in memory and in the log)."""
    name = f"{data['host']}-{data['pid']}-{int(data['started'])}.json"
    aside = fallback_dir(corpus_root)
    try:
        path = _write(Path(corpus_root) / COUNTERS_DIR, name, data)
    except OSError:
        try:
            return _write(aside, name, {**data, "corpus": str(Path(corpus_root).resolve())})
        except OSError:
            return None
    with contextlib.suppress(OSError):
        (aside / name).unlink(missing_ok=True)  # written where it belongs again
    return path


def fallback_dir(corpus_root: Path) -> Path:
    """Where counts go when the corpus cannot be written: the system's temporary folder, one
    folder per corpus (named by a hash of its path), which `corpus stats` reads too."""
    digest = hashlib.sha256(str(Path(corpus_root).resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "realitycheck-capture" / digest


def _write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
        Path(tmp).replace(folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return folder / name


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
    """Every capturing process's counts found for a corpus (unreadable files are skipped):
    those in the corpus, then those kept aside because the corpus could not be written
    (marked `"persisted": false`)."""
    out = []
    places = ((Path(corpus_root) / COUNTERS_DIR, True), (fallback_dir(corpus_root), False))
    for folder, persisted in places:
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                data = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            if isinstance(data, dict):
                if not persisted:
                    data = {**data, "persisted": False, "kept_in": str(path)}
                out.append(data)
    return out
