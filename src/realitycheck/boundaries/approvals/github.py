"""Approvals from GitHub: a pull request's reviews and team members, read with the REST API.

Requests go through `core/github.py` (GitHub's documented headers, `per_page=100` and
`Link: rel="next"` pagination). Every failure becomes an ApprovalError that says what to do;
nothing fails open.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx

from realitycheck.boundaries.approvals import ApprovalError, Review, ReviewSet, latest_verdicts
from realitycheck.core.github import DEFAULT_API, GitHubREST

__all__ = ["DEFAULT_API", "TEAM_HINT", "GitHubApprovals"]

_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
TEAM_HINT = (
    "the token needs the 'Members: read' organization permission (read:org); the GITHUB_TOKEN "
    "of GitHub Actions cannot read team membership, so use a GitHub App or fine-grained token"
)


class GitHubApprovals:
    """Reviews of one pull request, read from the GitHub REST API."""

    def __init__(
        self,
        repo: str,
        pr: int,
        token: str | None,
        *,
        api_url: str = DEFAULT_API,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not _REPO.fullmatch(repo):
            raise ApprovalError(
                f"'{repo}' is not a GitHub repository name", hint="pass --github-repo OWNER/NAME"
            )
        self.repo = repo
        self.pr = pr
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.description = f"GitHub pull request {repo}#{pr}"
        self._api = GitHubREST(
            token, api_url=self.api_url, timeout=timeout, transport=transport, error=ApprovalError
        )
        self._members: dict[str, set[str]] = {}

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._api.close()

    def reviews(self) -> ReviewSet:
        """The pull request's head commit, and each reviewer's latest verdict."""
        if not self.token:
            raise ApprovalError(
                f"no GitHub token to read the reviews of {self.description}",
                hint="set GITHUB_TOKEN (in Actions: `env: GITHUB_TOKEN: ${{ github.token }}` with "
                "`permissions: pull-requests: read`)",
            )
        base = f"repos/{self.repo}/pulls/{self.pr}"
        what = f"pull request #{self.pr} of {self.repo}"
        remedy = "check --github-repo and --pr; a token without access to a private repository "
        remedy += "also gets 404"
        pull = self._api.get(base, what, remedy).json()
        head = pull.get("head", {}).get("sha") if isinstance(pull, dict) else None
        if not isinstance(head, str):
            raise ApprovalError(f"GitHub's answer for {what} has no head.sha")
        items = self._api.pages(f"{base}/reviews", f"the reviews of {what}", remedy)
        reviews = [
            Review(
                login=str(item["user"]["login"]),
                state=str(item.get("state", "")),
                commit=item.get("commit_id"),
                submitted_at=item.get("submitted_at"),
                url=item.get("html_url"),
            )
            for item in items
            if isinstance(item, dict) and isinstance(item.get("user"), dict)
        ]
        where = f"pull request {self.repo}#{self.pr}"
        return ReviewSet(head=head, where=where, latest=latest_verdicts(reviews))

    def team_members(self, team: str) -> set[str]:
        """The lower-case logins of `@org/team-slug`."""
        if team not in self._members:
            org, _, slug = team.lstrip("@").partition("/")
            path = f"orgs/{quote(org, safe='')}/teams/{quote(slug, safe='')}/members"
            items = self._api.pages(path, f"the members of team {team}", TEAM_HINT)
            self._members[team] = {
                str(i["login"]).lower() for i in items if isinstance(i, dict) and "login" in i
            }
        return self._members[team]
