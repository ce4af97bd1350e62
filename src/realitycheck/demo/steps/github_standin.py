"""A stand-in for the three GitHub REST endpoints approvals use, on loopback, for the demo.

It is not GitHub: it serves one pull request, its reviews and team members in the documented
response shapes, so the demo can show the boundaries gate with an approval while offline.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


class GitHubStandIn:
    """Serves `pulls/N`, `pulls/N/reviews` and `teams/T/members` from fixed data."""

    def __init__(
        self,
        repo: str,
        number: int,
        head: str,
        reviews: list[dict[str, Any]],
        teams: dict[str, list[str]],
    ) -> None:
        routes: dict[str, Any] = {
            f"/repos/{repo}/pulls/{number}": {"number": number, "head": {"sha": head}},
            f"/repos/{repo}/pulls/{number}/reviews": reviews,
        }
        for team, logins in teams.items():
            org, _, slug = team.lstrip("@").partition("/")
            routes[f"/orgs/{org}/teams/{slug}/members"] = [{"login": login} for login in logins]
        self.requests: list[str] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                standin.requests.append(path)
                body = routes.get(path)
                status = 200 if body is not None else 404
                data = json.dumps(body if body is not None else {"message": "Not Found"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data.encode())))
                self.end_headers()
                self.wfile.write(data.encode())

            def log_message(self, format: str, *args: Any) -> None:
                """Keep the demo's output clean."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The stand-in's base URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> GitHubStandIn:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
