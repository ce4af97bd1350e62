"""Copies of live requests: decided per request, sent concurrently, bounded, never waited for.

`Copier.ticket` decides on the request path, in microseconds, whether a request is copied: a
safe method (or an allowed route), sampled in, and fewer than `max_in_flight` copies out. What
is not copied is counted by reason. A copy goes to the candidate (and the secondary) as soon as
the request body is in, from its own task; the client's response never waits for it. When the
copies and the primary's response are all in, the ticket goes to the judge thread.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from realitycheck.shadow.safety import Headers, Policy


@dataclass(frozen=True)
class CopySettings:
    """Where copies go and how long they may take."""

    candidate: httpx.URL
    secondary: httpx.URL | None = None
    timeout: float = 10.0
    max_in_flight: int = 64
    max_body_bytes: int = 1 << 20


class Answer:
    """An upstream's answer to a copy: `ok` with the response, or why there is none."""

    __slots__ = ("error", "ms", "response", "state")

    def __init__(
        self, state: str, response: httpx.Response | None = None, error: str = "", ms: float = 0.0
    ) -> None:
        self.state = state
        self.response = response
        self.error = error
        self.ms = ms


class Ticket:
    """One request being copied: its parts, the bodies seen so far, and the primary's answer."""

    __slots__ = (
        "at",
        "body",
        "copies",
        "copy",
        "copy_headers",
        "copy_target",
        "headers",
        "method",
        "path",
        "primary_ms",
        "primary_state",
        "query",
        "record",
        "resp_headers",
        "response",
        "route",
        "size",
        "status",
        "stripped",
        "too_large",
    )

    def __init__(self, method: str, path: str, query: bytes, route: str) -> None:
        self.at = time.time()
        self.method = method
        self.path = path
        self.query = query
        self.route = route
        self.copy = False
        self.record = False
        self.headers: Headers = []
        self.copy_headers: Headers = []
        self.copy_target = b""
        self.stripped: list[str] = []
        self.body: list[bytes] = []
        self.response: list[bytes] = []
        self.size = [0, 0]
        self.too_large = False
        self.status = 0
        self.resp_headers: Headers = []
        self.primary_state = ""
        self.primary_ms = 0.0
        self.copies: asyncio.Task[list[Answer]] | None = None

    def keep(self, side: int, chunk: bytes, limit: int) -> None:
        """Keep a chunk of the request (0) or response (1) body, up to `limit` bytes in all."""
        if self.too_large or not chunk:
            return
        self.size[side] += len(chunk)
        if self.size[side] > limit:
            self.too_large = True
            self.body.clear()
            self.response.clear()
        else:
            (self.body if side == 0 else self.response).append(chunk)


class Copier:
    """Decides, sends and counts copies; hands finished ones to `finish` (the judge)."""

    def __init__(
        self,
        settings: CopySettings,
        policy: Policy,
        finish: Callable[[Ticket, list[Answer]], None],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.finish = finish
        self.transport = transport or httpx.AsyncHTTPTransport(
            retries=0,
            limits=httpx.Limits(
                max_connections=settings.max_in_flight * 2,
                max_keepalive_connections=settings.max_in_flight * 2,
            ),
        )
        self.timeout = httpx.Timeout(settings.timeout).as_dict()
        self.in_flight = 0
        self.counts: Counter[str] = Counter()
        self.not_sent: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()

    def ticket(
        self, method: str, path: str, query: bytes, headers: Headers, route: str
    ) -> Ticket | None:
        """A ticket when this request is copied; None (counted by reason) when it is not."""
        self.counts["requests"] += 1
        why = self.policy.refused(method, route)
        if why is None and not self.policy.sampled(route):
            why = "sampled-out"
        if why is None and self.in_flight >= self.settings.max_in_flight:
            why = "busy"
        if why is not None:
            self.not_sent[why] += 1
            return None
        self.in_flight += 1
        ticket = Ticket(method, path, query, route)
        ticket.copy = True
        ticket.copy_headers, stripped = self.policy.copy_headers(headers)
        query, dropped = self.policy.copy_query(query)
        ticket.stripped = stripped + dropped
        ticket.copy_target = path.encode("utf-8") + (b"?" + query if query else b"")
        return ticket

    def request_done(self, ticket: Ticket) -> None:
        """The request body is in: send the copies now, from their own task."""
        if not ticket.copy or ticket.copies is not None:
            return
        if ticket.too_large:
            self._not_copied(ticket, "too-large")
            return
        self.counts["copied"] += 1
        sends = [self._send(self.settings.candidate, ticket)]
        if self.settings.secondary is not None:
            sends.append(self._send(self.settings.secondary, ticket))
        ticket.copies = asyncio.ensure_future(_gather(sends))

    def primary_done(self, ticket: Ticket, state: str, ms: float) -> None:
        """The primary's answer is complete (`ok`) or failed: judge once the copies are back."""
        if not ticket.copy:
            return
        ticket.primary_state = state
        ticket.primary_ms = ms
        if ticket.copies is None:
            self._not_copied(ticket, "too-large" if ticket.too_large else state)
            return
        task = asyncio.ensure_future(self._collect(ticket))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _not_copied(self, ticket: Ticket, why: str) -> None:
        ticket.copy = False
        self.in_flight -= 1
        self.not_sent[why] += 1

    async def _collect(self, ticket: Ticket) -> None:
        assert ticket.copies is not None
        try:
            answers = await ticket.copies
        finally:
            self.in_flight -= 1
        self.finish(ticket, answers)

    async def _send(self, upstream: httpx.URL, ticket: Ticket) -> Answer:
        prefix = upstream.raw_path.split(b"?", 1)[0].rstrip(b"/")
        start = time.perf_counter()
        try:
            request = httpx.Request(
                ticket.method,
                upstream.copy_with(raw_path=prefix + ticket.copy_target),
                headers=ticket.copy_headers,
                content=b"".join(ticket.body) or None,
                extensions={"timeout": self.timeout},
            )
            response = await self.transport.handle_async_request(request)
            try:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_raw():
                    size += len(chunk)
                    if size > self.settings.max_body_bytes:
                        return Answer("too-large", error="the copy's answer is too large")
                    chunks.append(chunk)
            finally:
                await response.aclose()
            ms = (time.perf_counter() - start) * 1000
            read = httpx.Response(
                response.status_code, headers=response.headers, content=b"".join(chunks)
            )
            return Answer("ok", read, ms=ms)
        except httpx.TimeoutException as exc:
            return Answer("timeout", error=type(exc).__name__, ms=self.settings.timeout * 1000)
        except httpx.ConnectError as exc:
            return Answer("unreachable", error=f"{type(exc).__name__}: {exc}")
        except (httpx.HTTPError, ValueError) as exc:
            ms = (time.perf_counter() - start) * 1000
            return Answer("raised", error=f"{type(exc).__name__}: {exc}", ms=ms)

    def snapshot(self) -> dict[str, Any]:
        """The counts so far, as the results file and the live page show them."""
        return {
            **{k: self.counts[k] for k in ("requests", "copied")},
            "in_flight": self.in_flight,
            "not_sent": dict(self.not_sent),
        }

    async def aclose(self) -> None:
        """Wait briefly for copies in flight, then close the connections."""
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=self.settings.timeout)
        await self.transport.aclose()


async def _gather(sends: list[Any]) -> list[Answer]:
    return list(await asyncio.gather(*sends))
