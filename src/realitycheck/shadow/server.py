"""The shadow proxy assembled and served: uvicorn in front, the copier, the judge, the page.

Why this stack: an ASGI app under uvicorn gives HTTP/1.1 keep-alive, chunked bodies and
graceful shutdown on SIGINT/SIGTERM from a well-kept server, and lets the app stream request and
response bodies message by message; httpx (already what replay sends with) talks to the
upstreams through its async transport, with per-request timeouts and connection pools.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.core.config.shadow import ShadowConfig
from realitycheck.corpus.capture.recorder import Recorder
from realitycheck.corpus.redact import Redactor
from realitycheck.replay.jsondiff import child
from realitycheck.replay.noise import Thresholds
from realitycheck.shadow.copies import Copier, CopySettings
from realitycheck.shadow.handoff import Handoff, snapshot_path
from realitycheck.shadow.judge import JudgeSettings
from realitycheck.shadow.live import LivePage
from realitycheck.shadow.proxy import ShadowProxy
from realitycheck.shadow.record import CorpusTap
from realitycheck.shadow.results import new_run_id, run_path
from realitycheck.shadow.safety import Policy
from realitycheck.shadow.worker import WorkerSettings

# uvicorn adds no Server or Date header of its own, and takes the peer's address as it is (the
# proxy itself adds X-Forwarded-For; uvicorn must not rewrite the client from it).
UVICORN_OPTIONS: dict[str, Any] = {
    "log_level": "warning",
    "access_log": False,
    "server_header": False,
    "date_header": False,
    "proxy_headers": False,
    "lifespan": "on",
    "ws": "none",
    "timeout_keep_alive": 30,
}


@dataclass
class ShadowOptions:
    """Everything one proxy needs, resolved by the caller."""

    primary: httpx.URL
    candidate: httpx.URL
    results: Path
    config: ShadowConfig
    redactor: Redactor
    secondary: httpx.URL | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    expected: Sequence[ExpectedChange] | None = None
    head: str | None = None
    recorder: Recorder | None = None


@dataclass
class Shadow:
    """A built proxy: the ASGI app, the copier, the worker's hand-off, and where results go."""

    app: ShadowProxy
    copier: Copier
    handoff: Handoff
    path: Path
    meta: dict[str, Any]

    def live(self) -> dict[str, Any]:
        """What the live page shows right now."""
        return self.handoff.live()


def build(options: ShadowOptions) -> Shadow:
    """The proxy and its copier; the worker starts (and creates the results file) at startup."""
    cfg = options.config
    compare_headers = tuple(h for h in cfg.compare_headers if h not in cfg.ignore_headers)
    ignore = (*cfg.ignore, *(child("$.headers", h) for h in cfg.ignore_headers))
    meta: dict[str, Any] = {
        "head": options.head,
        "primary": str(options.primary),
        "candidate": str(options.candidate),
        "secondary": str(options.secondary) if options.secondary else None,
        "comparator": cfg.comparator,
        "compare_headers": list(compare_headers),
        "ignore": list(ignore),
        "record": options.recorder is not None,
    }
    copy = CopySettings(
        candidate=options.candidate,
        secondary=options.secondary,
        timeout=cfg.timeout,
        max_in_flight=cfg.max_in_flight,
        max_body_bytes=cfg.max_body_kb * 1024,
    )
    run_id = new_run_id()
    options.results.mkdir(parents=True, exist_ok=True)
    settings = WorkerSettings(
        copy=copy,
        judge=JudgeSettings(cfg.comparator, cfg.text_threshold, compare_headers),
        key=options.redactor.key,
        rules=options.redactor.rules,
        results=options.results,
        run_id=run_id,
        meta=meta,
        ignore=ignore,
        thresholds=options.thresholds,
        expected=list(options.expected) if options.expected is not None else None,
        snapshot=snapshot_path(options.results, run_id),
    )
    copier_box: list[Copier] = []
    handoff = Handoff(settings, lambda: copier_box[0].snapshot())
    copier = Copier(copy, Policy.from_config(cfg), handoff.put, handoff.done_count)
    copier_box.append(copier)
    page = LivePage(handoff.live)
    tap = CorpusTap(options.recorder) if options.recorder is not None else None

    async def shutdown() -> None:
        await asyncio.to_thread(handoff.stop)
        if tap is not None:
            await asyncio.to_thread(tap.close)

    app = ShadowProxy(
        options.primary,
        copier,
        page=page,
        tap=tap,
        connect_timeout=cfg.connect_timeout,
        startup=handoff.start,
        shutdown=shutdown,
    )
    path = run_path(options.results, run_id)
    return Shadow(app=app, copier=copier, handoff=handoff, path=path, meta=meta)


def listen_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: one the system picks)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it a response written in pieces waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(shadow: Shadow, sock: socket.socket, on_ready: Callable[[], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM, then finish the copies in flight and the results."""
    import uvicorn

    config = uvicorn.Config(shadow.app, **UVICORN_OPTIONS)
    server = uvicorn.Server(config)
    if on_ready is not None:
        on_ready()
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again to the
    # handler it found; a quiet handler here makes that the end of the run, not an abort.
    main = threading.current_thread() is threading.main_thread()
    previous = (
        [(s, signal.signal(s, _quiet)) for s in (signal.SIGINT, signal.SIGTERM)] if main else []
    )
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous:
            signal.signal(sig, handler)


def _quiet(signum: int, frame: Any) -> None:
    """A signal that arrives after the server stopped: nothing more to do."""
