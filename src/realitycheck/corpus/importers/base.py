"""The import driver: read entries from files, redact and write them, all or nothing.

An importer is a function `read(path, blob) -> Iterator[Entry | BadEntry]` that streams one
file. The driver counts and reports bad entries (or fails on the first with `strict`), stages
segments out of sight, and publishes them only when every file was read: an import that fails
leaves the corpus as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from realitycheck.core.errors import CorpusError, InputError
from realitycheck.core.events import Events, Task
from realitycheck.corpus.http import BlobPut
from realitycheck.corpus.ingest import Ingest, Seen, no_gc
from realitycheck.corpus.redact import Redactor, build_redactor
from realitycheck.corpus.store import Corpus

MAX_PROBLEMS = 50


@dataclass
class Entry:
    """One recorded exchange or call read from a file, before redaction."""

    index: int
    target: str | None
    kind: str
    input: dict[str, Any]
    output: dict[str, Any] | None = None
    duration_ms: float | None = None
    recorded_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    sample_id: str | None = None
    source: str | None = None
    redactions: list[str] = field(default_factory=list)


@dataclass
class BadEntry:
    """An entry that could not be read: which one, and why."""

    index: int
    message: str
    line: int | None = None


@dataclass
class Ignored:
    """An entry that is valid but not imported (e.g. a Keploy mock of an unsupported kind)."""

    index: int
    reason: str


Item = Entry | BadEntry | Ignored
Reader = Callable[[Path, BlobPut, "Progress"], Iterator[Item]]


class Progress:
    """Lets an importer report how far into its file it is, in bytes."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.done = 0
        self.base = 0
        self.size = 0

    def at(self, position: int) -> None:
        """The importer has read up to `position` bytes of the current file."""
        step = self.base + min(position, self.size) - self.done
        if step > 0:
            self.task.advance(step)
            self.done += step

    def next_file(self, size: int) -> None:
        """Move on to the next file (of `size` bytes)."""
        self.finish_file()
        self.base = self.done
        self.size = size

    def finish_file(self) -> None:
        """The current file is read to its end."""
        self.at(self.size)


@dataclass
class ImportResult:
    """What an import did."""

    format: str
    files: int = 0
    entries: int = 0
    imported: int = 0
    skipped: int = 0
    ignored: int = 0
    duplicates: int = 0
    segments: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    targets: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "format": self.format,
            "files": self.files,
            "entries": self.entries,
            "imported": self.imported,
            "skipped": self.skipped,
            "ignored": self.ignored,
            "duplicates": self.duplicates,
            "segments": [str(p) for p in self.segments],
            "targets": dict(sorted(self.targets.items())),
            "problems": self.problems,
        }


def open_for_import(corpus: Corpus | Path) -> Corpus:
    """The corpus to import into, created when missing; errors name the folder."""
    if isinstance(corpus, Corpus):
        return corpus
    try:
        return Corpus(Path(corpus), create=True)
    except OSError as exc:
        raise CorpusError(f"cannot create the corpus: {exc.strerror}", path=corpus) from None


def expand(
    paths: Sequence[Path], suffixes: tuple[str, ...] | None, skip: tuple[str, ...] = ()
) -> list[Path]:
    """Files named directly, plus the matching files inside named folders (sorted)."""
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not p.name.startswith((".", *skip))
                and (suffixes is None or p.name.lower().endswith(suffixes))
            )
            out += found
        elif path.exists():
            out.append(path)
        else:
            raise InputError("no such file or folder", path=path)
    return out


def existing_hashes(corpus: Corpus) -> Seen:
    """The input hashes already in the corpus, for `--dedup`."""
    seen = Seen()
    rows = corpus.connect().execute("SELECT DISTINCT input_hash FROM samples").fetchall()
    for (digest,) in rows:
        if digest:
            seen.add(bytes.fromhex(digest))
    return seen


def run_import(
    corpus: Corpus | Path,
    fmt: str,
    reader: Reader,
    paths: Sequence[Path],
    *,
    suffixes: tuple[str, ...] | None = None,
    skip: tuple[str, ...] = (),
    target: str | None = None,
    redactor: Redactor | None = None,
    key_file: Path | None = None,
    dedup: bool = False,
    strict: bool = False,
    events: Events | None = None,
) -> ImportResult:
    """Import every entry of `paths` with `reader`; publish only when all files were read."""
    events = events or Events()
    store = open_for_import(corpus)
    root = store.root.resolve()
    # never the corpus's own files, when a folder holding the corpus is imported
    files = [p for p in expand(paths, suffixes, skip) if root not in p.resolve().parents]
    if redactor is None:
        redactor = build_redactor(store.root, key_file=key_file)
    staging = store.stage()
    ingest = Ingest(
        store,
        redactor,
        staging.write_table,
        dedup=dedup,
        seen=existing_hashes(store) if dedup else None,
    )
    result = ImportResult(format=fmt, files=len(files))
    total = sum(p.stat().st_size for p in files)
    try:
        with no_gc(), events.task(f"importing {fmt}", total=total) as task:
            progress = Progress(task)
            for path in files:
                progress.next_file(path.stat().st_size)
                _import_file(path, fmt, reader, ingest, progress, result, target, strict, events)
            progress.finish_file()
        ingest.flush()
        result.segments = staging.publish()
    except BaseException:
        staging.discard()
        raise
    result.imported = ingest.added
    result.duplicates = ingest.duplicates
    return result


def _import_file(
    path: Path,
    fmt: str,
    reader: Reader,
    ingest: Ingest,
    progress: Progress,
    result: ImportResult,
    target: str | None,
    strict: bool,
    events: Events,
) -> None:
    source = f"import:{fmt}:{path.name}"
    try:
        for item in reader(path, ingest.blob, progress):
            result.entries += 1
            if isinstance(item, BadEntry):
                _bad(path, item, result, strict, events)
                continue
            if isinstance(item, Ignored):
                result.ignored += 1
                continue
            name = target or item.target
            if not name:
                missing = BadEntry(item.index, "names no target (pass --target)")
                _bad(path, missing, result, strict, events)
                continue
            if ingest.add(
                name,
                item.kind,
                item.input,
                item.output,
                duration_ms=item.duration_ms,
                recorded_at=item.recorded_at,
                source=item.source or source,
                tags=item.tags,
                sample_id=item.sample_id,
                redactions=item.redactions,
            ):
                result.targets[name] = result.targets.get(name, 0) + 1
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None


def _bad(path: Path, item: BadEntry, result: ImportResult, strict: bool, events: Events) -> None:
    result.skipped += 1
    place = f"entry {item.index}"
    if strict:
        raise InputError(item.message, path=path, line=item.line, place=place)
    where = f"{path}:{item.line}" if item.line else str(path)
    message = f"{where} ({place}): {item.message}; skipped"
    if len(result.problems) < MAX_PROBLEMS:
        result.problems.append(message)
        events.warning(message)


def entries_of(items: Iterable[Item]) -> list[Entry]:
    """Only the good entries (for tests and small files)."""
    return [i for i in items if isinstance(i, Entry)]
