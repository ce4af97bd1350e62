"""Raw HTTP/1.1 messages read by h11, which checks them against RFC 9112 before a sample is built.

A request line that is not one, a chunked body that does not parse, a `Content-Length` longer
than the body that follows, or bytes after the end of a message are errors (ValueError, with
one line saying which), not samples built from whatever could be guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import h11

MAX_HEAD = 1 << 20  # a head larger than this is refused


@dataclass
class Wire:
    """One parsed message: its start line's parts, headers (original case) and body."""

    start: str
    headers: list[tuple[str, str]]
    body: bytes
    method: str = ""
    target: str = ""
    status: int = 0


def _events(conn: h11.Connection, raw: bytes) -> list[Any]:
    """The events of one message fed whole to `conn`, then the end of the stream."""
    conn.receive_data(raw)
    out: list[Any] = []
    ended = False
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            raise ValueError(_reason(exc)) from None
        if event is h11.NEED_DATA:
            if ended:
                raise ValueError("the message ends before its body does (truncated)")
            conn.receive_data(b"")
            ended = True
            continue
        if isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
            break
        out.append(event)
        if isinstance(event, h11.EndOfMessage):
            break
    if not out or not isinstance(out[-1], h11.EndOfMessage):
        raise ValueError("the message ends before its body does (truncated)")
    extra = len(conn.trailing_data[0])
    if extra:
        raise ValueError(f"{extra} bytes after the end of the message (Content-Length too short?)")
    return out


def _reason(exc: h11.RemoteProtocolError) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "peer closed" in text:
        return "the message ends before its body does (Content-Length longer than the body?)"
    return text


def _headers(event: Any) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v, *_ in event.headers.raw_items()]


def _body(events: list[Any]) -> bytes:
    return b"".join(bytes(e.data) for e in events if isinstance(e, h11.Data))


def parse_request(raw: bytes) -> Wire:
    """A raw HTTP/1.x request, checked."""
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
    events = _events(conn, raw)
    request = events[0]
    if not isinstance(request, h11.Request):
        raise ValueError("not an HTTP request")
    method, target = request.method.decode("ascii"), request.target.decode("latin-1")
    version = request.http_version.decode("ascii")
    return Wire(
        start=f"{method} {target} HTTP/{version}",
        headers=_headers(request),
        body=_body(events),
        method=method,
        target=target,
    )


def parse_response(raw: bytes, method: str = "GET") -> Wire:
    """A raw HTTP/1.x response to a request of `method`, checked."""
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
    conn.send(
        h11.Request(method=method, target="/", headers=[("Host", "x"), ("Content-Length", "0")])
    )
    conn.send(h11.EndOfMessage())
    events = [e for e in _events(conn, raw) if not isinstance(e, h11.InformationalResponse)]
    response = events[0]
    if not isinstance(response, h11.Response):
        raise ValueError("not an HTTP response")
    reason = response.reason.decode("latin-1")
    return Wire(
        start=f"HTTP/{response.http_version.decode('ascii')} {response.status_code} {reason}",
        headers=_headers(response),
        body=_body(events),
        status=response.status_code,
    )
