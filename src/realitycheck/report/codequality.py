"""GitLab Code Quality: a JSON array of issues, shown in the merge request's widget and diff.

Each issue has GitLab's required fields (`description`, `check_name`, `fingerprint`, `severity`,
`location.path`, `location.lines.begin`). Every line range of a located finding is one issue.
A stage that was skipped or errored, or a gate failure with no located finding, becomes an
issue at the repository root (`.`), so an empty widget never reads as a clean change when a
check did not run. Fingerprints leave out line numbers, so an issue keeps its identity when
lines move above it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from realitycheck.core.report import Finding, Level, Report, StageStatus

SEVERITY = {Level.ERROR: "critical", Level.WARNING: "minor", Level.NOTE: "info"}
ROOT = "."


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _issue(
    description: str, check: str, severity: str, path: str, lines: tuple[int, int], key: str
) -> dict[str, Any]:
    return {
        "type": "issue",
        "description": description,
        "check_name": check,
        "fingerprint": _fingerprint(check, path, key),
        "severity": severity,
        "location": {"path": path, "lines": {"begin": max(1, lines[0]), "end": max(1, lines[1])}},
    }


def _finding_issues(finding: Finding) -> list[dict[str, Any]]:
    text = finding.message + (f" Next step: {finding.help}" if finding.help else "")
    check = f"realitycheck/{finding.stage}/{finding.rule_id}"
    spans = list(finding.lines) or [(1, 1)]
    return [
        _issue(text, check, SEVERITY[finding.level], finding.path, span, f"{finding.message}#{i}")
        for i, span in enumerate(spans)
    ]


def issues(report: Report) -> list[dict[str, Any]]:
    """The Code Quality issues of a report."""
    out: list[dict[str, Any]] = []
    for stage in report.stages:
        if stage.status is not StageStatus.RAN:
            word = "was skipped" if stage.status is StageStatus.SKIPPED else "could not run"
            severity = "major" if any(r.check == stage.name for r in report.reasons) else "info"
            out.append(
                _issue(
                    f"{stage.title} {word}: {stage.reason or 'no reason given'}",
                    f"realitycheck/{stage.name}/did-not-run",
                    severity,
                    ROOT,
                    (1, 1),
                    stage.name,
                )
            )
            continue
        for finding in stage.findings:
            out.extend(_finding_issues(finding))
        if stage.failures and not stage.findings:
            for failure in stage.failures:
                out.append(
                    _issue(
                        failure.message,
                        f"realitycheck/{stage.name}/gate",
                        "critical",
                        ROOT,
                        (1, 1),
                        failure.message,
                    )
                )
    seen: dict[str, int] = {}
    for item in out:  # GitLab drops all but one issue of a fingerprint: keep them apart
        n = seen.get(item["fingerprint"], 0)
        seen[item["fingerprint"]] = n + 1
        if n:
            item["fingerprint"] = _fingerprint(item["fingerprint"], str(n))
    return out


def render(report: Report, *, color: bool = False) -> str:
    """The Code Quality report (a JSON array)."""
    return json.dumps(issues(report), indent=2, ensure_ascii=False) + "\n"
