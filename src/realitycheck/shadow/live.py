"""The live page at `/_realitycheck/`: divergences per route and path, refreshing itself.

`/_realitycheck/` is a small static page; its script fetches `/_realitycheck/data.json` every
two seconds and draws it with DOM text nodes only (no HTML from the data is ever parsed). The
data are the judge's running tallies, judged exactly as `shadow report` judges the results
files; examples are the redacted documents the judge wrote.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.replay.noise import Thresholds
from realitycheck.shadow.judge import Judge
from realitycheck.shadow.proxy import LIVE, Receive, Scope, Send

MAX_EXAMPLES = 5
HEADERS = [
    (b"cache-control", b"no-store"),
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        b"connect-src 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
]


def live_data(
    judge: Judge,
    thresholds: Thresholds,
    expected: Sequence[ExpectedChange] | None,
    meta: dict[str, Any],
) -> dict[str, Any]:
    """What the page shows: the judged routes, the counts, and examples side by side."""
    with judge.lock:
        result = judge.summary.result(thresholds, expected, **meta)
        examples = {
            route: [
                {"key": list(key), **example.model_dump()}
                for key, example in list(tally.pairs.items())[:MAX_EXAMPLES]
            ]
            for route, tally in judge.summary.tallies.items()
        }
    counts = judge.snapshot()
    data = result.to_json()
    data.update(
        requests=int(counts.get("requests", 0)),
        copied=int(counts.get("copied", 0)),
        in_flight=int(counts.get("in_flight", 0)),
        not_sent=counts.get("not_sent", {}),
        secondary_failed=int(counts.get("secondary_failed", 0)),
        examples=examples,
        judge_error=judge.error,
    )
    return data


class LivePage:
    """Answers `/_realitycheck/` (the page) and `/_realitycheck/data.json` (its data)."""

    def __init__(self, data: Callable[[], dict[str, Any]]) -> None:
        self.data = data
        self.html = resources.files("realitycheck.shadow").joinpath("live.html").read_bytes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path") or "/"
        if scope.get("method") not in ("GET", "HEAD"):
            await _send(send, 405, b"text/plain; charset=utf-8", b"GET only\n")
        elif path == LIVE:
            await send(
                {
                    "type": "http.response.start",
                    "status": 308,
                    "headers": [(b"location", LIVE.encode() + b"/"), (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
        elif path == LIVE + "/":
            await _send(send, 200, b"text/html; charset=utf-8", self.html)
        elif path == LIVE + "/data.json":
            body = json.dumps(self.data(), ensure_ascii=False, default=str).encode("utf-8")
            await _send(send, 200, b"application/json", body)
        else:
            await _send(send, 404, b"text/plain; charset=utf-8", b"not found\n")


async def _send(send: Send, status: int, ctype: bytes, body: bytes) -> None:
    headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *HEADERS]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
