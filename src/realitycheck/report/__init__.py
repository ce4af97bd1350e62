"""Renderers of the Report model. Adding a format is one module and one line in `FORMATS`."""

from __future__ import annotations

import importlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Protocol

from realitycheck.core.errors import RealityCheckError
from realitycheck.core.report import Report


class Renderer(Protocol):
    """Turns a report into the text of one format."""

    def __call__(self, report: Report, *, color: bool = False) -> str: ...


FORMATS: dict[str, str] = {
    "text": "realitycheck.report.terminal:render",
    "markdown": "realitycheck.report.markdown:render",
    "json": "realitycheck.report.json_report:render",
    "junit": "realitycheck.report.junit:render",
    "html": "realitycheck.report.html_report:render",
    "sarif": "realitycheck.report.sarif:render",
    "codequality": "realitycheck.report.codequality:render",
}


def renderer(fmt: str) -> Renderer:
    """The renderer for a format name."""
    try:
        module, _, attr = FORMATS[fmt].partition(":")
    except KeyError:
        raise RealityCheckError(
            f"unknown report format '{fmt}'", hint=f"choose from {', '.join(FORMATS)}"
        ) from None
    render: Renderer = getattr(importlib.import_module(module), attr)
    return render


def render_report(
    report: Report, fmt: str, output: str | Path | None = None, *, color: bool = False
) -> str | None:
    """Render to `output` atomically (no partial file on failure), or return the text for "-"."""
    text = renderer(fmt)(report, color=color and output in (None, "-"))
    if output in (None, "-"):
        return text
    write_atomic(Path(str(output)), text)
    return None


def write_atomic(path: Path, text: str) -> None:
    """Write a file through a temporary name and a rename, so readers never see half of it.

    Devices and pipes (`/dev/null`, `/dev/stdout`, a FIFO) are written straight through: renaming
    over them would replace a special file with a regular one.
    """
    if path.exists() and not path.is_file():
        if path.is_dir():
            raise RealityCheckError("is a directory, not a file", path=path)
        with path.open("w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, mode)  # mkstemp makes 0600; a report is as readable as any file written
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            if not text.endswith("\n"):
                fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode(path: Path) -> int:
    """The mode the file would get from open(): the existing file's, else 0666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def supported_formats() -> list[str]:
    """The format names `--format` accepts."""
    return list(FORMATS)


__all__ = ["FORMATS", "Renderer", "render_report", "renderer", "supported_formats", "write_atomic"]
