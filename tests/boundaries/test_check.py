"""The gate over a change: declared rules, owners, unknown lines, and what approvals decide."""

from __future__ import annotations

import pytest

from realitycheck.boundaries.approvals import Review, ReviewSet, latest_verdicts
from realitycheck.boundaries.model import ApprovalState, Policy
from realitycheck.core.errors import ConfigError
from realitycheck.provenance.model import FileProvenance, ProvenanceResult

from .conftest import MakeChange

MODELS = "from pydantic import BaseModel\n\n\nclass Out(BaseModel):\n    id: str\n"
API = (
    "from fastapi import FastAPI\n\nfrom .models import Out\n\napp = FastAPI()\n\n\n"
    '@app.get("/things/{id}", response_model=Out)\n'
    "def read(id: str):\n    return {'id': id}\n"
)
BASE = {
    "svc/__init__.py": "",
    "svc/models.py": MODELS,
    "svc/api.py": API,
    "svc/payments/charge.py": "def charge(amount):\n    return amount\n",
    "CODEOWNERS": "* @example-org/maintainers\n/svc/models.py @example-org/api-owners\n",
}
HEAD = {
    "svc/models.py": MODELS + "    name: str\n",
    "svc/payments/charge.py": "def charge(amount):\n    return round(amount, 2)\n",
}


class Source:
    """An approval source over fixed reviews (the GitHub client has its own tests)."""

    description = "fixed reviews"

    def __init__(self, head: str, reviews: list[Review], teams: dict[str, set[str]]) -> None:
        self.set = ReviewSet(head=head, where="pull request example-org/svc#3")
        self.set.latest = latest_verdicts(reviews)
        self.teams = teams

    def reviews(self) -> ReviewSet:
        return self.set

    def team_members(self, team: str) -> set[str]:
        return self.teams.get(team, set())


def test_codeowners_owner_and_missing_approval(make_change: MakeChange) -> None:
    change = make_change(BASE, HEAD)
    result = change.check()
    [finding] = result.findings
    assert (finding.path, finding.symbol) == ("svc/models.py", "Out")
    assert finding.owners == ["@example-org/api-owners"]
    assert finding.owners_from == "CODEOWNERS:2"
    assert finding.approval.state is ApprovalState.MISSING
    assert finding.blocking
    assert finding.next_step == f"ask @example-org/api-owners to review commit {change.head[:7]}"


def test_declared_rules_last_match_wins_and_forbidden_ignores_approvals(
    make_change: MakeChange,
) -> None:
    change = make_change(BASE, HEAD)
    config = {
        "rules": [
            {"name": "everything", "paths": ["svc/"], "policy": "requires-approval"},
            {
                "name": "payments",
                "paths": ["svc/payments/"],
                "owners": ["@example-org/payments"],
                "policy": "forbidden",
            },
        ]
    }
    approve = [Review("pay-lead", "APPROVED", change.head)]
    source = Source(change.head, approve, {"@example-org/payments": {"pay-lead"}})
    result = change.check(config, source=source)
    by_path = {f.path: f for f in result.findings}
    pay = by_path["svc/payments/charge.py"]
    assert (pay.rule, pay.declared, pay.policy) == ("payments", True, Policy.FORBIDDEN)
    assert pay.approval.state is ApprovalState.NOT_ACCEPTED and pay.blocking
    assert pay.next_step.startswith(
        "have @example-org/payments write lines svc/payments/charge.py:2"
    )
    models = by_path["svc/models.py"]
    assert models.rule == "everything" and "routes" in models.also
    assert models.owners == ["@example-org/api-owners"]  # the rule names none: CODEOWNERS


def test_allowed_rule_silences_detectors(make_change: MakeChange) -> None:
    change = make_change(BASE, HEAD)
    config = {"rules": [{"name": "generated", "paths": ["svc/models.py"], "policy": "allowed"}]}
    assert change.check(config).findings == []


def test_bad_rule_pattern_is_a_config_error(make_change: MakeChange) -> None:
    change = make_change(BASE, HEAD)
    with pytest.raises(ConfigError, match="'!' negation"):
        change.check({"rules": [{"name": "x", "paths": ["!svc/"]}]})


@pytest.mark.parametrize(
    ("policy", "findings", "blocking"),
    [("strict", 1, True), ("warn", 1, False), ("ignore", 0, False)],
)
def test_unknown_lines_policy(
    make_change: MakeChange, policy: str, findings: int, blocking: bool
) -> None:
    change = make_change(BASE, HEAD)
    result = change.check({"unknown_lines": policy}, origin="unknown")
    assert len(result.findings) == findings
    assert bool(result.blocking) is blocking
    if findings:
        assert result.findings[0].origin == "unknown"


