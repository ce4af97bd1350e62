"""Copies of live requests: decided per request, bounded, handed off, never waited for.

`Copier.ticket` decides on the request path, in microseconds, whether a request is copied: a
safe method (or an allowed route), sampled in, and fewer than `max_in_flight` copies out (or
about to be). What is not copied is counted by reason. Once the primary's answer is complete,
the ticket (request, bounded bodies, the primary's answer) is handed to the worker process,
where `Sender` sends the copies to the candidate and the secondary concurrently (with aiohttp)
and the judge compares. The client's path never sends a copy, parses an answer or touches the disk.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx

from realitycheck.shadow import client
from realitycheck.shadow.client import base_of
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
    """Decides and counts copies on the client's path; hands complete tickets to `hand`."""

    def __init__(
        self,
        settings: CopySettings,
        policy: Policy,
        hand: Callable[[Ticket], bool],
        done: Callable[[], int],
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.hand = hand
        self.done = done
        self.pending = 0  # tickets whose primary answer is not complete yet
        self.handed = 0
        self.counts: Counter[str] = Counter()
        self.not_sent: Counter[str] = Counter()

    @property
    def in_flight(self) -> int:
        """Copies decided and not back from the candidate yet."""
        return self.pending + self.handed - self.done()

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
        self.pending += 1
        ticket = Ticket(method, path, query, route)
        ticket.copy = True
        ticket.copy_headers, stripped = self.policy.copy_headers(headers)
        query, dropped = self.policy.copy_query(query)
        ticket.stripped = stripped + dropped
        ticket.copy_target = path.encode("utf-8") + (b"?" + query if query else b"")
        return ticket

    def primary_done(self, ticket: Ticket, state: str, ms: float) -> None:
        """The primary's answer is complete (`ok`) or failed: hand the ticket over, or count."""
        if not ticket.copy:
            return
        ticket.copy = False
        self.pending -= 1
        ticket.primary_state = state
        ticket.primary_ms = ms
        why = "too-large" if ticket.too_large else None if state == "ok" else state
        if why is None and not self.hand(ticket):
            why = "worker-behind"
        if why is not None:
            self.not_sent[why] += 1
            return
        self.handed += 1
        self.counts["copied"] += 1

    def snapshot(self) -> dict[str, Any]:
        """The counts so far (safe to call from another thread)."""
        while True:
            try:
                not_sent = dict(self.not_sent)
                break
            except RuntimeError:  # a reason counted for the first time meanwhile
                continue
        return {
            "requests": self.counts["requests"],
            "copied": self.counts["copied"],
            "in_flight": self.in_flight,
            "not_sent": not_sent,
        }


class Sender:
    """Sends a ticket's copies to the candidate and the secondary, concurrently (worker side)."""

    def __init__(self, settings: CopySettings) -> None:
        self.settings = settings
        self.bases = [base_of(settings.candidate)]
        if settings.secondary is not None:
            self.bases.append(base_of(settings.secondary))
        self.session: aiohttp.ClientSession | None = None

    async def copies(self, ticket: Ticket) -> list[Answer]:
        """The candidate's answer (and the secondary's)."""
        if self.session is None:
            self.session = client.session(
                limit=self.settings.max_in_flight * 2,
                connect=self.settings.timeout,
                total=self.settings.timeout,
            )
        return list(await asyncio.gather(*(self._send(base, ticket) for base in self.bases)))

    async def _send(self, base: str, ticket: Ticket) -> Answer:
        assert self.session is not None
        start = time.perf_counter()
        try:
            async with self.session.request(
                ticket.method,
                client.target_url(base, ticket.copy_target),
                headers=client.str_pairs(ticket.copy_headers),
                data=b"".join(ticket.body) or None,
                allow_redirects=False,
            ) as response:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.content.iter_any():
                    size += len(chunk)
                    if size > self.settings.max_body_bytes:
                        return Answer("too-large", error="the copy's answer is too large")
                    chunks.append(chunk)
                status, headers = response.status, list(response.raw_headers)
            ms = (time.perf_counter() - start) * 1000
            read = httpx.Response(status, headers=headers, content=b"".join(chunks))
            return Answer("ok", read, ms=ms)
        except asyncio.TimeoutError as exc:
            return Answer("timeout", error=type(exc).__name__, ms=self.settings.timeout * 1000)
        except aiohttp.ClientConnectorError as exc:
            return Answer("unreachable", error=f"{type(exc).__name__}: {exc}")
        except (aiohttp.ClientError, httpx.HTTPError, ValueError) as exc:
            ms = (time.perf_counter() - start) * 1000
            return Answer("raised", error=f"{type(exc).__name__}: {exc}", ms=ms)

    async def aclose(self) -> None:
        """Close the connections."""
        if self.session is not None:
            await self.session.close()
