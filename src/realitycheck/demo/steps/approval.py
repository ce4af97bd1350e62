"""The boundaries chapter: the agent changed a response model the API owners own; their approval
of the head commit (served by a local stand-in for GitHub's API) lets the boundary gate pass."""

from __future__ import annotations

from typing import Any

from realitycheck.boundaries.approvals.inputs import API_URL, PR, REPO, TOKEN
from realitycheck.core.report import Report, StageStatus
from realitycheck.demo.steps.github_standin import GitHubStandIn
from realitycheck.demo.story import DemoContext
from realitycheck.pipeline import VerifyOptions, verify

REPOSITORY = "example-org/docsvc"
PULL_REQUEST = 7
API_OWNERS = "@example-org/api-owners"
APPROVER = "api-owner-1"


def _blocking(report: Report) -> list[dict[str, Any]]:
    stage = report.stage("boundaries")
    if stage is None or stage.status is not StageStatus.RAN:
        return []
    return [f for f in stage.data.get("findings", []) if f.get("blocking")]


def approved_by_owner(ctx: DemoContext, report: Report) -> None:
    """Show the boundary the agent crossed, then verify again once its owners approved."""
    stage = report.stage("boundaries")
    if stage is None or stage.status is not StageStatus.RAN:
        why = stage.reason if stage is not None else "not registered"
        ctx.say(f"boundaries did not run ({why}); skipping the approval chapter")
        return
    blocking = _blocking(report)
    if not blocking:
        ctx.say("boundaries: the agent's commit crossed no boundary that needs an approval")
        return
    for f in blocking:
        lines = ",".join(f"{a}-{b}" if a != b else str(a) for a, b in f["lines"])
        ctx.say(
            f"boundaries: {f['file']}:{lines} ({f['symbol'] or f['rule']}) is AI-written inside "
            f"a boundary owned by {', '.join(f['owners']) or 'nobody'}: {f['reasons'][0]}"
        )
    ctx.say(f"the gate fails until they approve; next step: {blocking[0]['next_step']}")
    assert ctx.head is not None
    review = {
        "id": 80,
        "user": {"login": APPROVER, "type": "User"},
        "body": "The response model change is intended; clients are updated.",
        "state": "APPROVED",
        "commit_id": ctx.head,
        "submitted_at": "2026-11-26T09:00:00Z",
        "author_association": "MEMBER",
    }
    teams = {API_OWNERS: [APPROVER], "@example-org/maintainers": ["maintainer"]}
    with GitHubStandIn(REPOSITORY, PULL_REQUEST, ctx.head, [review], teams) as api:
        ctx.say(
            f"STAND-IN, not GitHub: a local server on {api.url} answers GitHub's REST API for "
            f"pull request {REPOSITORY}#{PULL_REQUEST}, where @{APPROVER} of {API_OWNERS} "
            f"approved commit {ctx.head[:7]}"
        )
        extra = {REPO: REPOSITORY, PR: PULL_REQUEST, TOKEN: "demo-token", API_URL: api.url}
        again = verify(
            VerifyOptions(repo=ctx.root, base="main", head="HEAD", extra=extra), events=ctx.events
        )
    after = again.stage("boundaries")
    left = _blocking(again)
    if after is None or after.status is not StageStatus.RAN:
        ctx.say(f"verify with the approval: boundaries {after.status.value if after else 'absent'}")
        return
    word = "passes" if not after.failures else "still fails"
    ctx.say(f"verify with the approval: the boundaries gate {word} ({after.summary})")
    for f in left:
        ctx.say(f"  still blocking: {f['file']} ({f['symbol']}): {f['next_step']}")
    others = [r.check for r in again.reasons if r.check != "boundaries"]
    if others:
        ctx.say(
            f"the overall verdict is {again.verdict.value.upper()} because of other checks: "
            f"{', '.join(dict.fromkeys(others))}"
        )
    else:
        ctx.say(f"the overall verdict is now {again.verdict.value.upper()}")
