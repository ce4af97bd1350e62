"""A shadow run's results on disk: one append-only JSON Lines file per run, fsynced as it grows.

    <results>/run-20261204T170000Z-12345.jsonl
      {"t": "run", "format": 1, "id": ..., "head": ..., "primary": ..., "candidate": ..., ...}
      {"t": "x", "route": "http:GET /users/{id}", "state": "compared", "found": [...], ...}
      {"t": "counts", "requests": ..., "copied": ..., "not_sent": {...}, ...}   (cumulative)

Lines are only ever appended, each batch in one write and then fsynced, so a run killed at any
moment leaves every line written before its last fsync intact; a torn last line (no newline, or
not JSON) is skipped and counted by the reader. Reports read the files while the proxy still
writes them. Examples in `x` lines hold only redacted documents.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from realitycheck.core.errors import InputError

RESULTS_FORMAT = 1
PREFIX = "run-"


def new_run_id() -> str:
    """A run id: the UTC time to the microsecond, and the process id."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{os.getpid()}"


def run_path(folder: Path, run_id: str) -> Path:
    """The file of one run."""
    return folder / f"{PREFIX}{run_id}.jsonl"


def dumps(record: dict[str, Any]) -> bytes:
    """One compact JSON line."""
    return (
        json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
    ).encode("utf-8")


class ResultsWriter:
    """Appends one run's lines; `flush` writes what is buffered in one write and fsyncs."""

    def __init__(self, folder: Path, meta: dict[str, Any], run_id: str | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.id = run_id or new_run_id()
        self.path = run_path(folder, self.id)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        self._buffer: list[bytes] = []
        self.written = 0
        head = {"t": "run", "format": RESULTS_FORMAT, "id": self.id, "started": time.time()}
        self._buffer.append(dumps({**head, **meta}))
        self.flush()
        _fsync_dir(folder)

    def add(self, record: dict[str, Any]) -> None:
        """Buffer one line (written at the next flush)."""
        self._buffer.append(dumps(record))

    def flush(self, counts: dict[str, Any] | None = None) -> None:
        """Write the buffered lines (and the cumulative counts) and fsync them."""
        if counts is not None:
            self._buffer.append(dumps({"t": "counts", "at": time.time(), **counts}))
        if not self._buffer or self._fd < 0:
            return
        data = b"".join(self._buffer)
        self._buffer.clear()
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        os.fsync(self._fd)
        self.written += len(data)

    def close(self, counts: dict[str, Any] | None = None) -> None:
        """Flush and close the file."""
        if self._fd >= 0:
            self.flush(counts)
            os.close(self._fd)
            self._fd = -1


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass
class Run:
    """One run read back: its header, its exchanges, its last counts, and torn lines."""

    path: Path
    meta: dict[str, Any]
    records: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    torn: int = 0


def run_files(folder: Path) -> list[Path]:
    """The run files of a results folder, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{PREFIX}*.jsonl"))


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        yield from enumerate(handle, start=1)


def read_run(path: Path) -> Run:
    """One run file; a torn line is skipped and counted, a file that is no run is an error."""
    run: Run | None = None
    for number, line in _lines(path):
        try:
            record = json.loads(line) if line.endswith(b"\n") else None
        except ValueError:
            record = None
        if not isinstance(record, dict):
            if number == 1:
                raise InputError("not a shadow results file", path=path, line=1)
            if run is not None:
                run.torn += 1
            continue
        kind = record.get("t")
        if run is None:
            if kind != "run":
                raise InputError("not a shadow results file", path=path, line=number)
            if record.get("format", 0) > RESULTS_FORMAT:
                raise InputError(
                    f"results format {record.get('format')} is newer than this realitycheck "
                    f"reads ({RESULTS_FORMAT})",
                    path=path,
                    line=number,
                )
            run = Run(path=path, meta=record)
        elif kind == "x":
            run.records.append(record)
        elif kind == "counts":
            run.counts = record
    if run is None:
        raise InputError("an empty shadow results file", path=path)
    return run


def read_runs(folder: Path, head: str | None = None) -> list[Run]:
    """Every run in `folder` (only those of `head`, a commit, when given)."""
    runs = [read_run(p) for p in run_files(folder)]
    if head is not None:
        runs = [r for r in runs if r.meta.get("head") == head]
    return runs
