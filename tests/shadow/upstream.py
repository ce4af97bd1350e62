"""Upstream services for the shadow tests: one ASGI app in three variants, served by uvicorn.

`primary` and `secondary` run the same code; a per-response `request_id` differs between any two
answers (noise both sides show). `candidate` changes `plan` for even user ids (a real
divergence) and can be slowed down. Every request any variant sees is kept in `seen`; requests
with unsafe methods also in `unsafe` (the trap).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

CHUNK = b"x" * 65536


class Upstream:
    """An ASGI app standing in for one revision of a service."""

    def __init__(self, variant: str, delay: float = 0.0) -> None:
        self.variant = variant
        self.delay = delay
        self.seen: list[dict[str, Any]] = []
        self.unsafe: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        method, path = scope["method"], scope["path"]
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        query = scope.get("query_string", b"").decode()
        entry = {"method": method, "path": path, "query": query, "headers": headers, "body": body}
        self.seen.append(entry)
        if method not in ("GET", "HEAD", "OPTIONS"):
            self.unsafe.append(entry)
            await _json(send, {"charged": True, "by": self.variant})
            return
        if self.delay:
            await asyncio.sleep(self.delay)
        if path.startswith("/users/"):
            uid = path.rsplit("/", 1)[1]
            plan = (
                "free"
                if self.variant == "candidate" and uid.isdigit() and int(uid) % 2 == 0
                else "pro"
            )
            await _json(
                send, {"id": uid, "name": "Ada", "plan": plan, "request_id": str(uuid.uuid4())}
            )
        elif path == "/stable":
            await _json(send, {"status": "fine", "items": [1, 2, 3]})
        elif path == "/gz":
            plan = "free" if self.variant == "candidate" else "pro"
            body = gzip.compress(json.dumps({"plan": plan}).encode(), mtime=0)
            headers = [
                (b"content-type", b"application/json"),
                (b"content-encoding", b"gzip"),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        elif path == "/echo":
            await _json(send, {"headers": headers, "query": query, "body": body.decode("latin-1")})
        elif path == "/secret":
            who = (
                "ada.lovelace@example.com"
                if self.variant != "candidate"
                else "grace.hopper@example.com"
            )
            await _json(send, {"email": who, "api_token": "sk_live_4eC39HqLyjWDarjtT1zdp7dc"})
        elif path == "/big":
            n = int(dict(p.split("=") for p in query.split("&") if p).get("mb", "8")) * 16
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream")],
                }
            )
            for _ in range(n):
                await send({"type": "http.response.body", "body": CHUNK, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        elif path == "/fail" and self.variant == "candidate":
            await _json(send, {"error": "boom"}, status=500)
        else:
            await _json(
                send,
                {"path": path, "found": path == "/fail"},
                status=200 if path == "/fail" else 404,
            )


async def _json(send: Any, doc: Any, status: int = 200) -> None:
    body = json.dumps(doc).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-served-by", b"upstream"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def bound_socket() -> socket.socket:
    """A loopback socket on a port the system picks, listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    return sock


@contextlib.contextmanager
def serve(app: Any, **options: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread on loopback; yields its base URL."""
    import uvicorn

    sock = bound_socket()
    port = sock.getsockname()[1]
    settings = {"log_level": "warning", "lifespan": "off", "ws": "none", **options}
    config = uvicorn.Config(app, **settings)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def dead_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"
