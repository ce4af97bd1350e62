"""`files`: a folder of files, each one a function-input sample whose bytes go to the blob store."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator, Sequence
from pathlib import Path

from realitycheck.core.errors import InputError
from realitycheck.core.events import Events
from realitycheck.corpus.http import BlobPut
from realitycheck.corpus.importers.base import (
    BadEntry,
    Entry,
    ImportResult,
    Item,
    Progress,
    Reader,
    run_import,
)
from realitycheck.corpus.redact import Redactor
from realitycheck.corpus.store import Corpus

_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
)


def sniff_media_type(path: Path, head: bytes) -> str:
    """The media type of a file: from its first bytes, else its name, else octet-stream."""
    for magic, mtype in _MAGIC:
        if head.startswith(magic):
            return mtype
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def file_reader(arg: str) -> Reader:
    """A reader that turns each file into `{"args": {arg: <blob ref>}}`."""

    def read(path: Path, blob: BlobPut, progress: Progress) -> Iterator[Item]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield BadEntry(0, f"cannot read: {exc.strerror or exc}")
            return
        ref = blob(data, sniff_media_type(path, data[:16]))
        progress.finish_file()
        yield Entry(
            index=0,
            target=None,
            kind="function",
            input={"args": {arg: ref}},
            tags=[f"file:{path.name}"],
        )

    return read


def import_files(
    corpus: Corpus | Path,
    paths: Sequence[Path],
    *,
    target: str,
    arg: str = "data",
    redactor: Redactor | None = None,
    key_file: Path | None = None,
    dedup: bool = False,
    strict: bool = False,
    events: Events | None = None,
) -> ImportResult:
    """Import files as samples of a function target, one per file, bytes in the blob store."""
    if not target:
        raise InputError("importing files needs a target such as fn:module:function")
    if not target.startswith(("fn:", "http:")):
        target = f"fn:{target}"
    if not arg.isidentifier():
        raise InputError(f"--arg {arg!r} is not a parameter name")
    reader = file_reader(arg)
    return run_import(
        corpus,
        "files",
        reader,
        paths,
        target=target,
        redactor=redactor,
        key_file=key_file,
        dedup=dedup,
        strict=strict,
        events=events,
    )
