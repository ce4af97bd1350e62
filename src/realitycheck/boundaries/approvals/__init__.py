"""Approval sources: where owners' approvals of a change are read from, behind one interface.

A source returns the latest verdict of each reviewer (`ReviewSet`) and resolves team owners to
their members. GitHub is the first source (`github.py`); another forge adds a module with a class
that has the same two methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from realitycheck.core.errors import StageError

APPROVED = "APPROVED"
VERDICTS = {"APPROVED", "CHANGES_REQUESTED", "DISMISSED"}  # COMMENTED/PENDING change no verdict


class ApprovalError(StageError):
    """Approvals could not be read; the message says what to do about it."""


@dataclass(frozen=True)
class Review:
    """A reviewer's verdict on a commit."""

    login: str
    state: str
    commit: str | None
    submitted_at: str | None = None
    url: str | None = None


@dataclass
class ReviewSet:
    """The latest verdict of each reviewer of a change, and the commit they must approve."""

    head: str
    where: str
    latest: dict[str, Review] = field(default_factory=dict)

    def approvers(self, commit: str) -> set[str]:
        """Logins (lower case) whose latest verdict approves exactly `commit`."""
        return {
            login
            for login, r in self.latest.items()
            if r.state == APPROVED and r.commit is not None and r.commit == commit
        }

    def stale(self, commit: str) -> dict[str, str]:
        """Logins whose latest verdict approved another commit -> that commit."""
        return {
            login: r.commit or "?"
            for login, r in self.latest.items()
            if r.state == APPROVED and r.commit != commit
        }


def latest_verdicts(reviews: list[Review]) -> dict[str, Review]:
    """Each reviewer's last review that carries a verdict (input in chronological order)."""
    latest: dict[str, Review] = {}
    for review in reviews:
        if review.state in VERDICTS:
            latest[review.login.lower()] = review
    return latest


class ApprovalSource(Protocol):
    """Reads reviews of one change from a forge."""

    description: str

    def reviews(self) -> ReviewSet:
        """The latest verdict of every reviewer, and the head commit they must approve."""
        ...

    def team_members(self, team: str) -> set[str]:
        """The logins (lower case) of a team owner such as `@org/team`."""
        ...
