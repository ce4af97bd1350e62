"""SARIF 2.1.0 over every stage's located findings, for GitHub code scanning annotations.

Each line range of a finding becomes one result (code scanning annotates a result's first
location only). Rules are collected from the findings, so a stage adds SARIF results just by
reporting `Finding`s. Stages that were skipped or errored become tool notifications, so the
log never reads as a clean run when a check did not run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from realitycheck import __version__
from realitycheck.core.report import Finding, Level, Report, StageStatus

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT = "%SRCROOT%"
_LEVEL = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "note"}


def _rule(finding: Finding) -> dict[str, Any]:
    name = finding.rule_name or finding.rule_id
    rule: dict[str, Any] = {
        "id": finding.rule_id,
        "name": name,
        "shortDescription": {"text": name},
        "defaultConfiguration": {"level": _LEVEL[finding.level]},
        "properties": {"stage": finding.stage},
    }
    if finding.rule_description:
        rule["fullDescription"] = {"text": finding.rule_description}
        rule["help"] = {"text": finding.rule_description}
    return rule


def _location(finding: Finding, lines: tuple[int, int] | None) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": quote(finding.path), "uriBaseId": ROOT},
    }
    if lines is not None:
        physical["region"] = {"startLine": max(1, lines[0]), "endLine": max(1, lines[1])}
    return {"physicalLocation": physical}


def _results(finding: Finding, index: int) -> list[dict[str, Any]]:
    text = finding.message
    if finding.help:
        text += f"\nNext step: {finding.help}"
    spans: list[tuple[int, int] | None] = list(finding.lines) or [None]
    return [
        {
            "ruleId": finding.rule_id,
            "ruleIndex": index,
            "level": _LEVEL[finding.level],
            "message": {"text": text},
            "locations": [_location(finding, span)],
            "properties": {"stage": finding.stage, "help": finding.help or ""},
        }
        for span in spans
    ]


def sarif_log(report: Report) -> dict[str, Any]:
    """The SARIF log as a dict."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for finding in report.findings:
        if finding.rule_id not in index:
            index[finding.rule_id] = len(rules)
            rules.append(_rule(finding))
        results += _results(finding, index[finding.rule_id])
    notes = [
        {
            "level": "error" if stage.status is StageStatus.ERROR else "note",
            "message": {"text": f"stage '{stage.name}' {stage.status.value}: {stage.reason}"},
            "descriptor": {"id": stage.name},
        }
        for stage in report.stages
        if stage.status is not StageStatus.RAN
    ]
    root = Path(report.change.repo)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "realitycheck",
                "version": report.tool_version or __version__,
                "rules": rules,
            }
        },
        "invocations": [
            {
                "executionSuccessful": report.verdict.value != "error",
                "toolExecutionNotifications": notes,
            }
        ],
        "results": results,
        "properties": {
            "verdict": report.verdict.value,
            "base": report.change.base,
            "head": report.change.head,
            "reasons": [r.message for r in report.reasons],
        },
    }
    if root.is_absolute():
        run["originalUriBaseIds"] = {ROOT: {"uri": root.as_uri() + "/"}}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, *, color: bool = False) -> str:
    """The SARIF 2.1.0 log as JSON text."""
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False)
