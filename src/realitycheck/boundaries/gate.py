"""The gate: which findings need an approval, whether they have one, and the next step for each."""

from __future__ import annotations

from collections.abc import Callable

from realitycheck.boundaries.approvals import ApprovalError, ApprovalSource, ReviewSet
from realitycheck.boundaries.approvals.decide import decide, short
from realitycheck.boundaries.model import Approval, ApprovalState, BoundaryFinding, Policy
from realitycheck.core.errors import GitError
from realitycheck.core.git import Git

UNKNOWN_NOTE = "; lines of unknown origin count as AI-written until provenance says who wrote them"


def owners_text(finding: BoundaryFinding) -> str:
    """`@a or @org/b` for messages."""
    return " or ".join(finding.owners) if finding.owners else "a maintainer"


def covers(git: Git, head: str, pr_head: str) -> bool:
    """Whether approvals of the pull request's head cover the verified head.

    They do when both are the same commit, or when the verified head is the merge commit
    GitHub Actions checks out for a pull request, with the pull request's head as a parent.
    """
    if head == pr_head:
        return True
    try:
        parents = git.run("rev-parse", f"{head}^@").split()
    except GitError:
        return False
    return len(parents) > 1 and pr_head in parents


def apply_approvals(
    findings: list[BoundaryFinding],
    *,
    git: Git,
    head: str,
    source: ApprovalSource | None,
    no_source: str,
    unowned: str,
    unknown_lines: Callable[[str], tuple[str, str]],
) -> str | None:
    """Set each finding's approval, blocking flag and next step; the lookup error, if any."""
    needs: list[BoundaryFinding] = []
    for f in findings:
        setting, key = unknown_lines(f.path)
        strict = f.origin == "ai" or setting == "strict"
        if f.policy is Policy.FORBIDDEN:
            f.approval = Approval(
                state=ApprovalState.NOT_ACCEPTED,
                detail="approvals do not lift a forbidden boundary",
            )
            f.blocking = strict
            f.next_step = (
                f"have {owners_text(f)} write lines {f.where} by hand: AI-written lines are "
                f"forbidden in '{f.rule}', whoever approves"
            )
            if f.origin == "unknown" and strict:
                f.next_step += UNKNOWN_NOTE
        elif not strict:
            f.approval = Approval(
                state=ApprovalState.NOT_NEEDED,
                detail=f'lines of unknown origin; {key} = "{setting}"',
            )
            f.next_step = f"confirm who wrote {f.where}; if a model did, ask {owners_text(f)}"
        else:
            needs.append(f)
    if not needs:
        return None
    if source is None:
        for f in needs:
            f.approval = Approval(state=ApprovalState.MISSING, commit=head, detail=no_source)
            _step(f, None, head, unowned)
        return None
    try:
        reviews = source.reviews()
    except ApprovalError as exc:
        for f in needs:
            f.approval = Approval(state=ApprovalState.UNKNOWN, commit=head, detail=exc.message)
            f.blocking = True
            f.next_step = f"fix the approval lookup, then run again: {exc.hint or exc.message}"
        return str(exc)
    if not covers(git, head, reviews.head):
        detail = (
            f"{reviews.where} is at {short(reviews.head)}, but the verified head is {short(head)}"
        )
        for f in needs:
            f.approval = Approval(state=ApprovalState.UNKNOWN, commit=reviews.head, detail=detail)
            f.blocking = True
            f.next_step = (
                f"verify the pull request's head {short(reviews.head)}, or push {short(head)} "
                "to the pull request and run again"
            )
        return detail
    for f in needs:
        f.approval = decide(f.owners, reviews, source, unowned=unowned)
        _step(f, reviews, reviews.head, unowned)
    return None


def _step(f: BoundaryFinding, reviews: ReviewSet | None, commit: str, unowned: str) -> None:
    """The blocking flag and the exact next step of a finding that needs an approval."""
    state = f.approval.state
    f.blocking = state is not ApprovalState.APPROVED
    where = f" in {reviews.where}" if reviews is not None else ""
    if state is ApprovalState.APPROVED:
        f.next_step = f"none: {f.approval.detail}"
        return
    if state is ApprovalState.UNKNOWN:
        f.next_step = f"fix the approval lookup, then run again: {f.approval.detail}"
    elif state is ApprovalState.STALE:
        f.next_step = f"ask {owners_text(f)} to review commit {short(commit)} again{where}: "
        f.next_step += f.approval.detail
    elif not f.owners and unowned == "any-reviewer":
        f.next_step = (
            f"ask a reviewer to approve commit {short(commit)}{where} (nobody owns {f.path}; "
            "name an owner in CODEOWNERS)"
        )
    elif not f.owners:
        f.next_step = (
            f"name an owner for {f.path} in CODEOWNERS, then ask them to review commit "
            f"{short(commit)}{where}"
        )
    else:
        f.next_step = f"ask {owners_text(f)} to review commit {short(commit)}{where}"
    if f.origin == "unknown":
        f.next_step += UNKNOWN_NOTE
