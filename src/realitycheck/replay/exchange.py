"""One recorded request sent to every service and the answers judged: a sending thread's work.

Everything a sending thread needs travels as a `Plan` of plain values, so the same code runs in
realitycheck's own process and in sender processes. Safety is enforced here, per request: the
`Guard` transport refuses any host off the allow-list and any request without a timeout, the
transport never follows redirects and takes no proxy from the environment, and the `Limiter`
spaces requests by the configured rate across threads and, through a shared slot file, across
processes.

Requests go to httpx's transport directly rather than through `httpx.Client`: what the client
adds (cookie persistence, redirects, auth, default headers) is what replay must not do, and
skipping it costs a third less CPU per request. A request carries exactly its recorded headers.
"""

from __future__ import annotations

import fcntl
import os
import struct
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from realitycheck.replay import values
from realitycheck.replay.compare import Comparator, Found, comparator_for
from realitycheck.replay.http import compare_responses, response_doc

SLOT = struct.Struct("d")

Item = tuple[str, str, str, list[tuple[str, str]], bytes | None]
"""A request ready to send: sample id, method, request target, headers, body."""


class BlockedRequest(httpx.TransportError):
    """A request to a host that is not on the allow-list; it never leaves the process."""


def _host(host: str) -> str:
    return host.strip("[]").lower()


