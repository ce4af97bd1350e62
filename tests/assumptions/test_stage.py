"""The stage's policy on its own: fail closed without provenance, signals, what is listed."""

from __future__ import annotations

from pathlib import Path

from realitycheck.assumptions.gate import evaluate
from realitycheck.assumptions.section import checks, data, findings
from realitycheck.core.config.assumptions import AssumptionsConfig
from realitycheck.core.report import CheckOutcome

from .conftest import MakeChange, sample, write_corpus

CODE = "def handle(e):\n    return e['a']['b'], e['c']\n"
TARGET = "fn:app.hooks:handle"


def test_without_provenance_the_change_counts_as_ai(make_change: MakeChange) -> None:
    change = make_change({}, {"src/app/hooks.py": CODE})
    result = change.analyse(ai_line_share=None)
    assert result.ledger_required
    assert any("counts as AI-written (fail closed)" in w for w in result.warnings)
    gate = evaluate(result, AssumptionsConfig(), ledger_path=".realitycheck/assumptions/x.yaml")
    (reason,) = gate.failures
    assert "of unknown provenance" in reason.message
    assert ".realitycheck/assumptions/x.yaml" in reason.message


def test_below_the_threshold_no_ledger_is_needed(make_change: MakeChange) -> None:
    change = make_change({}, {"src/app/hooks.py": CODE})
    config = AssumptionsConfig(require_ledger_above=0.5)
    assert not change.analyse(ai_line_share=0.5, config=config).ledger_required
    assert change.analyse(ai_line_share=0.51, config=config).ledger_required


def test_signals_findings_and_checks(make_change: MakeChange, tmp_path: Path) -> None:
    change = make_change({}, {"src/app/hooks.py": CODE})
    docs = [{"a": {"b": 1}, "c": 2}] * 8 + [{"a": {}, "c": 2}] * 2
    corpus = write_corpus(
        tmp_path / "c", [sample(TARGET, {"args": {"e": d}}, i) for i, d in enumerate(docs)]
    )
    result = change.analyse(corpus)
    gate = evaluate(result, AssumptionsConfig(), ledger_path="l.yaml")
    signals = {s.name: s for s in gate.signals}
    assert set(signals) == {"ledger-missing", "assumptions-violated", "assumptions-undeclared"}
    assert signals["assumptions-undeclared"].value == 1.0
    section = data(result, gate)
    assert section["counts"]["violated"] == 1 and section["ledger_expected_at"] == "l.yaml"
    assert {m["path"] for m in section["mined"]} == {"$.args.e.a", "$.args.e.a.b", "$.args.e.c"}
    bad = next(m for m in section["mined"] if m["path"] == "$.args.e.a.b")
    assert bad["result"]["violations"] == 2 and bad["result"]["n"] == 10
    assert section["confirm"] == [
        m["id"] for m in section["mined"] if m["result"]["status"] == "holds"
    ]
    located = findings(result)
    assert any(f.level.value == "error" and f.path == "src/app/hooks.py" for f in located)
    outcomes = {c.outcome for c in checks(result)}
    assert outcomes == {CheckOutcome.PASSED, CheckOutcome.FAILED}
