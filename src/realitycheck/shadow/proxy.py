"""The shadow proxy, an ASGI app: the client gets the primary's answer, streamed, byte for byte.

Requests go to the primary through aiohttp's client (its C-accelerated HTTP parser keeps the
added latency small; httpx, which the copies use, costs several times more per request), set up
to add nothing: no automatic headers, no redirects, no cookie jar, no decompression, no proxy
from the environment. Request and response bodies stream chunk by chunk, never loaded whole.
Hop-by-hop headers are dropped both ways and `X-Forwarded-*` added. While the bytes pass, a
ticketed request keeps a bounded copy of both bodies for the copier (and for `--record`); the
copies themselves are sent, compared and written by a worker process, so nothing else competes
with the client's path. A primary that cannot be reached is a 502 (504 when connecting timed
out) with a body that says so. `/_realitycheck/` is the live page; every other path goes to
the primary.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

import aiohttp
import httpx

from realitycheck.shadow import client
from realitycheck.shadow.copies import Copier, Ticket
from realitycheck.shadow.safety import Headers, response_headers, route_of, upstream_headers

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
LIVE = "/_realitycheck"


class Tap(Protocol):
    """Where `--record` sends each exchange (the corpus capture path)."""

    def admit(self, route: str) -> bool:
        """Whether to record a request of this route."""
        ...

    def submit(self, ticket: Ticket, request_headers: Headers, ms: float) -> None:
        """Record one complete exchange."""
        ...


class Page(Protocol):
    """The live page."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a request under /_realitycheck/."""
        ...


class ShadowProxy:
    """Forwards every request to the primary and hands tickets to the copier."""

    def __init__(
        self,
        primary: httpx.URL,
        copier: Copier,
        *,
        page: Page | None = None,
        tap: Tap | None = None,
        connect_timeout: float = 5.0,
        startup: Callable[[], None] | None = None,
        shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.primary = primary
        self.copier = copier
        self.page = page
        self.tap = tap
        self.limit = copier.settings.max_body_bytes
        self.base = client.base_of(primary)
        self.connect_timeout = connect_timeout
        self.session: aiohttp.ClientSession | None = None
        self._startup = startup
        self._shutdown = shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            path = scope.get("path") or "/"
            if self.page is not None and (path == LIVE or path.startswith(LIVE + "/")):
                await self.page(scope, receive, send)
            else:
                await self.forward(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1003})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.session = client.session(limit=0, connect=self.connect_timeout, total=None)
                if self._startup is not None:
                    self._startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.session is not None:
                    await self.session.close()
                if self._shutdown is not None:
                    await self._shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One request through the primary, and its ticket (if any) completed."""
        method: str = scope["method"]
        path: str = scope.get("path") or "/"
        raw_path: bytes = scope.get("raw_path") or path.encode("utf-8")
        query: bytes = scope.get("query_string") or b""
        headers = upstream_headers(
            scope["headers"], scope.get("client"), scope.get("scheme", "http")
        )
        route = route_of(method, path)
        ticket = self.copier.ticket(method, path, query, headers, route)
        if self.tap is not None and self.tap.admit(route):
            ticket = ticket or Ticket(method, path, query, route)
            ticket.record = True
        has_body, chunked = _framing(scope["headers"])
        content = self._body(receive, ticket) if has_body else None
        url = client.target_url(self.base, raw_path + (b"?" + query if query else b""))
        start = time.perf_counter()
        if self.session is None:
            raise RuntimeError("the proxy serves only between lifespan startup and shutdown")
        try:
            response = await self.session.request(
                method,
                url,
                headers=client.str_pairs(headers),
                data=content,
                chunked=True if chunked else None,
                allow_redirects=False,
                compress=None,
            )
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            ms = (time.perf_counter() - start) * 1000
            if ticket is not None:
                self.copier.primary_done(ticket, "primary-failed", ms)
            await self._failed(send, exc)
            return
        state = "primary-failed"
        try:
            status = response.status
            out = response_headers(response.raw_headers)
            if ticket is not None:
                ticket.status, ticket.resp_headers = status, out
            await send({"type": "http.response.start", "status": status, "headers": out})
            async for chunk in response.content.iter_any():
                if ticket is not None:
                    ticket.keep(1, chunk, self.limit)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            state = "ok"
        finally:
            response.release()
            if ticket is not None:
                ms = (time.perf_counter() - start) * 1000
                self.copier.primary_done(ticket, state, ms)
                if ticket.record and state == "ok" and self.tap is not None:
                    self.tap.submit(ticket, list(scope["headers"]), ms)

    async def _body(self, receive: Receive, ticket: Ticket | None) -> Any:
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise aiohttp.ClientPayloadError("the client went away before sending its body")
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            if ticket is not None:
                ticket.keep(0, chunk, self.limit)
            if chunk:
                yield chunk

    async def _failed(self, send: Send, exc: BaseException) -> None:
        timeout = isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError)
        status = 504 if timeout else 502
        what = "did not accept a connection in time" if timeout else "could not be reached"
        text = (
            f"realitycheck shadow: the primary ({self.primary}) {what}: "
            f"{type(exc).__name__}: {exc}\n"
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(text)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": text, "more_body": False})


def _framing(headers: Headers) -> tuple[bool, bool]:
    """(whether the request has a body, whether it comes chunked)."""
    for name, value in headers:
        if name == b"transfer-encoding":
            return True, True
        if name == b"content-length" and value.strip() not in (b"", b"0"):
            return True, False
    return False, False
