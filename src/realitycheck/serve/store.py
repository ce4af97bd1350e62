"""The analyses' state in SQLite: one row per analysis, one row per poll, each poll one transaction.

The database runs in WAL mode with `synchronous=FULL`: a transaction that returned is on disk,
so a `kill -9` after an answer left loses nothing, and one before it leaves the previous state
whole (the controller's retry then sees the same evidence). A decided verdict is never rewritten.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from realitycheck.core.errors import RealityCheckError

SCHEMA = """
CREATE TABLE IF NOT EXISTS analyses (
    key TEXT PRIMARY KEY,
    controller TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    revision TEXT NOT NULL,
    tier TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    polls INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    decided TEXT,
    reason TEXT NOT NULL,
    state TEXT
);
CREATE TABLE IF NOT EXISTS steps (
    key TEXT PRIMARY KEY,
    granted_at TEXT NOT NULL,
    granted INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS polls (
    key TEXT NOT NULL,
    at TEXT NOT NULL,
    verdict TEXT NOT NULL,
    reason TEXT NOT NULL,
    judgement TEXT
);
"""


@dataclass
class Record:
    """An analysis as stored."""

    key: str
    tier: str
    started_at: datetime
    polls: int
    verdict: str
    decided: str | None
    reason: str
    state: dict[str, Any] | None


class Store:
    """The SQLite file behind the service."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise RealityCheckError(f"cannot open the state store: {exc}", path=path) from exc

    def get(self, key: str) -> Record | None:
        """The analysis under a key, if any poll was recorded."""
        with self._lock:
            row = self._db.execute(
                "SELECT key, tier, started_at, polls, verdict, decided, reason, state "
                "FROM analyses WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        return Record(
            key=row[0],
            tier=row[1],
            started_at=datetime.fromisoformat(row[2]),
            polls=row[3],
            verdict=row[4],
            decided=row[5],
            reason=row[6],
            state=json.loads(row[7]) if row[7] else None,
        )

    def save(
        self,
        record: Record,
        *,
        controller: str,
        namespace: str,
        name: str,
        revision: str,
        judgement: dict[str, Any] | None,
    ) -> None:
        """Record one poll and the analysis after it, in one transaction."""
        now = datetime.now(timezone.utc).isoformat()
        state = json.dumps(record.state, sort_keys=True) if record.state is not None else None
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                decided = self._db.execute(
                    "SELECT decided FROM analyses WHERE key = ?", (record.key,)
                ).fetchone()
                if decided is not None and decided[0] is not None:
                    record.decided = decided[0]  # a decision is never rewritten
                self._db.execute(
                    "INSERT INTO analyses (key, controller, namespace, name, revision, tier, "
                    "started_at, updated_at, polls, verdict, decided, reason, state) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET updated_at = excluded.updated_at, "
                    "polls = excluded.polls, verdict = excluded.verdict, "
                    "decided = excluded.decided, reason = excluded.reason, state = excluded.state",
                    (
                        record.key, controller, namespace, name, revision, record.tier,
                        record.started_at.isoformat(), now, record.polls, record.verdict,
                        record.decided, record.reason, state,
                    ),
                )  # fmt: skip
                self._db.execute(
                    "INSERT INTO polls (key, at, verdict, reason, judgement) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        record.key,
                        now,
                        record.verdict,
                        record.reason,
                        json.dumps(judgement) if judgement is not None else None,
                    ),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def grant_step(self, key: str, now: datetime, hold_s: float) -> tuple[bool, float]:
        """Grant the next traffic increase if the current step was held `hold_s` seconds.

        The first increase is granted at once; each grant is committed before it is answered.
        Returns whether it was granted, and the seconds the current step has been held.
        """
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT granted_at FROM steps WHERE key = ?", (key,)
                ).fetchone()
                held = (now - datetime.fromisoformat(row[0])).total_seconds() if row else 0.0
                granted = row is None or held >= hold_s
                if granted:
                    self._db.execute(
                        "INSERT INTO steps (key, granted_at, granted) VALUES (?, ?, 1) "
                        "ON CONFLICT(key) DO UPDATE SET granted_at = excluded.granted_at, "
                        "granted = granted + 1",
                        (key, now.isoformat()),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return granted, held

    def poll_count(self, key: str) -> int:
        """How many polls were recorded for an analysis."""
        with self._lock:
            return int(
                self._db.execute("SELECT count(*) FROM polls WHERE key = ?", (key,)).fetchone()[0]
            )

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