def test_human_lines_follow_normal_review(make_change: MakeChange) -> None:
    change = make_change(BASE, HEAD)
    result = change.check(origin="human")
    assert result.findings == []
    assert result.human_lines == 1


def test_mixed_origins_only_ai_lines_are_findings(make_change: MakeChange) -> None:
    change = make_change(BASE, {"svc/models.py": MODELS + "    name: str\n    size: int\n"})
    provenance = ProvenanceResult(
        base=change.base,
        head=change.head,
        files=[FileProvenance(path="svc/models.py", ai=[(7, 7)], human=[(6, 6)])],
    )
    result = change.check(provenance=provenance)
    assert [(f.lines, f.origin) for f in result.findings] == [([(7, 7)], "ai")]
    assert result.human_lines == 1


def test_owners_come_from_the_base_codeowners(make_change: MakeChange) -> None:
    """The change cannot name its own owners: GitHub reads CODEOWNERS from the base branch."""
    head = dict(HEAD, CODEOWNERS="* @agent-friend\n")
    result = make_change(BASE, head).check()
    models = next(f for f in result.findings if f.path == "svc/models.py")
    assert models.owners == ["@example-org/api-owners"]
    assert any(f.path == "CODEOWNERS" and f.rule == "ci_config" for f in result.findings)


@pytest.mark.parametrize(
    ("reviews", "state"),
    [
        ([("api-1", "APPROVED", "head")], ApprovalState.APPROVED),
        ([("api-1", "APPROVED", "old")], ApprovalState.STALE),
        ([("api-1", "APPROVED", "head"), ("api-1", "COMMENTED", "head")], ApprovalState.APPROVED),
        (
            [("api-1", "APPROVED", "head"), ("api-1", "CHANGES_REQUESTED", "head")],
            ApprovalState.MISSING,
        ),
        ([("api-1", "DISMISSED", "head")], ApprovalState.MISSING),
        ([("someone-else", "APPROVED", "head")], ApprovalState.MISSING),
        ([("Maintainer-1", "APPROVED", "head")], ApprovalState.MISSING),
    ],
)
def test_approval_decisions(
    make_change: MakeChange, reviews: list[tuple[str, str, str]], state: ApprovalState
) -> None:
    change = make_change(BASE, {"svc/models.py": HEAD["svc/models.py"]})
    resolved = [
        Review(login, verdict, change.head if commit == "head" else "1" * 40)
        for login, verdict, commit in reviews
    ]
    teams = {"@example-org/api-owners": {"api-1"}, "@example-org/maintainers": {"maintainer-1"}}
    result = change.check(source=Source(change.head, resolved, teams))
    [finding] = result.findings
    assert finding.approval.state is state
    assert finding.blocking is (state is not ApprovalState.APPROVED)
    if state is ApprovalState.APPROVED:
        assert finding.approval.by == ["api-1"]
    if state is ApprovalState.STALE:
        assert "approved 1111111, but the head is now" in finding.approval.detail
        assert finding.next_step.startswith("ask @example-org/api-owners to review commit")


def test_unowned_boundary_any_reviewer_or_fail(make_change: MakeChange) -> None:
    base = {k: v for k, v in BASE.items() if k != "CODEOWNERS"}
    change = make_change(base, {"svc/models.py": HEAD["svc/models.py"]})
    source = Source(change.head, [Review("reviewer", "APPROVED", change.head)], {})
    [ok] = change.check(source=source).findings
    assert ok.approval.state is ApprovalState.APPROVED and ok.owners == []
    [strict] = change.check({"unowned": "fail"}, source=source).findings
    assert strict.approval.state is ApprovalState.MISSING
    assert strict.next_step.startswith("name an owner for svc/models.py in CODEOWNERS")


def test_verified_head_must_be_the_pull_requests_head(make_change: MakeChange) -> None:
    change = make_change(BASE, {"svc/models.py": HEAD["svc/models.py"]})
    other = "2" * 40
    source = Source(other, [Review("api-1", "APPROVED", other)], {})
    result = change.check(source=source)
    [finding] = result.findings
    assert finding.approval.state is ApprovalState.UNKNOWN
    assert result.approval_error is not None and "2222222" in result.approval_error
