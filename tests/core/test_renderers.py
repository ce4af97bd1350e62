"""Every renderer draws the same report; a skipped or errored stage never reads as passed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from realitycheck.core.errors import RealityCheckError
from realitycheck.core.report import Report
from realitycheck.report import render_report, renderer, supported_formats


def test_json_follows_the_design_schema(sample_report: Report) -> None:
    doc = json.loads(renderer("json")(sample_report))
    assert doc["schema_version"] == 1
    assert doc["verdict"] == "fail"
    assert doc["change"]["commits"] == 3
    assert doc["provenance"] == {"status": "ran", "ai_line_share": 0.62}
    assert doc["replay"] == {"status": "skipped", "reason": "no corpus"}
    assert doc["boundaries"]["status"] == "error"
    statuses = {s["name"]: (s["status"], s["passed"]) for s in doc["stages"]}
    assert statuses["replay"] == ("skipped", False)
    assert statuses["boundaries"] == ("error", False)


def test_markdown_is_a_pr_comment(sample_report: Report) -> None:
    md = renderer("markdown")(sample_report)
    first = md.splitlines()[0]
    assert first == "## ❌ realitycheck: FAIL"
    assert "| Replay | ⏭️ skipped | no corpus |" in md
    assert "| Boundaries | ⚠️ error | CODEOWNERS:3: bad pattern |" in md
    assert "A2 \\| x" in md
    assert "&lt;b&gt;old&lt;/b&gt;" in md
    assert md.count("<details>") == md.count("</details>")
    assert "Replay — passed" not in md


def test_markdown_is_cut_to_fit_a_comment(sample_report: Report) -> None:
    big = sample_report.model_copy(deep=True)
    big.stages[1].blocks.append(
        big.stages[1].blocks[2].model_copy(update={"rows": [["x" * 300, "y"]] * 40})
    )
    for _ in range(8):
        big.stages.append(big.stages[1].model_copy(deep=True))
    md = renderer("markdown")(big)
    assert len(md) < 61_000
    assert md.count("<details>") == md.count("</details>")


def test_terminal_text(sample_report: Report) -> None:
    text = renderer("text")(sample_report)
    assert "realitycheck FAIL" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("Replay")]
    assert lines and "skipped" in lines[0] and "passed" not in lines[0]
    assert "A1 violated in 2.8%" in text


def test_junit_counts(sample_report: Report) -> None:
    root = ET.fromstring(renderer("junit")(sample_report))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "5",
        "1",
        "1",
        "1",
    )


def test_html_is_well_formed(sample_report: Report) -> None:
    page = renderer("html")(sample_report)

    class Balance(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in {"meta", "br"}:
                self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert self.stack.pop() == tag

    parser = Balance()
    parser.feed(page)
    assert parser.stack == []
    assert "&lt;b&gt;old" in page


def test_unknown_format() -> None:
    with pytest.raises(RealityCheckError, match="unknown report format 'pdf'"):
        renderer("pdf")
    assert {"text", "markdown", "json", "junit", "html"} <= set(supported_formats())


def test_file_output_is_atomic(
    sample_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out" / "report.json"
    assert render_report(sample_report, "json", target) is None
    assert json.loads(target.read_text())["verdict"] == "fail"
    before = target.read_text()

    def broken(self: object, *args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", broken)
    with pytest.raises(OSError):
        render_report(sample_report, "markdown", target)
    assert target.read_text() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]


def test_special_files_are_written_through_not_replaced(
    sample_report: Report, tmp_path: Path
) -> None:
    import os
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        render_report(sample_report, "json", fifo)
        assert stat.S_ISFIFO(fifo.stat().st_mode)
        assert json.loads(os.read(reader, 1 << 20).decode())["verdict"] == "fail"
    finally:
        os.close(reader)
    render_report(sample_report, "json", Path("/dev/null"))
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    with pytest.raises(RealityCheckError, match="is a directory"):
        render_report(sample_report, "json", tmp_path)


def test_terminal_text_is_not_markup(sample_report: Report) -> None:
    odd = sample_report.model_copy(deep=True)
    odd.stages[1].blocks.append(
        odd.stages[1]
        .blocks[2]
        .model_copy(
            update={"title": "[bold]t[/]", "columns": ["[x]"], "rows": [["copilot[bot]", "[/]"]]}
        )
    )
    odd.stages[1].summary = "route [a-z-]+ changed [/]"
    text = renderer("text")(odd)
    assert "copilot[bot]" in text and "[a-z-]+" in text and "[bold]t[/]" in text


def test_informational_stage_reads_ran_and_details_fold(sample_report: Report) -> None:
    from realitycheck.report.terminal import render as terminal

    info = sample_report.model_copy(deep=True)
    info.stages[0].gate = False
    assert "| Provenance | ℹ️ ran |" in renderer("markdown")(info)
    folded = terminal(info, verbose=False)
    assert "▸ Examples (folded: -v shows it)" in folded and "<b>old</b>" not in folded
    assert "<b>old</b>" in terminal(info, verbose=True)
