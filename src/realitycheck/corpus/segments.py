"""A segment's health, checked before DuckDB reads it; a bad one is moved aside (quarantined).

One truncated, garbage or foreign Parquet file in `segments/` would otherwise make every query
of the corpus fail with DuckDB's multi-line internal error. Before a segment joins the
`samples` view, its magic bytes, footer, schema and format version are checked (the footer
only: a few kilobytes, once per file and process). A bad segment is moved to `quarantine/`
with a note saying why, named in one line in `Corpus.problems`, and counted in `corpus stats`;
`corpus doctor` lists and restores them. A corpus that cannot be written (read-only) keeps
the bad segment where it is and reads around it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from realitycheck.corpus.model import SEGMENT_FORMAT_VERSION

MAGIC = b"PAR1"
QUARANTINE_DIR = "quarantine"
WHY_SUFFIX = ".why"
VERSION_KEY = b"realitycheck.format_version"
# Columns a segment must have, by kind of type; the others may be missing (read as NULL).
REQUIRED = {"id": "string", "target": "string", "kind": "string", "input": "string"}
OPTIONAL = {
    "input_hash": "string",
    "output": "string",
    "duration_ms": "number",
    "recorded_at": "timestamp",
    "source": "string",
    "tags": "string",
    "redactions": "string",
}
_checked: dict[tuple[str, int, int], str | None] = {}  # (path, size, mtime) -> problem


def _kind(dtype: pa.DataType) -> str:
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "string"
    if pa.types.is_floating(dtype) or pa.types.is_integer(dtype):
        return "number"
    if pa.types.is_timestamp(dtype):
        return "timestamp"
    if pa.types.is_null(dtype):
        return "null"
    return str(dtype)


def segment_problem(path: Path) -> str | None:
    """Why a segment file cannot be read as one, in a few words; None when it is sound."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4)
            fh.seek(max(size - 4, 0))
            tail = fh.read(4)
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if head != MAGIC:
        return "not a Parquet file (no PAR1 at the start)"
    if size < 12 or tail != MAGIC:
        return "truncated (no Parquet footer at the end)"
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"unreadable Parquet footer ({first[:120]})"
    raw = (schema.metadata or {}).get(VERSION_KEY)
    if raw is not None:
        try:
            version = int(raw)
        except ValueError:
            return f"unreadable segment format version {raw[:20]!r}"
        if version > SEGMENT_FORMAT_VERSION:
            return (
                f"segment format {version} is newer than this realitycheck reads "
                f"({SEGMENT_FORMAT_VERSION})"
            )
    names = set(schema.names)
    for name in REQUIRED:
        if name not in names:
            return f"not a corpus segment: no column {name!r}"
    for name, kind in {**REQUIRED, **OPTIONAL}.items():
        if name in names:
            got = _kind(schema.field(name).type)
            if got not in (kind, "null"):
                return f"not a corpus segment: column {name!r} is {got}, not {kind}"
    return None


def checked(path: Path) -> str | None:
    """`segment_problem`, remembered per file version for the life of the process."""
    try:
        st = path.stat()
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _checked:
        if len(_checked) > 100_000:
            _checked.clear()
        _checked[key] = segment_problem(path)
    return _checked[key]


def sound_segments(root: Path, paths: list[Path], problems: list[str]) -> list[Path]:
    """The sound segments of `paths`; each bad one is quarantined and named in `problems`."""
    out = []
    for path in paths:
        why = checked(path)
        if why is None:
            out.append(path)
            continue
        moved = quarantine(root, path, why)
        where = f"moved to {QUARANTINE_DIR}/" if moved else "left in place (cannot move it)"
        message = f"{path}: bad segment: {why}; {where}, see `realitycheck corpus doctor`"
        if message not in problems:
            problems.append(message)
    return out


def quarantine(root: Path, path: Path, why: str) -> bool:
    """Move a bad segment into `quarantine/` with a note saying why; False when it cannot."""
    folder = root / QUARANTINE_DIR
    try:
        folder.mkdir(exist_ok=True)
        note = folder / (path.name + WHY_SUFFIX)
        tmp = folder / f".tmp-{os.getpid()}-{path.name}{WHY_SUFFIX}"
        tmp.write_text(why + "\n", encoding="utf-8")
        tmp.replace(note)
        path.replace(folder / path.name)
    except OSError:
        with contextlib.suppress(OSError):
            (folder / f".tmp-{os.getpid()}-{path.name}{WHY_SUFFIX}").unlink(missing_ok=True)
        return False
    return True


def quarantined(root: Path) -> list[tuple[Path, str]]:
    """The quarantined segments of a corpus, with why each was moved aside."""
    folder = root / QUARANTINE_DIR
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.parquet")):
        note = path.with_name(path.name + WHY_SUFFIX)
        try:
            why = note.read_text(encoding="utf-8").strip()
        except OSError:
            why = "unknown"
        out.append((path, why))
    return out
