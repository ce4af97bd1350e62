"""`corpus doctor`: what is wrong with a corpus, and what can safely be put right.

It finds bad segments (quarantined ones, and with `deep` every page read back), staging folders
and temporary files left by killed imports and writers, and blobs that no sample references.
`diagnose` only looks and says what `repair` would do; `repair` does it. Nothing in use is
touched: a staging folder of a running process, or anything younger than `GRACE_SECONDS`
(a capture or an import writes blobs before the segment that references them).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from realitycheck.corpus.segments import quarantine, quarantined, segment_problem
from realitycheck.corpus.store import Corpus

GRACE_SECONDS = 3600
_STAGING = re.compile(r"^\.staging-(\d+)-[0-9a-f]+$")
_BLOB_REF = r"sha256:([0-9a-f]{64})"


@dataclass
class Finding:
    """One thing found: what, where, and what `repair` does about it (None: nothing)."""

    kind: str  # quarantined | bad-segment | staging | temporary | orphan-blob
    path: Path
    detail: str
    action: str | None
    size: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "kind": self.kind,
            "path": str(self.path),
            "detail": self.detail,
            "action": self.action,
            "bytes": self.size,
        }


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _old(path: Path, now: float) -> bool:
    try:
        return now - path.stat().st_mtime > GRACE_SECONDS
    except OSError:
        return False


def diagnose(corpus: Corpus, *, deep: bool = False, now: float | None = None) -> list[Finding]:
    """Everything `corpus doctor` reports, with the action `repair` would take."""
    now = time.time() if now is None else now
    found: list[Finding] = []
    sound = corpus.segment_paths()  # quarantines what fails the footer check
    if deep:
        for path in sound:
            why = _unreadable(path)
            if why is not None:
                found.append(Finding("bad-segment", path, why, "quarantine", _size(path)))
    for path, why in quarantined(corpus.root):
        again = segment_problem(path) or _unreadable(path)  # few: read each in full
        action = "restore to segments/ (it reads now)" if again is None else None
        found.append(Finding("quarantined", path, why, action, _size(path)))
    live = False
    if corpus.segments_dir.is_dir():
        for path in sorted(corpus.segments_dir.iterdir()):
            m = _STAGING.match(path.name)
            if m and path.is_dir():
                pid = int(m.group(1))
                if _alive(pid):
                    live = True
                    detail = f"in use by a running import (pid {pid} on {socket.gethostname()})"
                    found.append(Finding("staging", path, detail, None, _size(path)))
                else:
                    detail = f"left by an import that did not finish (pid {pid} is gone)"
                    found.append(Finding("staging", path, detail, "remove", _size(path)))
            elif path.name.startswith(".tmp-") and _old(path, now):
                detail = "temporary file of a write that never finished"
                found.append(Finding("temporary", path, detail, "remove", _size(path)))
    found += _orphans(corpus, sound, now, blocked=live or bool(quarantined(corpus.root)))
    return found


def _unreadable(path: Path) -> str | None:
    """Why a segment's pages cannot be read back, or None."""
    try:
        pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"unreadable data ({first[:120]})"
    return None


def _orphans(corpus: Corpus, sound: list[Path], now: float, *, blocked: bool) -> list[Finding]:
    """Blobs no sample references (none while a quarantined segment or a running import
    might reference them)."""
    root = corpus.blobs.root / "sha256"
    if not root.is_dir():
        return []
    referenced: set[str] = set()
    if sound:
        sql = f"""
            SELECT DISTINCT unnest(regexp_extract_all(
                input || coalesce(output, ''), '{_BLOB_REF}', 1)) FROM samples
        """
        referenced = {str(r[0]) for r in corpus.connect().execute(sql).fetchall()}
    out = []
    for path in sorted(root.glob("*/*")):
        if not path.is_file() or path.name.startswith(".tmp-"):
            continue
        digest = path.parent.name + path.name
        if digest in referenced:
            continue
        if blocked:
            why = "not referenced; kept while segments are quarantined or an import runs"
            out.append(Finding("orphan-blob", path, why, None, _size(path)))
        elif _old(path, now):
            out.append(
                Finding("orphan-blob", path, "no sample references it", "remove", _size(path))
            )
    return out


def repair(corpus: Corpus, findings: list[Finding], *, drop_quarantined: bool = False) -> list[str]:
    """Take each finding's action (and remove unrestorable quarantined segments when asked);
    one line per thing done."""
    done = []
    for f in findings:
        if f.kind == "quarantined" and f.action is None and drop_quarantined:
            f.path.unlink(missing_ok=True)
            f.path.with_name(f.path.name + ".why").unlink(missing_ok=True)
            done.append(f"removed quarantined {f.path.name}")
        elif f.action is None:
            continue
        elif f.kind == "quarantined":
            corpus.segments_dir.mkdir(parents=True, exist_ok=True)
            f.path.replace(corpus.segments_dir / f.path.name)
            f.path.with_name(f.path.name + ".why").unlink(missing_ok=True)
            done.append(f"restored {f.path.name}")
        elif f.kind == "bad-segment":
            quarantine(corpus.root, f.path, f.detail)
            done.append(f"quarantined {f.path.name}: {f.detail}")
        elif f.kind == "staging":
            shutil.rmtree(f.path, ignore_errors=True)
            done.append(f"removed staging folder {f.path.name} ({f.size} bytes)")
        elif f.kind in ("temporary", "orphan-blob"):
            f.path.unlink(missing_ok=True)
            done.append(f"removed {f.kind} {f.path.name}")
    return done
