"""On the demo: the share of the bugs replay finds that a mined assumption predicted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from realitycheck.demo.run import run_demo
from realitycheck.demo.steps import pdfs


def _measure() -> Any:
    """tests/assumptions/measure.py, the same measure the Flask service test uses."""
    path = Path(__file__).resolve().parents[1] / "assumptions" / "measure.py"
    spec = importlib.util.spec_from_file_location("_measure", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_measure"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_demo_replays_two_bugs_and_mining_predicts_the_webhook_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    said: list[str] = []
    if not pdfs.fetch_pdfs(tmp_path / "cache" / "pikepdf", said.append):
        pytest.skip(f"pikepdf's PDFs could not be fetched: {said[-1] if said else ''}")
    _, report = run_demo(tmp_path / "docsvc-demo", cache=tmp_path / "cache", say=said.append)
    measured = _measure().share(report.to_json())
    with capsys.disabled():
        print(f"\ndemo: {measured}")
    assert sorted(measured.bugs) == ["fn:docsvc.extract:extract_text", "fn:docsvc.hooks:handle"]
    # the PDF fast path is predicted by the ledger's declared A1, not by mining
    assert measured.predicted == ["fn:docsvc.hooks:handle"]
