"""The HTML report: one self-contained file with figures, read by headless Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from realitycheck.cli.main import main
from realitycheck.core.report import Change, Report, StageReport, StageStatus, Verdict
from realitycheck.report import renderer
from realitycheck.report.plots import GREEN, RED, figures

from .chromium import Chromium, find_chromium

FIGURES = ["provenance", "assumptions", "divergence", "coverage"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The demo's report, as HTML and JSON, from one real run of the bundled story."""
    out = tmp_path_factory.mktemp("demo")
    html, doc = out / "report.html", out / "report.json"
    code = main(["demo", "--dir", str(out / "repo"), "-f", f"html:{html}", "-f", f"json:{doc}"])
    assert code == 0
    return html, json.loads(doc.read_text())


def test_the_page_has_a_figure_per_kind_and_fetches_nothing(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    html, _ = demo
    text = html.read_text()
    for name in FIGURES:
        start = text.index(f'<figure id="figure-{name}"')
        assert "<svg" in text[start : text.index("</figure>", start)]
    assert "<script" not in text and " src=" not in text and "@import" not in text
    assert 'href="http' not in text and "url(http" not in text
    assert "default-src 'none'" in text  # the page itself forbids any fetch
    # ids are unique across the inline SVGs
    import re

    ids = re.findall(r' id="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_figures_say_in_words_what_they_draw(demo: tuple[Path, dict[str, Any]]) -> None:
    html, doc = demo
    text = html.read_text()
    reality = doc["replay"]["reality_coverage"]
    assert (
        f"{reality['covered_by_replay']} of {reality['changed_lines']} changed lines reached by "
        "recorded real inputs"
    ) in text
    extract = next(t for t in doc["replay"]["targets"] if "extract" in t["target"])
    assert f"{extract['target']}: {extract['diverged']} of {extract['replayed']} diverged" in text


def report_with(*stages: StageReport) -> Report:
    return Report(
        verdict=Verdict.FAIL, change=Change(repo=".", base="a", head="b"), stages=list(stages)
    )


def test_no_figure_for_what_did_not_run_or_ran_on_nothing() -> None:
    skipped = StageReport.skipped("replay", "Differential replay", "no corpus")
    assert figures(report_with(skipped)) == []
    nothing = StageReport(
        name="replay", title="Differential replay", status=StageStatus.RAN,
        data={"targets": [{"target": "fn:a:b", "samples": 0, "replayed": 0, "diverged": 0,
                           "rate": None}],
              "reality_coverage": {"changed_lines": 0}},
    )  # fmt: skip
    unchecked = StageReport(
        name="assumptions", title="Assumptions", status=StageStatus.RAN,
        data={"ledger": [{"id": "A1", "statement": "x", "result": {"status": "unchecked"}}]},
    )  # fmt: skip
    assert figures(report_with(nothing, unchecked)) == []
    assert "<figure" not in renderer("html")(report_with(nothing, unchecked))


def test_intervals_are_wilson_intervals_as_scipy_computes_them() -> None:
    from scipy.stats import binomtest

    stage = StageReport(
        name="replay", title="Differential replay", status=StageStatus.RAN,
        data={"targets": [{"target": "fn:a:b", "samples": 61, "replayed": 61, "diverged": 17,
                           "unexpected": 17, "rate": 17 / 61}]},
    )  # fmt: skip
    from realitycheck.report.plots import _interval

    rate, low, high = _interval(17, 61)
    ci = binomtest(17, 61).proportion_ci(method="wilson")
    assert rate == pytest.approx(17 / 61)
    assert (low, high) == pytest.approx((ci.low, ci.high), abs=1e-6)
    (fig,) = figures(report_with(stage))
    assert fig.name == "divergence" and fig.svg.startswith("<svg")


chromium_binary = find_chromium()
needs_chromium = pytest.mark.skipif(
    chromium_binary is None,
    reason="Chromium is not installed (scripts/services.sh installs Debian's chromium)",
)


@needs_chromium
def test_chromium_renders_the_report_without_errors(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    html, _ = demo
    assert chromium_binary is not None
    with Chromium(chromium_binary, tmp_path / "profile") as browser:
        browser.open(html.as_uri())
        shown = browser.evaluate(
            "[...document.querySelectorAll('figure')].map(f => ({id: f.id, "
            "w: f.querySelector('svg').getBoundingClientRect().width, "
            "h: f.querySelector('svg').getBoundingClientRect().height}))"
        )
        title = browser.evaluate("document.title")
        shot = browser.screenshot(tmp_path / "report.png")
        problems, requested = browser.problems(), browser.requested()
    print(f"screenshot of the HTML report: {shot}")
    assert problems == []
    assert requested == [html.as_uri()]
    assert title.startswith("realitycheck: ")
    assert sorted(f["id"] for f in shown) == sorted(f"figure-{n}" for n in FIGURES)
    assert all(f["w"] > 300 and f["h"] > 100 for f in shown), shown

    from PIL import Image

    with Image.open(shot) as image:
        assert image.width >= 1000 and image.height > 2000
        colours = {c for _, c in image.convert("RGB").getcolors(maxcolors=1 << 20) or []}
    for hex_colour in (GREEN, RED):  # the plots' colours are on the page
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, hex_colour


@needs_chromium
def test_the_browser_check_catches_a_page_that_fetches(tmp_path: Path) -> None:
    """The same check fails a page that tries the network: it is not blind."""
    page = tmp_path / "fetching.html"
    report = renderer("html")(report_with())
    page.write_text(
        report.replace(
            "</body>", '<img src="http://127.0.0.1:9/x.png"><script>oops()</script></body>'
        )
    )
    assert chromium_binary is not None
    with Chromium(chromium_binary, tmp_path / "profile") as browser:
        browser.open(page.as_uri())
        problems, requested = browser.problems(), browser.requested()
    assert problems, "a blocked fetch and a blocked script must show as problems"
    assert any("Content Security Policy" in p for p in problems)
    assert "http://127.0.0.1:9/x.png" in requested  # attempted (and blocked): it is seen


def test_edges_of_the_data_draw_or_say_why() -> None:
    nothing_diverged = StageReport(
        name="replay", title="Differential replay", status=StageStatus.RAN,
        data={"targets": [{"target": "fn:a:b", "samples": 7, "replayed": 7, "diverged": 0,
                           "unexpected": 0, "rate": 0.0},
                          {"target": "fn:a:c", "samples": 3, "replayed": 3, "diverged": 3,
                           "unexpected": 3, "rate": 1.0}]},
    )  # fmt: skip
    (fig,) = figures(report_with(nothing_diverged))
    assert fig.svg.startswith("<svg") and "fn:a:b: 0 of 7 diverged" in fig.caption
    odd = StageReport(
        name="provenance", title="Provenance", status=StageStatus.RAN,
        data={"files": [{"path": "x.py", "ai": "lines 1-3"}]},
    )  # fmt: skip
    (fig,) = figures(report_with(odd))
    assert fig.svg == "" and fig.caption.startswith("this figure could not be drawn")
    assert "could not be drawn" in renderer("html")(report_with(odd))
