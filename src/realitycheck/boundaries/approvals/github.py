"""Approvals from GitHub: a pull request's reviews and team members, read with the REST API.

Requests follow GitHub's documented conventions: `Accept: application/vnd.github+json`,
`X-GitHub-Api-Version`, a bearer token, `per_page=100` and `Link: rel="next"` pagination.
Every failure becomes an ApprovalError that says what to do; nothing fails open.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from realitycheck import __version__
from realitycheck.boundaries.approvals import ApprovalError, Review, ReviewSet, latest_verdicts

API_VERSION = "2022-11-28"
ACCEPT = "application/vnd.github+json"
DEFAULT_API = "https://api.github.com"
PER_PAGE = 100
MAX_PAGES = 100
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
        headers = {
            "Accept": ACCEPT,
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"realitycheck/{__version__}",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.Client(
            base_url=self.api_url + "/",
            headers=headers,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )
        self._members: dict[str, set[str]] = {}

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

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
        pull = self._get(base, what, remedy).json()
        head = pull.get("head", {}).get("sha") if isinstance(pull, dict) else None
        if not isinstance(head, str):
            raise ApprovalError(f"GitHub's answer for {what} has no head.sha")
        items = self._pages(f"{base}/reviews", f"the reviews of {what}", remedy)
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
            items = self._pages(path, f"the members of team {team}", TEAM_HINT)
            self._members[team] = {
                str(i["login"]).lower() for i in items if isinstance(i, dict) and "login" in i
            }
        return self._members[team]

    # -- HTTP ------------------------------------------------------------------------------

    def _get(
        self, url: str, what: str, remedy: str, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        try:
            response = self._client.get(url, params=params)
        except httpx.HTTPError as exc:
            raise ApprovalError(
                f"cannot reach the GitHub API at {self.api_url} to read {what}: {exc}",
                hint="check the network, or --github-api-url / GITHUB_API_URL",
            ) from None
        if response.status_code >= 400:
            raise _failure(response, what, remedy)
        try:
            response.json()
        except ValueError:
            raise ApprovalError(f"GitHub's answer for {what} is not JSON") from None
        return response

    def _pages(self, path: str, what: str, remedy: str) -> list[Any]:
        """Every item of a paginated list, following `Link: <...>; rel="next"`."""
        items: list[Any] = []
        url: str | None = path
        params: dict[str, Any] | None = {"per_page": PER_PAGE}
        origin = urlsplit(self.api_url)
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            response = self._get(url, what, remedy, params)
            page = response.json()
            if not isinstance(page, list):
                raise ApprovalError(f"GitHub's answer for {what} is not a list")
            items += page
            url = response.links.get("next", {}).get("url")
            params = None  # the next link carries its own query
            if url is not None:
                nxt = urlsplit(url)
                if (nxt.scheme, nxt.netloc) != (origin.scheme, origin.netloc):
                    raise ApprovalError(
                        f"GitHub's next page of {what} points to another host ({nxt.netloc}); "
                        "refusing to send the token there"
                    )
        raise ApprovalError(f"{what} has more than {MAX_PAGES} pages; refusing to read further")


def _failure(response: httpx.Response, what: str, remedy: str) -> ApprovalError:
    """The ApprovalError for an error response, with what to do about it."""
    status = response.status_code
    try:
        body = response.json()
        message = str(body.get("message", "")) if isinstance(body, dict) else ""
    except ValueError:
        message = ""
    said = f"{status} {message}".strip()
    headers = response.headers
    if status in (403, 429) and headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "")
        when = (
            datetime.fromtimestamp(int(reset), tz=timezone.utc).strftime("%H:%M:%S UTC")
            if reset.isdigit()
            else "later"
        )
        return ApprovalError(
            f"GitHub API rate limit exhausted while reading {what} ({said}); it resets at {when}",
            hint="run again after the reset, or use a token with a higher limit "
            "(a GitHub App installation token)",
        )
    if status in (403, 429) and headers.get("retry-after"):
        return ApprovalError(
            f"GitHub's secondary rate limit stopped reading {what} ({said})",
            hint=f"retry in {headers['retry-after']} seconds",
        )
    if status == 401:
        return ApprovalError(
            f"GitHub rejected the token while reading {what} ({said})",
            hint="set GITHUB_TOKEN to a valid token that can read pull requests",
        )
    if status == 403:
        return ApprovalError(f"GitHub refused to show {what} ({said})", hint=remedy)
    if status == 404:
        return ApprovalError(f"GitHub found no {what} ({said})", hint=remedy)
    return ApprovalError(
        f"GitHub answered {said} for {what}", hint="retry later; https://www.githubstatus.com"
    )
