"""The SARIF renderer: generic over every stage's findings, valid against the 2.1.0 schema."""

from __future__ import annotations

import json
from typing import Any

from realitycheck.core.report import (
    Change,
    Finding,
    Level,
    Report,
    StageReport,
    StageStatus,
    Verdict,
)
from realitycheck.report import render_report
from realitycheck.report.sarif import sarif_log

from .conftest import validate_sarif


def _report() -> Report:
    boundary = Finding(
        stage="boundaries",
        rule_id="boundaries/routes",
        rule_name="HTTP route handlers",
        rule_description="Handlers and their models are the contract with clients.",
        level=Level.ERROR,
        message="AI-written lines inside a boundary (routes: DocumentOut).",
        path="src/docs svc/api.py",
        lines=[(16, 17), (25, 25)],
        help="ask @example-org/api-owners to review commit abc1234",
    )
    other = Finding(
        stage="assumptions",
        rule_id="key-present",
        level=Level.WARNING,
        message="assumed always present: absent in 2.8% of samples",
        path="src/docsvc/hooks.py",
    )
    again = boundary.model_copy(update={"lines": [(3, 4)], "level": Level.NOTE})
    return Report(
        tool_version="0.1.0",
        verdict=Verdict.FAIL,
        change=Change(repo="/tmp/repo", base="a" * 40, head="b" * 40, commits=1),
        stages=[
            StageReport(
                name="boundaries",
                title="Boundaries",
                status=StageStatus.RAN,
                findings=[boundary, again],
            ),
            StageReport(
                name="assumptions", title="Assumptions", status=StageStatus.RAN, findings=[other]
            ),
            StageReport.skipped("replay", "Replay", "no corpus"),
            StageReport.errored("corpus", "Corpus", "cannot open the corpus"),
        ],
    )


def test_sarif_is_valid_and_generic(sarif_schema: dict[str, Any]) -> None:
    text = render_report(_report(), "sarif")
    assert text is not None
    log = json.loads(text)
    validate_sarif(log, sarif_schema)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["boundaries/routes", "key-present"]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("boundaries/routes", "error"),
        ("boundaries/routes", "error"),
        ("boundaries/routes", "note"),
        ("key-present", "warning"),
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    first = results[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"] == {"uri": "src/docs%20svc/api.py", "uriBaseId": "%SRCROOT%"}
    assert first["region"] == {"startLine": 16, "endLine": 17}
    assert "Next step: ask @example-org/api-owners" in results[0]["message"]["text"]
    assert "region" not in results[3]["locations"][0]["physicalLocation"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["level"]) for n in notes] == [
        ("replay", "note"),
        ("corpus", "error"),
    ]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///tmp/repo/"


def test_an_empty_report_is_valid_sarif(sarif_schema: dict[str, Any]) -> None:
    report = Report(verdict=Verdict.PASS, change=Change(repo="relative", base=None, head="c" * 40))
    log = sarif_log(report)
    validate_sarif(log, sarif_schema)
    assert log["runs"][0]["results"] == []


def test_the_schema_rejects_a_broken_log(sarif_schema: dict[str, Any]) -> None:
    """The validation is real: a log missing required parts fails it."""
    log = sarif_log(_report())
    del log["runs"][0]["tool"]
    try:
        validate_sarif(log, sarif_schema)
    except AssertionError as exc:
        assert "tool" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a SARIF log without a tool passed the schema")