class Guard(httpx.BaseTransport):
    """A transport that refuses requests to hosts not allowed, or without a timeout."""

    def __init__(self, inner: httpx.BaseTransport, allowed: Sequence[str]) -> None:
        self.inner = inner
        self.allowed = frozenset(_host(h) for h in allowed)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https") or _host(url.host) not in self.allowed:
            raise BlockedRequest(f"{url.host} is not an allowed host", request=request)
        timeout = request.extensions.get("timeout") or {}
        if not all(timeout.get(k) for k in ("connect", "read", "write", "pool")):
            raise BlockedRequest("a request without a timeout is never sent", request=request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class Limiter:
    """At most `rate` acquisitions per second, evenly spaced, across threads.

    With `slots` (an 8-byte file every sender process opens), the next free slot lives in the
    file, under an exclusive lock, so the spacing holds across processes too.
    """

    def __init__(self, rate: float | None, slots: str | None = None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._fd = os.open(slots, os.O_RDWR) if slots and self.interval else None

    def acquire(self) -> None:
        """Wait for the next slot."""
        if not self.interval:
            return
        with self._lock:
            if self._fd is None:
                now = time.monotonic()
                slot = max(now, self._next)
                self._next = slot + self.interval
            else:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
                try:
                    now = time.monotonic()
                    (shared,) = SLOT.unpack(os.pread(self._fd, SLOT.size, 0))
                    slot = max(now, shared)
                    os.pwrite(self._fd, SLOT.pack(slot + self.interval), 0)
                finally:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
        if slot > now:
            time.sleep(slot - now)

    def close(self) -> None:
        """Release the slot file."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def slot_file(path: Path) -> str:
    """Create the shared slot file of a `Limiter` at `path` (no slot taken yet)."""
    path.write_bytes(SLOT.pack(0.0))
    return str(path)


@dataclass(frozen=True)
class Plan:
    """What a sending thread needs, as plain values that can cross a process boundary."""

    services: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    compare_headers: tuple[str, ...]
    timeout: float
    comparator: str
    text_threshold: float
    rate: float | None = None
    slots: str | None = None


class Judged(NamedTuple):
    """One sample's verdict: divergences from the base (and the base's own), timings."""

    sample_id: str
    skipped: str | None
    found: list[Found]
    noise: list[Found]
    base_text: str
    head_text: str
    base_ms: float
    head_ms: float
    errored: str | None = None


class Answer:
    """A service's answer to one request: its state, the response read in full, the latency."""

    __slots__ = ("_doc", "_text", "error", "headers", "ms", "response", "state")

    def __init__(
        self,
        state: str,
        response: httpx.Response | None,
        error: str,
        ms: float,
        headers: Sequence[str] = (),
    ) -> None:
        self.state = state
        self.response = response
        self.error = error
        self.ms = ms
        self.headers = headers
        self._doc: dict[str, Any] | None = None
        self._text: str | None = None

    def signature(self) -> tuple[Any, ...] | None:
        """What decides this answer's document: equal signatures give equal documents."""
        if self.response is None:
            return None
        got = self.response.headers
        return (
            self.response.status_code,
            got.get("content-type"),
            *(got.get(h) for h in self.headers),
            self.response.content,
        )

    def doc(self) -> dict[str, Any]:
        """The answer as the document compare_responses reads (parsed once, when first asked)."""
        if self._doc is None:
            if self.response is None:
                self._doc = {"error": self.error}
            else:
                self._doc = response_doc(self.response, self.headers)
        return self._doc

    def text(self) -> str:
        """The document as canonical JSON text (made once, when first asked)."""
        if self._text is None:
            self._text = values.canonical(self.doc())
        return self._text


class Exchanger:
    """One thread's sender: a connection pool per thread, the guard, the limiter, the judge."""

    def __init__(
        self, plan: Plan, limiter: Limiter, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.plan = plan
        self.limiter = limiter
        inner = transport or httpx.HTTPTransport(retries=0, trust_env=False)
        self.transport = Guard(inner, plan.allowed_hosts)
        self.owned = transport is None
        self.timeout = httpx.Timeout(plan.timeout).as_dict()
        self.compare: Comparator = comparator_for(plan.comparator, plan.text_threshold)
        self.prefixes: list[str] = []
        for service in plan.services:
            url = httpx.URL(service)
            path = url.raw_path.split(b"?", 1)[0].rstrip(b"/").decode("ascii")
            self.prefixes.append(f"{url.scheme}://{url.netloc.decode('ascii')}{path}")

    def send(self, service: int, item: Item) -> Answer:
        """One request to one service: the answer read in full, or why there is none."""
        _, method, target, headers, content = item
        try:
            request = httpx.Request(
                method,
                self.prefixes[service] + target,
                headers=headers,
                content=content,
                extensions={"timeout": self.timeout},
            )
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            return Answer("invalid", None, f"cannot rebuild the request: {exc}", 0.0)
        self.limiter.acquire()
        start = time.perf_counter()
        try:
            response = self.transport.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
        except BlockedRequest as exc:
            return Answer("blocked", None, str(exc), 0.0)
        except httpx.TimeoutException as exc:
            return Answer("timeout", None, type(exc).__name__, self.plan.timeout * 1000)
        except httpx.HTTPError as exc:
            ms = (time.perf_counter() - start) * 1000
            return Answer("raised", None, f"{type(exc).__name__}: {exc}", ms)
        ms = (time.perf_counter() - start) * 1000
        return Answer("ok", response, "", ms, self.plan.compare_headers)

    def run(self, item: Item) -> Judged:
        """Send one request to every service and judge the answers."""
        answers = [self.send(i, item) for i in range(len(self.prefixes))]
        for answer in answers:
            if answer.state == "blocked":
                return Judged(item[0], "blocked: host not allowed", [], [], "", "", 0.0, 0.0)
            if answer.state == "invalid":
                return Judged(item[0], answer.error, [], [], "", "", 0.0, 0.0)
        base, head = answers[0], answers[1]
        found = self._differ(base, head)
        noise = self._differ(base, answers[2]) if len(answers) > 2 else []
        texts = ("", "")
        if found:
            texts = (base.text(), head.text())
        errored = _both_failed(base, head)
        return Judged(item[0], None, found, noise, *texts, base.ms, head.ms, errored)

    def _differ(self, base: Answer, other: Answer) -> list[Found]:
        if base.state != "ok" or other.state != "ok":
            return compare_responses(base.state, base.doc(), other.state, other.doc(), self.compare)
        if base.signature() == other.signature():
            return []  # byte-identical answers: no need to parse either
        texts = (base.text(), other.text())
        return compare_responses("ok", base.doc(), "ok", other.doc(), self.compare, texts=texts)

    def close(self) -> None:
        """Close this thread's connections (a transport passed in belongs to the caller)."""
        if self.owned:
            self.transport.close()


def _both_failed(base: Answer, head: Answer) -> str | None:
    """Why both services failed this request the same way (no answer, or both HTTP 5xx)."""
    if base.state != "ok" and base.state == head.state:
        return f"no answer from either service ({base.error or base.state})"[:160]
    if base.response is not None and head.response is not None:
        status = base.response.status_code
        if status >= 500 and head.response.status_code == status:
            return f"HTTP {status} from both services"
    return None
