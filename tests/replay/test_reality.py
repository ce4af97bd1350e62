"""Reality coverage and the replay stage inside `verify`, on a real repository with an AI commit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from realitycheck.core.report import StageStatus
from realitycheck.pipeline import VerifyOptions, verify
from realitycheck.replay.reality import is_test_file, pytest_command

from .conftest import Change, write_samples

BASE_PRICE = """RATES = {"USD": 1.1, "GBP": 0.9}


def price(order):
    return round(order["amount"] * 1.2, 2)


def label(amount):
    return f"{amount:.2f}"
"""

HEAD_PRICE = """RATES = {"USD": 1.1, "GBP": 0.9}


def price(order):
    if order["amount"] == 0:
        return 0.0
    if order.get("currency", "EUR") == "EUR":
        return round(order["amount"] * 1.2, 2)
    if order.get("gift"):
        return 0.0
    rate = RATES[order["currency"]]
    return round(order["amount"] * rate, 2)


def label(amount):
    return f"{amount:.2f}"
"""

HUMAN_TEST = """from shop.price import label


def test_label():
    assert label(2) == "2.00"
"""

AI_TEST = """from shop.price import price


def test_euro_orders():
    assert price({"amount": 10}) == 12.0


def test_free_orders():
    assert price({"amount": 0}) == 0.0
"""

CONFIG = """default_branch = "main"

[replay]
source_roots = ["src"]
test_command = "python -m pytest -q tests"

[[replay.functions]]
target = "shop.price:price"
"""


def line_of(source: str, text: str) -> int:
    """The line number of the first line holding `text` (found here, not by the code under test)."""
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


@pytest.fixture
def shop(change_factory: Any) -> Change:
    base = {
        "src/shop/__init__.py": "",
        "src/shop/price.py": BASE_PRICE,
        "tests/test_label.py": HUMAN_TEST,
    }
    head = {"src/shop/price.py": HEAD_PRICE, "tests/test_price.py": AI_TEST}
    change = change_factory(base, head, config=CONFIG)
    orders = [{"amount": 10 + i, "currency": c} for i, c in enumerate(["USD", "GBP"] * 10)]
    write_samples(
        change.corpus_dir, "fn:shop.price:price", ({"args": {"order": o}} for o in orders)
    )
    return change


def run_verify(change: Change) -> Any:
    return verify(VerifyOptions(repo=change.root, base="main", head="HEAD"))


def test_reality_coverage_separates_real_inputs_tests_and_ai_tests(shop: Change) -> None:
    pytest.importorskip("realitycheck.pipeline.stages.provenance")
    report = run_verify(shop)
    stage = report.stage("replay")
    assert stage is not None and stage.status is StageStatus.RAN, stage and stage.reason
    cov = stage.data["reality_coverage"]
    src = HEAD_PRICE
    other_currency = [
        line_of(src, "rate = RATES"),
        line_of(src, 'return round(order["amount"] * rate'),
    ]
    gift = line_of(src, 'if order.get("gift")') + 1
    free = line_of(src, 'if order["amount"] == 0') + 1
    # real orders in other currencies take lines no test reaches
    replay_only = [(p, r) for p, r in cov["replay_only"]]
    assert ("src/shop/price.py", [other_currency[0], other_currency[1]]) in replay_only
    # the free-order branch only the AI-written test runs: not independent evidence
    assert ["src/shop/price.py", [free, free]] in cov["ai_tests_only"]
    # gift orders: neither a real input nor a test
    assert ["src/shop/price.py", [gift, gift]] in cov["uncovered"]
    assert cov["tests"]["ai_tests"] == [
        "tests/test_price.py::test_euro_orders",
        "tests/test_price.py::test_free_orders",
    ]
    assert cov["changed_lines"] == (
        cov["covered_by_replay"] + cov["covered_by_tests_only"] + cov["uncovered_lines"]
    )
    rules = {f.rule_id for f in stage.findings}
    assert {"replay/untested-real-path", "replay/ai-tests-only", "replay/unexecuted"} <= rules


def test_the_replay_stage_fails_an_unexpected_divergence_and_a_ledger_can_intend_it(
    shop: Change,
) -> None:
    report = run_verify(shop)
    stage = report.stage("replay")
    assert stage is not None
    [target] = stage.data["targets"]
    assert target["diverged"] == 20 and target["unexpected"] == 20
    assert any("fn:shop.price:price" in r.message for r in stage.failures)
    assert {s.name for s in stage.signals} >= {"replay-divergence"}
    pytest.importorskip("realitycheck.assumptions.ledger")
    ledger = shop.root / ".realitycheck" / "assumptions" / "pricing.yaml"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_text(
        "change: Prices in the order's currency\n"
        "assumptions:\n"
        "  - id: A1\n"
        "    kind: input-shape\n"
        "    statement: Every order names a currency we have a rate for\n"
        "expected_changes:\n"
        "  - target: fn:shop.price:price\n"
        "    path: $.return\n"
        "    category: value-changed\n"
        "    note: prices follow the order's currency now\n"
    )
    shop.repo.commit("Declare the intended change", extra_trailers=None)
    stage = run_verify(shop).stage("replay")
    assert stage is not None and stage.failures == []
    [group] = stage.data["targets"][0]["divergences"]
    assert group["expected"] and group["expected_note"] == "prices follow the order's currency now"
    assert stage.data["expected_changes"] is True


def test_without_a_corpus_a_configured_target_is_insufficient(change_factory: Any) -> None:
    change = change_factory({"a.py": "x = 1\n"}, {"a.py": "x = 2\n"}, config=CONFIG)
    stage = run_verify(change).stage("replay")
    assert stage is not None and stage.status is StageStatus.RAN and not stage.passed
    [short] = stage.insufficient
    assert "fn:shop.price:price: no corpus at" in short.message


def test_the_stage_skips_without_a_corpus_or_a_configured_target(change_factory: Any) -> None:
    config = CONFIG.split("[[replay.functions]]")[0]
    change = change_factory({"a.py": "x = 1\n"}, {"a.py": "x = 2\n"}, config=config)
    stage = run_verify(change).stage("replay")
    assert stage is not None and stage.status is StageStatus.SKIPPED
    assert "no corpus" in (stage.reason or "")


def test_test_files_and_test_commands() -> None:
    assert is_test_file("tests/test_x.py") and is_test_file("pkg/x_test.py")
    assert is_test_file("conftest.py") and not is_test_file("src/shop/price.py")
    assert pytest_command("pytest -q tests", "/py")[:5] == ["/py", "-m", "coverage", "run", "-m"]
    assert pytest_command("python -m pytest -x", "/py")[-2:] == ["pytest", "-x"]
    from realitycheck.core.errors import ConfigError

    with pytest.raises(ConfigError, match="does not run pytest"):
        pytest_command("make test", "/py")


def test_tests_that_cannot_run_leave_a_note(shop: Change, tmp_path: Path) -> None:
    shop.root.joinpath("realitycheck.toml").write_text(
        CONFIG.replace("python -m pytest -q tests", "python -m pytest -q --no-such-option")
    )
    shop.repo.commit("break the test command", extra_trailers=None)
    stage = run_verify(shop).stage("replay")
    assert stage is not None and stage.status is StageStatus.RAN
    tests = stage.data["reality_coverage"]["tests"]
    assert tests["ran"] is False
    assert "pytest exited with code 4 (usage error)" in tests["note"]
