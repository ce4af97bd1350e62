"""Report nits a newcomer meets in the first hour: URL headers, file modes, config typos."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from realitycheck.core.report import Change, Report, Verdict
from realitycheck.report import renderer, write_atomic

URLS = Change(repo="/r", base="http://127.0.0.1:8001", head="http://127.0.0.1:8002")


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_range_of_urls_is_shown_whole(fmt: str) -> None:
    report = Report(tool_version="0", verdict=Verdict.PASS, change=URLS)
    out = renderer(fmt)(report)
    assert "http://127.0.0.1:8001..http://127.0.0.1:8002" in out
    assert "http://127..http://127" not in out


def test_commit_ids_are_still_shortened() -> None:
    sha = "05f1a8e57a8c07f1b1076ccf7ddc41a7015dfdaf"
    change = Change(repo="/r", base=sha, head=sha)
    report = Report(tool_version="0", verdict=Verdict.PASS, change=change)
    assert "05f1a8e57a..05f1a8e57a" in renderer("markdown")(report)


def test_report_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "report.md", "# report\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.md").stat().st_mode) == 0o644
