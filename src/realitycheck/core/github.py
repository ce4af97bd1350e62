"""The GitHub REST API, as every part of realitycheck that talks to it speaks it.

GitHub's documented conventions: `Accept: application/vnd.github+json`, `X-GitHub-Api-Version`,
a bearer token, a `User-Agent`, `per_page=100` and `Link: rel="next"` pagination that never
follows a link to another host. Every failure becomes the caller's error class (a
`RealityCheckError`) that says what went wrong and what to do; nothing fails open.
"""

from __future__ import annotations

from datetime import datetime, timezone
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

import httpx

from realitycheck.core.errors import RealityCheckError

API_VERSION = "2022-11-28"
ACCEPT = "application/vnd.github+json"
DEFAULT_API = "https://api.github.com"
PER_PAGE = 100
MAX_PAGES = 100


def _user_agent() -> str:
    try:
        return f"realitycheck/{metadata.version('realitycheck')}"
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "realitycheck"


class GitHubREST:
    """An HTTP client for the GitHub REST API that raises `error` on every failure."""

    def __init__(
        self,
        token: str | None,
        *,
        api_url: str = DEFAULT_API,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
        error: type[RealityCheckError] = RealityCheckError,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.error = error
        headers = {
            "Accept": ACCEPT,
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": _user_agent(),
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

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        what: str,
        remedy: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """One request whose answer must be a JSON document; `what` names it in errors."""
        try:
            response = self._client.request(method, url, params=params, json=body)
        except httpx.HTTPError as exc:
            raise self.error(
                f"cannot reach the GitHub API at {self.api_url} to {_infinitive(method)} {what}: "
                f"{exc}",
                hint="check the network, or --github-api-url / GITHUB_API_URL",
            ) from None
        if response.status_code >= 400:
            raise failure(response, what, remedy, self.error, method)
        try:
            response.json()
        except ValueError:
            raise self.error(f"GitHub's answer for {what} is not JSON") from None
        return response

    def get(
        self, url: str, what: str, remedy: str, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        """GET one JSON document."""
        return self.request("GET", url, what, remedy, params=params)

    def pages(self, path: str, what: str, remedy: str) -> list[Any]:
        """Every item of a paginated list, following `Link: <...>; rel="next"`."""
        items: list[Any] = []
        url: str | None = path
        params: dict[str, Any] | None = {"per_page": PER_PAGE}
        origin = urlsplit(self.api_url)
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            response = self.get(url, what, remedy, params)
            page = response.json()
            if not isinstance(page, list):
                raise self.error(f"GitHub's answer for {what} is not a list")
            items += page
            url = response.links.get("next", {}).get("url")
            params = None  # the next link carries its own query
            if url is not None:
                nxt = urlsplit(url)
                if (nxt.scheme, nxt.netloc) != (origin.scheme, origin.netloc):
                    raise self.error(
                        f"GitHub's next page of {what} points to another host ({nxt.netloc}); "
                        "refusing to send the token there"
                    )
        raise self.error(f"{what} has more than {MAX_PAGES} pages; refusing to read further")


def _infinitive(method: str) -> str:
    return "read" if method.upper() == "GET" else "write"


def _verb(method: str) -> str:
    """The stem that takes -ing: read, writ."""
    return "read" if method.upper() == "GET" else "writ"


def failure(
    response: httpx.Response,
    what: str,
    remedy: str,
    error: type[RealityCheckError] = RealityCheckError,
    method: str = "GET",
) -> RealityCheckError:
    """The error for an error response, with what to do about it."""
    status = response.status_code
    try:
        body = response.json()
        message = str(body.get("message", "")) if isinstance(body, dict) else ""
    except ValueError:
        message = ""
    said = f"{status} {message}".strip()
    verb = _verb(method)
    headers = response.headers
    if status in (403, 429) and headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "")
        when = (
            datetime.fromtimestamp(int(reset), tz=timezone.utc).strftime("%H:%M:%S UTC")
            if reset.isdigit()
            else "later"
        )
        return error(
            f"GitHub API rate limit exhausted while {verb}ing {what} ({said}); it resets at {when}",
            hint="run again after the reset, or use a token with a higher limit "
            "(a GitHub App installation token)",
        )
    if status in (403, 429) and headers.get("retry-after"):
        return error(
            f"GitHub's secondary rate limit stopped {verb}ing {what} ({said})",
            hint=f"retry in {headers['retry-after']} seconds",
        )
    if status == 401:
        return error(
            f"GitHub rejected the token while {verb}ing {what} ({said})",
            hint=f"set GITHUB_TOKEN to a valid token that can {_infinitive(method)} {what}",
        )
    if status == 403:
        shown = "show" if verb == "read" else "let this token write"
        return error(f"GitHub refused to {shown} {what} ({said})", hint=remedy)
    if status == 404:
        return error(f"GitHub found no {what} ({said})", hint=remedy)
    return error(
        f"GitHub answered {said} for {what}", hint="retry later; https://www.githubstatus.com"
    )
