"""The worker process: sends the copies, judges the answers, writes results and the live view.

The proxy's process only decides and hands over; everything that costs CPU for a copy (an
HTTP exchange per upstream, parsing, comparing, redacting, writing) happens here, on the other
core, so the client's latency does not pay for it. Tickets arrive pickled over a pipe; the
number of copies whose answers are back is published in a shared counter, which the proxy
subtracts to bound copies in flight. Every flush of the judge also writes the live snapshot
(`live.json`, replaced atomically) that the proxy's page serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import pickle
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.corpus.redact import Redactor, Rules
from realitycheck.replay.noise import Thresholds
from realitycheck.shadow.copies import CopySettings, Sender, Ticket
from realitycheck.shadow.judge import Judge, JudgeSettings
from realitycheck.shadow.live import live_data
from realitycheck.shadow.results import ResultsWriter
from realitycheck.shadow.summary import Summary


@dataclass(frozen=True)
class WorkerSettings:
    """Everything the worker needs, as values that cross a process boundary."""

    copy: CopySettings
    judge: JudgeSettings
    key: bytes
    rules: Rules
    results: Path
    run_id: str
    meta: dict[str, Any]
    ignore: tuple[str, ...]
    thresholds: Thresholds
    expected: Sequence[ExpectedChange] | None
    snapshot: Path


class Shared:
    """A counter the worker writes and the proxy reads (a `multiprocessing.RawValue`)."""

    value: int


def main(conn: Connection, settings: WorkerSettings, done: Shared) -> None:
    """Run until the proxy sends None (or goes away)."""
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(_serve(conn, settings, done))


async def _serve(conn: Connection, settings: WorkerSettings, done: Shared) -> None:
    loop = asyncio.get_running_loop()
    outside: dict[str, Any] = {}
    summary = Summary(
        comparator=settings.judge.comparator,
        ignore=settings.ignore,
        noise_measured=settings.copy.secondary is not None,
    )
    writer = ResultsWriter(settings.results, settings.meta, settings.run_id)
    meta = {k: settings.meta.get(k) for k in ("head", "primary", "candidate", "secondary")}
    meta["runs"] = [settings.run_id]

    def snapshot() -> None:
        data = live_data(judge, settings.thresholds, settings.expected, meta)
        tmp = settings.snapshot.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
        tmp.replace(settings.snapshot)

    judge = Judge(
        settings.judge,
        Redactor(settings.key, settings.rules),
        writer,
        summary,
        lambda: dict(outside),
        on_flush=snapshot,
    )
    judge.start()
    sender = Sender(settings.copy)
    tasks: set[asyncio.Task[None]] = set()
    finished = asyncio.Event()

    async def copy(ticket: Ticket) -> None:
        try:
            answers = await sender.copies(ticket)
        finally:
            done.value += 1
        if not judge.put(ticket, answers):
            judge.counts["judge_behind"] += 1

    def start(ticket: Ticket) -> None:
        task = loop.create_task(copy(ticket))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def read() -> None:
        try:
            while True:
                message = pickle.loads(conn.recv_bytes())
                if message is None:
                    break
                if isinstance(message, dict):
                    outside.clear()
                    outside.update(message)
                else:
                    loop.call_soon_threadsafe(start, message)
        except (EOFError, OSError):
            pass  # the proxy went away: finish what is in flight
        finally:
            loop.call_soon_threadsafe(finished.set)

    threading.Thread(target=read, name="realitycheck-shadow-reader", daemon=True).start()
    await finished.wait()
    if tasks:
        await asyncio.wait(list(tasks), timeout=settings.copy.timeout + 1)
    await sender.aclose()
    await asyncio.to_thread(judge.stop)
