"""Whether one of a boundary's owners approved the head commit, whatever forge they used."""

from __future__ import annotations

from realitycheck.boundaries.approvals import ApprovalError, ApprovalSource, ReviewSet
from realitycheck.boundaries.codeowners import owner_kind
from realitycheck.boundaries.model import Approval, ApprovalState


def short(sha: str | None) -> str:
    """A commit id as GitHub shows it."""
    return sha[:7] if sha else "?"


def decide(
    owners: list[str],
    reviews: ReviewSet,
    source: ApprovalSource,
    *,
    unowned: str = "any-reviewer",
) -> Approval:
    """The approval state of lines owned by `owners`, from the reviews of the change."""
    head = reviews.head
    approvers = reviews.approvers(head)
    if not owners:
        if unowned == "any-reviewer" and approvers:
            return Approval(
                state=ApprovalState.APPROVED,
                by=sorted(approvers),
                commit=head,
                detail=f"nobody owns these lines; approved by {_logins(approvers)} "
                f"at {short(head)}",
            )
        detail = "nobody owns these lines"
        if unowned == "fail":
            detail += ' and boundaries.unowned = "fail"'
        return Approval(state=ApprovalState.MISSING, commit=head, detail=detail)
    users = {o.lstrip("@").lower() for o in owners if owner_kind(o) == "user"}
    teams = [o for o in owners if owner_kind(o) == "team"]
    emails = [o for o in owners if owner_kind(o) == "email"]
    by = sorted(approvers & users)
    problems: list[str] = []
    candidates = approvers - users
    for team in teams:
        if not candidates:
            break
        try:
            members = source.team_members(team)
        except ApprovalError as exc:
            problems.append(f"{exc.message} ({exc.hint})" if exc.hint else exc.message)
            continue
        by += sorted(candidates & members)
    if by:
        return Approval(
            state=ApprovalState.APPROVED,
            by=sorted(set(by)),
            commit=head,
            detail=f"approved by {_logins(set(by))} at {short(head)}",
        )
    if problems:
        return Approval(state=ApprovalState.UNKNOWN, commit=head, detail="; ".join(problems))
    stale = reviews.stale(head)
    owner_stale = {login: sha for login, sha in stale.items() if login in users}
    for team in teams:
        if stale and set(stale) - set(owner_stale):
            try:
                members = source.team_members(team)
            except ApprovalError:
                continue
            owner_stale |= {login: sha for login, sha in stale.items() if login in members}
    if owner_stale:
        login, sha = sorted(owner_stale.items())[0]
        return Approval(
            state=ApprovalState.STALE,
            commit=head,
            detail=f"@{login} approved {short(sha)}, but the head is now {short(head)}",
        )
    detail = f"no approval from {' or '.join(owners)} at {short(head)}"
    if emails and not users and not teams:
        detail += " (e-mail owners cannot be matched to GitHub reviewers; use @user or @org/team)"
    return Approval(state=ApprovalState.MISSING, commit=head, detail=detail)


def _logins(logins: set[str]) -> str:
    return ", ".join(f"@{login}" for login in sorted(logins))
