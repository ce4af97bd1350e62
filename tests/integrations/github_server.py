"""A loopback server answering the GitHub REST endpoints of issue comments, in their documented
shapes: `GET /repos/{o}/{r}/issues/{n}/comments` (paginated with `Link` headers, `per_page` at
most 100), `POST` the same path (201 and the comment), `PATCH /repos/{o}/{r}/issues/comments/{id}`
(200), `GET /repos/{o}/{r}/pulls/{n}`, and GitHub's error bodies. It is strict about the
requests it gets (headers, JSON bodies) and records every request and every violation.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "ghs_0123456789abcdefCOMMENTTOKEN"
READ_ONLY = "ghs_0123456789abcdefREADONLYTOKEN"
EXPECTED = {"accept": "application/vnd.github+json", "x-github-api-version": "2022-11-28"}
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot", "site_admin": False}
PERSON = {"login": "octocat", "id": 1, "type": "User", "site_admin": False}
FORBIDDEN = {
    "message": "Resource not accessible by integration",
    "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
    "status": "403",
}


class GitHubComments:
    """One repository's pull requests and their comments, kept in memory."""

    def __init__(self, repo: str, per_page_cap: int = 100) -> None:
        self.repo = repo
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.heads: dict[int, str] = {}
        self.requests: list[tuple[str, str]] = []
        self.violations: list[str] = []
        self.fail_next: dict[str, tuple[int, dict[str, Any]]] = {}
        self.per_page_cap = per_page_cap
        self._next_id = 1000
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._serve(self, "GET")

            def do_POST(self) -> None:
                server._serve(self, "POST")

            def do_PATCH(self) -> None:
                server._serve(self, "PATCH")

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

    def comment(self, pr: int, body: str, user: dict[str, Any] = PERSON) -> dict[str, Any]:
        """Add a comment as if someone had written it."""
        self._next_id += 1
        cid = self._next_id
        item = {
            "id": cid,
            "node_id": f"IC_kwDOTEST{cid}",
            "url": f"https://api.github.com/repos/{self.repo}/issues/comments/{cid}",
            "html_url": f"https://github.com/{self.repo}/pull/{pr}#issuecomment-{cid}",
            "issue_url": f"https://api.github.com/repos/{self.repo}/issues/{pr}",
            "body": body,
            "user": user,
            "created_at": "2026-12-04T10:00:00Z",
            "updated_at": "2026-12-04T10:00:00Z",
            "author_association": "NONE" if user is BOT else "MEMBER",
        }
        self.comments.setdefault(pr, []).append(item)
        return item

    # -- serving ---------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        self.requests.append((method, handler.path))
        for name, value in EXPECTED.items():
            if handler.headers.get(name) != value:
                self.violations.append(f"{method} {handler.path}: header {name}")
        if not handler.headers.get("user-agent"):
            self.violations.append(f"{method} {handler.path}: no User-Agent")
        auth = handler.headers.get("authorization", "")
        if auth not in (f"Bearer {TOKEN}", f"Bearer {READ_ONLY}"):
            self._send(handler, 401, {"message": "Bad credentials"})
            return
        if method in self.fail_next:
            status, body = self.fail_next.pop(method)
            self._send(handler, status, body)
            return
        body: Any = None
        if method in ("POST", "PATCH"):
            if handler.headers.get("content-type", "").split(";")[0] != "application/json":
                self.violations.append(f"{method} {handler.path}: body is not JSON")
            length = int(handler.headers.get("content-length", "0"))
            body = json.loads(handler.rfile.read(length) or b"null")
            if not isinstance(body, dict) or not isinstance(body.get("body"), str):
                self._send(
                    handler, 422, {"message": 'Invalid request.\n\n"body" wasn\'t supplied.'}
                )
                return
            if auth == f"Bearer {READ_ONLY}":
                self._send(handler, 403, FORBIDDEN)
                return
        segments = parts.path.strip("/").split("/")
        prefix = ["repos", *self.repo.split("/")]
        if segments[:3] != prefix:
            self._send(handler, 404, {"message": "Not Found"})
            return
        rest = segments[3:]
        if method == "GET" and len(rest) == 2 and rest[0] == "pulls":
            pr = int(rest[1])
            self._send(handler, 200, {"number": pr, "head": {"sha": self.heads.get(pr, "0" * 40)}})
        elif len(rest) == 3 and rest[0] == "issues" and rest[2] == "comments":
            pr = int(rest[1])
            if method == "GET":
                self._list(handler, parts.path, parse_qs(parts.query), self.comments.get(pr, []))
            elif method == "POST":
                item = self.comment(pr, body["body"], BOT)
                self._send(handler, 201, item)
            else:
                self._send(handler, 404, {"message": "Not Found"})
        elif method == "PATCH" and len(rest) == 3 and rest[:2] == ["issues", "comments"]:
            cid = int(rest[2])
            for items in self.comments.values():
                for item in items:
                    if item["id"] == cid:
                        item["body"] = body["body"]
                        item["updated_at"] = "2026-12-04T11:00:00Z"
                        self._send(handler, 200, item)
                        return
            self._send(handler, 404, {"message": "Not Found"})
        else:
            self.violations.append(f"unexpected {method} {parts.path}")
            self._send(handler, 404, {"message": "Not Found"})

    def _list(
        self,
        handler: BaseHTTPRequestHandler,
        path: str,
        query: dict[str, list[str]],
        items: list[Any],
    ) -> None:
        per_page = int(query.get("per_page", ["30"])[0])
        if per_page > 100:
            self.violations.append(f"per_page {per_page} is over GitHub's 100")
        per_page = min(per_page, self.per_page_cap)
        page = int(query.get("page", ["1"])[0])
        last = max(1, -(-len(items) // per_page))
        base = f"{self.url}{path}?per_page={per_page}"
        links = []
        if page < last:
            links += [f'<{base}&page={page + 1}>; rel="next"', f'<{base}&page={last}>; rel="last"']
        if page > 1:
            links += [f'<{base}&page=1>; rel="first"', f'<{base}&page={page - 1}>; rel="prev"']
        chunk = items[(page - 1) * per_page : page * per_page]
        self._send(handler, 200, chunk, {"Link": ", ".join(links)} if links else {})

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def __enter__(self) -> GitHubComments:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
