"""Run the demo: build the story in a folder, then `verify` it."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from realitycheck.core.errors import InputError
from realitycheck.core.events import Events
from realitycheck.core.report import Report
from realitycheck.demo.story import DemoContext, after_verify, build
from realitycheck.pipeline import VerifyOptions, verify


def default_cache() -> Path:
    """Where downloads the demo needs are kept between runs."""
    return Path.home() / ".cache" / "realitycheck"


def prepare_workdir(workdir: Path | None) -> Path:
    """The folder that becomes the example repository: new, or empty (a temporary one if None)."""
    if workdir is None:
        return Path(tempfile.mkdtemp(prefix="realitycheck-demo-"))
    if workdir.exists() and (not workdir.is_dir() or any(workdir.iterdir())):
        raise InputError(
            "is not empty: the demo builds its example repository in a new or empty folder",
            path=workdir,
            hint="pick a new folder, or remove this one first",
        )
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def run_demo(
    workdir: Path | None,
    *,
    cache: Path | None = None,
    events: Events | None = None,
    say: Callable[[str], None] = print,
) -> tuple[DemoContext, Report]:
    """Build the example repository (`workdir` itself, or a temporary folder) and verify it."""
    events = events or Events()
    workdir = prepare_workdir(workdir)
    ctx = DemoContext(workdir=workdir, cache=cache or default_cache(), events=events, say=say)
    build(ctx)
    report = verify(VerifyOptions(repo=ctx.root, base="main", head="HEAD"), events=events)
    return ctx, report


def finish_demo(ctx: DemoContext, report: Report) -> None:
    """Tell the chapters that follow the first report (such as an owner's approval)."""
    for chapter in after_verify():
        chapter(ctx, report)
