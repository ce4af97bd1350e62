"""Reports and stages for the foundation's tests."""

from __future__ import annotations

import pytest

from realitycheck.core.report import (
    Bullets,
    Change,
    Check,
    CheckOutcome,
    Details,
    Finding,
    Paragraph,
    Reason,
    Report,
    SideBySide,
    StageReport,
    StageStatus,
    Table,
    Verdict,
)


@pytest.fixture
def sample_report() -> Report:
    """A report with one stage of each status and every kind of display block."""
    failed = StageReport(
        name="assumptions",
        title="Assumptions",
        status=StageStatus.RAN,
        summary="1 of 2 assumptions violated",
        failures=[Reason(check="assumptions", message="A1 violated in 2.8% of 41,203 samples")],
        data={"ledger": [{"id": "A1"}]},
        blocks=[
            Paragraph(text="Checked against the recorded corpus."),
            Bullets(title="Confirm", items=["M3 key present", "M4 | pipe"]),
            Table(title="Checks", columns=["id", "rate"], rows=[["A1", "2.8%"], ["A2 | x", "0%"]]),
            Details(
                summary="Examples",
                blocks=[
                    SideBySide(
                        title="s_1",
                        left_title="base",
                        left="<b>old</b>",
                        right_title="head",
                        right="new",
                    ),
                ],
            ),
        ],
        checks=[
            Check(name="A1", outcome=CheckOutcome.FAILED, message="violated"),
            Check(name="A2", outcome=CheckOutcome.PASSED),
        ],
        findings=[
            Finding(
                stage="assumptions",
                rule_id="key-present",
                message="m",
                path="src/x.py",
                lines=[(3, 4)],
            )
        ],
    )
    ran = StageReport(
        name="provenance",
        title="Provenance",
        status=StageStatus.RAN,
        summary="62% of changed lines AI-written",
        data={"ai_line_share": 0.62},
    )
    skipped = StageReport.skipped("replay", "Replay", "no corpus")
    errored = StageReport.errored("boundaries", "Boundaries", "CODEOWNERS:3: bad pattern")
    return Report(
        verdict=Verdict.FAIL,
        reasons=[Reason(check="assumptions", message="A1 violated")],
        change=Change(repo="/r", base="a" * 40, head="b" * 40, commits=3),
        stages=[ran, failed, skipped, errored],
    )
