"""Importers: recordings other tools made, read into the corpus (redacted, all or nothing)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ParamSpec

from realitycheck.core.errors import InputError
from realitycheck.core.events import Events
from realitycheck.corpus.importers.base import ImportResult, Reader, run_import
from realitycheck.corpus.importers.files import import_files
from realitycheck.corpus.importers.gor import read_gor
from realitycheck.corpus.importers.har import read_har
from realitycheck.corpus.importers.jsonl import read_jsonl
from realitycheck.corpus.importers.keploy import read_keploy
from realitycheck.corpus.importers.vcr import read_cassette
from realitycheck.corpus.redact import Redactor
from realitycheck.corpus.store import Corpus

# format -> (reader, file suffixes picked up inside folders)
FORMATS: dict[str, tuple[Reader, tuple[str, ...]]] = {
    "har": (read_har, (".har",)),
    "vcr": (read_cassette, (".yaml", ".yml", ".json")),
    "gor": (read_gor, (".gor", ".gor.gz", ".gz")),
    "keploy": (read_keploy, (".yaml", ".yml")),
    "jsonl": (read_jsonl, (".jsonl", ".ndjson")),
}
FORMAT_NAMES = (*FORMATS, "files")


P = ParamSpec("P")


def _refuse_all_malformed(run: Callable[P, ImportResult]) -> Callable[P, ImportResult]:
    """An import where every entry was malformed is an error (exit 2), not "0 imported":
    the file is not what its format says."""

    @functools.wraps(run)
    def checked(*args: P.args, **kwargs: P.kwargs) -> ImportResult:
        result = run(*args, **kwargs)
        if result.skipped and not result.imported and not result.duplicates:
            first = result.problems[0].removesuffix("; skipped") if result.problems else ""
            raise InputError(f"nothing could be imported, every entry was malformed: {first}")
        return result

    return checked


@_refuse_all_malformed
def import_paths(
    corpus: Corpus | Path,
    fmt: str,
    paths: Sequence[Path],
    *,
    target: str | None = None,
    arg: str = "data",
    redactor: Redactor | None = None,
    key_file: Path | None = None,
    dedup: bool = False,
    strict: bool = False,
    events: Events | None = None,
) -> ImportResult:
    """Import files of one format into the corpus."""
    if fmt == "files":
        return import_files(
            corpus,
            paths,
            target=target or "",
            arg=arg,
            redactor=redactor,
            key_file=key_file,
            dedup=dedup,
            strict=strict,
            events=events,
        )
    if fmt not in FORMATS:
        raise InputError(f"unknown import format {fmt!r}; use one of {', '.join(FORMAT_NAMES)}")
    if fmt == "jsonl":
        from realitycheck.corpus.importers.bulk import import_jsonl

        return import_jsonl(
            corpus,
            paths,
            target=target,
            redactor=redactor,
            key_file=key_file,
            dedup=dedup,
            strict=strict,
            events=events,
        )
    reader, suffixes = FORMATS[fmt]
    return run_import(
        corpus,
        fmt,
        reader,
        paths,
        suffixes=suffixes,
        skip=("keploy.",) if fmt == "keploy" else (),
        target=target,
        redactor=redactor,
        key_file=key_file,
        dedup=dedup,
        strict=strict,
        events=events,
    )


__all__ = ["FORMATS", "FORMAT_NAMES", "ImportResult", "import_files", "import_paths"]
