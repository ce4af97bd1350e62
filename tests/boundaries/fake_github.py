"""A local HTTP server answering the GitHub REST endpoints approvals use, in their documented
shapes (pagination by `Link` headers, 401, 403 rate limits), strict about the requests it gets."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "ghs_0123456789abcdefTESTTOKEN"
EXPECTED = {
    "accept": "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    "authorization": f"Bearer {TOKEN}",
}


class FakeGitHub:
    """Serves lists page by page, fixed errors, and records every request and every violation."""

    def __init__(self) -> None:
        self.lists: dict[str, list[list[Any]]] = {}
        self.objects: dict[str, Any] = {}
        self.errors: dict[str, tuple[int, dict[str, Any], dict[str, str]]] = {}
        self.requests: list[str] = []
        self.violations: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._serve(self)

            def do_POST(self) -> None:
                server.violations.append(f"POST {self.path}")
                server._send(self, 405, {"message": "read-only"}, {})

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- what to serve ---------------------------------------------------------------------

    def pull(self, repo: str, number: int, head: str, reviews: list[list[dict[str, Any]]]) -> None:
        """A pull request at `head`, with its reviews split into pages."""
        self.objects[f"/repos/{repo}/pulls/{number}"] = {
            "url": f"https://api.github.com/repos/{repo}/pulls/{number}",
            "number": number,
            "state": "open",
            "head": {"ref": "topic", "sha": head},
            "base": {"ref": "main", "sha": "0" * 40},
        }
        self.lists[f"/repos/{repo}/pulls/{number}/reviews"] = reviews

    def team(self, org: str, slug: str, pages: list[list[str]]) -> None:
        """A team's members, split into pages."""
        self.lists[f"/orgs/{org}/teams/{slug}/members"] = [
            [{"login": login, "id": i, "type": "User"} for i, login in enumerate(page)]
            for page in pages
        ]

    def fail(
        self, path: str, status: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        """Answer `path` with an error in GitHub's shape."""
        body = {"message": message, "documentation_url": "https://docs.github.com/rest"}
        self.errors[path] = (status, body, headers or {})

    # -- serving ---------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        self.requests.append(handler.path)
        for name, value in EXPECTED.items():
            got = handler.headers.get(name)
            if got != value:
                self.violations.append(f"{handler.path}: header {name} is {got!r}")
        if not handler.headers.get("user-agent"):
            self.violations.append(f"{handler.path}: no User-Agent (GitHub requires one)")
        query = parse_qs(parts.query)
        if parts.path in self.errors:
            status, body, headers = self.errors[parts.path]
            self._send(handler, status, body, headers)
            return
        if parts.path in self.objects:
            self._send(handler, 200, self.objects[parts.path], {})
            return
        if parts.path not in self.lists:
            self.violations.append(f"unknown path {parts.path}")
            self._send(handler, 404, {"message": "Not Found"}, {})
            return
        per_page = int(query.get("per_page", ["30"])[0])
        if per_page > 100:
            self.violations.append(f"{handler.path}: per_page {per_page} is over GitHub's 100")
        pages = self.lists[parts.path]
        page = int(query.get("page", ["1"])[0])
        links = []
        base = f"{self.url}{parts.path}?per_page={per_page}"
        if page < len(pages):
            links.append(f'<{base}&page={page + 1}>; rel="next"')
            links.append(f'<{base}&page={len(pages)}>; rel="last"')
        if page > 1:
            links.append(f'<{base}&page=1>; rel="first"')
            links.append(f'<{base}&page={page - 1}>; rel="prev"')
        items = pages[page - 1] if 0 < page <= len(pages) else []
        self._send(handler, 200, items, {"Link": ", ".join(links)} if links else {})

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str]
    ) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def review(login: str, state: str, commit: str, n: int = 1) -> dict[str, Any]:
    """A pull-request review as GitHub's REST API returns it."""
    return {
        "id": 80 + n,
        "node_id": f"MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA{n}",
        "user": {"login": login, "id": 1000 + n, "type": "User", "site_admin": False},
        "body": "",
        "state": state,
        "html_url": f"https://github.com/example-org/docsvc/pull/7#pullrequestreview-{80 + n}",
        "pull_request_url": "https://api.github.com/repos/example-org/docsvc/pulls/7",
        "author_association": "MEMBER",
        "submitted_at": f"2026-11-2{n % 10}T10:00:00Z",
        "commit_id": commit,
    }
