"""The replay chapter's data: real PDFs, recorded as inputs of the text extractor.

The PDFs are the ones pikepdf ships in its source distribution under `tests/resources`: files
made by many tools (scanners, OCR, LaTeX, fpdf2, Acrobat...), with the fonts and encodings real
documents have. They are fetched once with pip and kept in the demo's cache.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from realitycheck.corpus.importers import import_files
from realitycheck.demo.story import DemoContext

PIKEPDF = "pikepdf==10.18.0"
TARGET = "fn:docsvc.extract:extract_text"
RESOURCES = "tests/resources/"
IGNORED = (".realitycheck/corpus/", ".realitycheck/redaction.key")
FETCH_SECONDS = 300
Say = Callable[[str], None]
PIP_DOWNLOAD = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q"]


def import_pdfs(ctx: DemoContext) -> None:
    """Record pikepdf's test PDFs as calls of docsvc.extract:extract_text (skipped when offline)."""
    pdfs = fetch_pdfs(ctx.cache / "pikepdf", ctx.say)
    if not pdfs:
        return
    ignore_in_git(ctx.root, IGNORED)
    corpus_dir = ctx.root / ".realitycheck" / "corpus"
    result = import_files(
        corpus_dir, [ctx.cache / "pikepdf" / "pdfs"], target=TARGET, arg="pdf", events=ctx.events
    )
    count = result.imported
    ctx.say(f"recorded {count} real PDFs (pikepdf's test files) as inputs of {TARGET}")


def fetch_pdfs(cache: Path, say: Say | None = None) -> list[Path]:
    """The PDFs of pikepdf's source distribution, downloaded into `cache` once."""
    folder = cache / "pdfs"
    if folder.is_dir():
        found = sorted(folder.rglob("*.pdf"))
        if found:
            return found
    sdist = _download(cache, say)
    if sdist is None:
        return []
    staging = Path(tempfile.mkdtemp(prefix=".pdfs-", dir=cache))
    try:
        with tarfile.open(sdist, "r:gz") as archive:
            for member in archive:
                parts = PurePosixPath(member.name).parts
                inner = "/".join(parts[1:])
                if not (member.isfile() and inner.startswith(RESOURCES) and inner.endswith(".pdf")):
                    continue
                source = archive.extractfile(member)
                if source is None:
                    continue
                target = staging / inner[len(RESOURCES) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read())
        shutil.rmtree(folder, ignore_errors=True)
        staging.replace(folder)
    except (OSError, tarfile.TarError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        _say(say, f"could not read the pikepdf source distribution ({exc}); no real PDFs")
        return []
    return sorted(folder.rglob("*.pdf"))


def _download(cache: Path, say: Say | None) -> Path | None:
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob("pikepdf-*.tar.gz"))
    if found:
        return found[-1]
    _say(say, f"fetching real PDFs: pip download --no-deps --no-binary :all: {PIKEPDF}")
    try:
        proc = subprocess.run(
            [*PIP_DOWNLOAD, "-d", str(cache), PIKEPDF],
            capture_output=True,
            timeout=FETCH_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        _say(say, f"could not fetch {PIKEPDF} ({exc}); the story goes on without real PDFs")
        return None
    found = sorted(cache.glob("pikepdf-*.tar.gz"))
    if proc.returncode != 0 or not found:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        why = err[-1] if err else f"pip exited with code {proc.returncode}"
        _say(say, f"could not fetch {PIKEPDF} ({why}); the story goes on without real PDFs")
        return None
    return found[-1]


def _say(say: Say | None, message: str) -> None:
    if say is not None:
        say(message)


def ignore_in_git(root: Path, patterns: tuple[str, ...]) -> None:
    """Keep local data (the corpus, the redaction key) out of the example's commits."""
    exclude = root / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    lines = exclude.read_text(encoding="utf-8").splitlines() if exclude.exists() else []
    missing = [p for p in patterns if p not in lines]
    if missing:
        exclude.write_text("\n".join([*lines, *missing]) + "\n", encoding="utf-8")
