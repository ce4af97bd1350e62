"""Replaying recorded HTTP traffic: requests rebuilt here, sent by `senders`, verdicts tallied.

Safe by default: only GET, HEAD and OPTIONS are replayed unless a target allows more; only hosts
on the allow-list are ever contacted (checked for every URL given here, and again by a guard in
the transport for every request sent); redirects are never followed, proxies from the
environment never used, and every request carries a timeout (see `replay.exchange`).

This process reads the corpus, rebuilds each request once, and hands them out in batches; the
senders (threads here for small corpora, else one process per CPU with its share of the
threads) send them, judge the answers and return verdicts, which are tallied in recording order.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future

import httpx

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.core.errors import CorpusError
from realitycheck.core.events import Events
from realitycheck.corpus.store import Corpus
from realitycheck.replay import preflight
from realitycheck.replay import senders as sending
from realitycheck.replay.compare import comparator_for
from realitycheck.replay.exchange import BlockedRequest, Guard, Item, Judged, Limiter, Plan
from realitycheck.replay.function import read_rows
from realitycheck.replay.http import Endpoints, HttpSettings, build_request, check_url
from realitycheck.replay.model import TargetReplay
from realitycheck.replay.tally import Tally

AUTO_PROCESS_SAMPLES = 128  # below this many samples, starting sender processes costs more
MAX_BATCH = 64

__all__ = ["BlockedRequest", "Guard", "Limiter", "replay_http", "sender_processes"]


def sender_processes(settings: HttpSettings, samples: int) -> int:
    """How many processes send: as configured, else one per CPU for all but small corpora."""
    if settings.senders is not None:
        return settings.senders
    if samples < AUTO_PROCESS_SAMPLES:
        return 1
    return max(1, min(os.cpu_count() or 1, settings.concurrency))


def batch_size(remaining: int, concurrency: int) -> int:
    """Samples per batch: cheap to hand out, and smaller towards the end so no thread idles."""
    return max(1, min(MAX_BATCH, remaining // (4 * concurrency)))


def _prepare(corpus: Corpus, methods: frozenset[str], sample_id: str, text: str) -> Item | str:
    """A recorded request ready to send, or why it is skipped."""
    try:
        request = build_request(json.loads(text), corpus.blobs.get)
    except (ValueError, TypeError, CorpusError, UnicodeEncodeError) as exc:
        return f"cannot rebuild the request: {exc}"
    if request.method not in methods:
        return f"method {request.method} not allowed"
    target = request.target.decode("ascii")
    return (sample_id, request.method, target, request.headers, request.content)


def _judge(tally: Tally, judged: Judged) -> None:
    if judged.skipped is not None:
        tally.skip(judged.skipped)
        return
    tally.base_ms.append(judged.base_ms)
    tally.head_ms.append(judged.head_ms)
    tally.add(
        judged.sample_id,
        judged.found,
        judged.noise,
        judged.base_text,
        judged.head_text,
        errored=judged.errored,
    )


def _replay_target(
    corpus: Corpus,
    target: str,
    settings: HttpSettings,
    senders: sending.Senders,
    noise_measured: bool,
    events: Events,
) -> Tally:
    tally = Tally(
        target,
        "http",
        settings.comparison.comparator,
        "base",
        noise_measured=noise_measured,
        ignore=settings.ignore,
    )
    total = corpus.count(target)
    left = total
    size = batch_size(left, settings.concurrency)
    pending: deque[Future[list[Judged]]] = deque()
    batch: list[Item] = []

    def settle(keep: int) -> None:
        while len(pending) > keep:
            verdicts = pending.popleft().result()
            for judged in verdicts:
                _judge(tally, judged)
            task.advance(len(verdicts))

    with events.task(f"replay {target}", total=total) as task:
        for rows in read_rows(corpus, target, None, 512):
            for sample_id, input_json, _ in rows:
                item = _prepare(corpus, settings.methods, sample_id, input_json)
                if isinstance(item, str):
                    tally.skip(item)
                    task.advance()
                    continue
                batch.append(item)
                if len(batch) >= size:
                    pending.append(senders.submit(batch))
                    left -= len(batch)
                    size = batch_size(left, settings.concurrency)
                    batch = []
                    settle(2 * settings.concurrency)
        if batch:
            pending.append(senders.submit(batch))
        settle(0)
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
    services = [endpoints.baseline, endpoints.candidate]
    if endpoints.secondary is not None:
        services.append(endpoints.secondary)
    for url, option in zip(services, ("--baseline", "--candidate", "--secondary"), strict=False):
        check_url(str(url), settings.allowed_hosts, option=option)
    comparison = settings.comparison
    comparator_for(comparison.comparator, comparison.text_threshold)  # a bad one fails here
    events = events or Events()
    plan = Plan(
        services=tuple(str(url) for url in services),
        allowed_hosts=settings.allowed_hosts,
        compare_headers=settings.compare_headers,
        timeout=settings.timeout,
        comparator=comparison.comparator,
        text_threshold=comparison.text_threshold,
        rate=settings.rate,
    )
    if transport is None:  # a transport passed in stands in for the services themselves
        labels = ("baseline (--baseline)", "candidate (--candidate)", "secondary (--secondary)")
        preflight.check_answers(
            [(f"{label} service", str(url)) for label, url in zip(labels, services, strict=False)],
            settings.timeout,
        )
    processes = sender_processes(settings, sum(corpus.count(t) for t in targets))
    senders = sending.start(plan, processes, settings.concurrency, transport)
    out: list[TargetReplay] = []
    try:
        for target in targets:
            tally = _replay_target(
                corpus, target, settings, senders, endpoints.secondary is not None, events
            )
            out.append(tally.result(settings.thresholds, expected))
    except BaseException:
        senders.abort()
        raise
    senders.close()
    return out
