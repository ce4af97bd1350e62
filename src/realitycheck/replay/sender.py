"""Sending recorded requests to the services with httpx, safely, and judging the answers.

Safe by default: only GET, HEAD and OPTIONS are replayed unless a target allows more; only hosts
on the allow-list are ever contacted (checked for every URL given, and again by a guard in the
transport for every request sent); redirects are never followed, proxies from the environment
never used, and every request carries a timeout.

Requests go out from a pool of threads, each with its own synchronous httpx client: measured
here, that sends several times more requests per second than httpx's asyncio client, whose
per-request cost grows with the number in flight. `concurrency` caps the threads, `rate` the
requests per second across all of them.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.core.errors import CorpusError
from realitycheck.core.events import Events
from realitycheck.corpus.store import Corpus
from realitycheck.replay import values
from realitycheck.replay.compare import Found, comparator_for
from realitycheck.replay.function import read_rows
from realitycheck.replay.http import (
    Endpoints,
    HttpSettings,
    Request,
    build_request,
    check_url,
    compare_responses,
    response_doc,
)
from realitycheck.replay.model import TargetReplay
from realitycheck.replay.tally import Tally


class BlockedRequest(httpx.TransportError):
    """A request to a host that is not on the allow-list; it never leaves the process."""


def _host(host: str) -> str:
    return host.strip("[]").lower()


class Guard(httpx.BaseTransport):
    """A transport that refuses every request whose host is not allowed, then delegates."""

    def __init__(self, inner: httpx.BaseTransport, allowed: Sequence[str]) -> None:
        self.inner = inner
        self.allowed = frozenset(_host(h) for h in allowed)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https") or _host(url.host) not in self.allowed:
            raise BlockedRequest(f"{url.host} is not an allowed host", request=request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class Limiter:
    """At most `rate` acquisitions per second across threads, evenly spaced."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Wait for the next slot."""
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


class Sender:
    """Thread-local httpx clients that cannot reach a host off the allow-list."""

    def __init__(self, settings: HttpSettings, transport: httpx.BaseTransport | None) -> None:
        self.settings = settings
        self.transport = transport
        self.limiter = Limiter(settings.rate)
        self._local = threading.local()
        self._clients: list[httpx.Client] = []
        self._lock = threading.Lock()

    def client(self) -> httpx.Client:
        """This thread's client."""
        found: httpx.Client | None = getattr(self._local, "client", None)
        if found is None:
            inner = self.transport or httpx.HTTPTransport(retries=0)
            found = httpx.Client(
                transport=Guard(inner, self.settings.allowed_hosts),
                timeout=httpx.Timeout(self.settings.timeout),
                follow_redirects=False,
                trust_env=False,
            )
            self._local.client = found
            with self._lock:
                self._clients.append(found)
        return found

    def send(self, base: httpx.URL, request: Request) -> Answer:
        """One request to one service: its answer as a document, or why there is none."""
        prefix = base.raw_path.split(b"?", 1)[0].rstrip(b"/")
        url = base.copy_with(raw_path=prefix + request.target)
        self.limiter.acquire()
        start = time.perf_counter()
        try:
            response = self.client().request(
                request.method, url, headers=request.headers, content=request.content
            )
        except BlockedRequest as exc:
            return Answer("blocked", {"error": str(exc)}, 0.0)
        except httpx.TimeoutException as exc:
            return Answer("timeout", {"error": type(exc).__name__}, self.settings.timeout * 1000)
        except httpx.HTTPError as exc:
            ms = (time.perf_counter() - start) * 1000
            return Answer("raised", {"error": f"{type(exc).__name__}: {exc}"}, ms)
        ms = (time.perf_counter() - start) * 1000
        return Answer("ok", response_doc(response, self.settings.compare_headers), ms)

    def close(self) -> None:
        """Close every thread's client."""
        for client in self._clients:
            client.close()


@dataclass
class Answer:
    """A service's answer to one request."""

    state: str
    doc: dict[str, Any]
    ms: float


Outcome = tuple[str, str | None, list[Answer]]


def _exchange(
    sender: Sender, corpus: Corpus, bases: list[httpx.URL], sample_id: str, input_json: str
) -> Outcome:
    """Rebuild one recorded request and send it to every service; or say why it was skipped."""
    try:
        request = build_request(json.loads(input_json), corpus.blobs.get)
    except (ValueError, TypeError, CorpusError, UnicodeEncodeError) as exc:
        return sample_id, f"cannot rebuild the request: {exc}", []
    if request.method not in sender.settings.methods:
        return sample_id, f"method {request.method} not allowed", []
    return sample_id, None, [sender.send(base, request) for base in bases]


def _judge(tally: Tally, outcome: Outcome, compare: Any) -> None:
    sample_id, skipped, answers = outcome
    if skipped is not None:
        tally.skip(skipped)
        return
    if any(a.state == "blocked" for a in answers):
        tally.skip("blocked: host not allowed")
        return
    b, h = answers[0], answers[1]
    tally.base_ms.append(b.ms)
    tally.head_ms.append(h.ms)
    found = compare_responses(b.state, b.doc, h.state, h.doc, compare)
    noise: list[Found] = []
    if len(answers) > 2:
        noise = compare_responses(b.state, b.doc, answers[2].state, answers[2].doc, compare)
    texts = (values.canonical(b.doc), values.canonical(h.doc)) if found else ("", "")
    tally.add(sample_id, found, noise, *texts)


def _replay_target(
    corpus: Corpus,
    target: str,
    endpoints: Endpoints,
    sender: Sender,
    pool: ThreadPoolExecutor,
    events: Events,
) -> Tally:
    settings = sender.settings
    compare = comparator_for(settings.comparison.comparator, settings.comparison.text_threshold)
    tally = Tally(
        target,
        "http",
        settings.comparison.comparator,
        "base",
        noise_measured=endpoints.secondary is not None,
        ignore=settings.ignore,
    )
    bases = [endpoints.baseline, endpoints.candidate]
    if endpoints.secondary is not None:
        bases.append(endpoints.secondary)
    window = 4 * settings.concurrency
    pending: deque[Future[Outcome]] = deque()
    with events.task(f"replay {target}", total=corpus.count(target)) as task:
        for rows in read_rows(corpus, target, None, 512):
            for sample_id, input_json, _ in rows:
                pending.append(pool.submit(_exchange, sender, corpus, bases, sample_id, input_json))
                while len(pending) >= window:
                    _judge(tally, pending.popleft().result(), compare)
                    task.advance()
        while pending:
            _judge(tally, pending.popleft().result(), compare)
            task.advance()
    return tally


def replay_http(
    corpus: Corpus,
    targets: Sequence[str],
    endpoints: Endpoints,
    settings: HttpSettings,
    *,
    expected: Sequence[ExpectedChange] = (),
    transport: httpx.BaseTransport | None = None,
    events: Events | None = None,
) -> list[TargetReplay]:
    """Replay each HTTP target's recorded requests against the services and judge the answers."""
    for url, option in (
        (endpoints.baseline, "--baseline"),
        (endpoints.candidate, "--candidate"),
        (endpoints.secondary, "--secondary"),
    ):
        if url is not None:
            check_url(str(url), settings.allowed_hosts, option=option)
    events = events or Events()
    sender = Sender(settings, transport)
    out: list[TargetReplay] = []
    try:
        with ThreadPoolExecutor(settings.concurrency, thread_name_prefix="replay-http") as pool:
            for target in targets:
                tally = _replay_target(corpus, target, endpoints, sender, pool, events)
                out.append(tally.result(settings.thresholds, expected))
    finally:
        sender.close()
    return out
