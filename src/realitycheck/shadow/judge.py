"""The judge thread: compares each finished copy, redacts its example, and writes it down.

Comparison, redaction and disk writes run here, off the event loop, so a large body or a slow
disk never delays a client. Answers are compared with replay's comparators (`compare_responses`
over `response_doc`s): primary vs candidate is the divergence, primary vs secondary the noise.
Only redacted documents ever reach the results file or the live page.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from realitycheck.corpus.redact import Redactor
from realitycheck.replay.compare import Comparator, Found, comparator_for
from realitycheck.replay.http import compare_responses, response_doc
from realitycheck.replay.jsondiff import generalise
from realitycheck.shadow.copies import Answer, Ticket
from realitycheck.shadow.results import ResultsWriter
from realitycheck.shadow.summary import Summary, found_to_json

FLUSH_SECONDS = 0.5
MAX_QUEUE = 10_000
MAX_EXAMPLES = 5  # redacted examples written per route, JSON path and category
COMPARED_STATES = ("ok", "timeout", "raised")


@dataclass(frozen=True)
class JudgeSettings:
    """How answers are compared."""

    comparator: str = "json"
    text_threshold: float = 0.95
    compare_headers: tuple[str, ...] = ("content-type",)


class Judge:
    """A thread that judges finished copies in arrival order."""

    def __init__(
        self,
        settings: JudgeSettings,
        redactor: Redactor,
        writer: ResultsWriter,
        summary: Summary,
        counts: Callable[[], dict[str, Any]],
        on_flush: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.compare: Comparator = comparator_for(settings.comparator, settings.text_threshold)
        self.redactor = redactor
        self.headers = (*settings.compare_headers, "content-type")
        self.writer = writer
        self.summary = summary
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self._outside = counts  # the copier's counts (requests, copied, not sent)
        self._on_flush = on_flush
        self._queue: queue.SimpleQueue[tuple[Ticket, list[Answer]] | None] = queue.SimpleQueue()
        self._seq = 0
        self._examples: Counter[tuple[str, str, str]] = Counter()
        self._thread = threading.Thread(target=self._run, name="realitycheck-shadow-judge")
        self._thread.daemon = True
        self.error: str | None = None

    def start(self) -> None:
        """Start judging."""
        self._thread.start()

    def put(self, ticket: Ticket, answers: list[Answer]) -> bool:
        """Queue a finished copy; False (not queued) when the judge is too far behind."""
        if self._queue.qsize() >= MAX_QUEUE:
            return False
        self._queue.put((ticket, answers))
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """Judge what is queued, write the last counts, and stop."""
        self._queue.put(None)
        self._thread.join(timeout)

    def snapshot(self) -> dict[str, Any]:
        """Every count so far: the copier's and the judge's."""
        counts: dict[str, Any] = dict(self._outside())
        counts.update(self.counts)
        return counts

    def _run(self) -> None:
        deadline = time.monotonic() + FLUSH_SECONDS
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                item = ()  # type: ignore[assignment]
            if item is None:
                self._flush(final=True)
                return
            if item:
                try:
                    self._judge(*item)
                except Exception as exc:  # a bug here must not stop the proxy
                    self.error = f"{type(exc).__name__}: {exc}"
                    self.counts["judge_errors"] += 1
            if time.monotonic() >= deadline:
                self._flush()
                deadline = time.monotonic() + FLUSH_SECONDS

    def _flush(self, final: bool = False) -> None:
        try:
            if final:
                self.writer.close(self.snapshot())
            else:
                self.writer.flush(self.snapshot())
        except OSError as exc:
            self.error = f"cannot write the results: {exc}"
        if self._on_flush is not None:  # after the results: the view never runs ahead of them
            try:
                self._on_flush()
            except Exception as exc:
                self.error = f"cannot write the live snapshot: {type(exc).__name__}: {exc}"

    def _judge(self, ticket: Ticket, answers: list[Answer]) -> None:
        self._seq += 1
        record: dict[str, Any] = {
            "t": "x",
            "id": f"#{self._seq}",
            "at": ticket.at,
            "route": ticket.route,
            "stripped": ticket.stripped,
        }
        primary, candidate = primary_answer(ticket), answers[0]
        secondary = answers[1] if len(answers) > 1 else None
        why = _skip_reason(primary, candidate)
        if why is not None:
            record.update(state="skipped", why=why)
        else:
            assert primary is not None and primary.response is not None
            by_name = {"primary": primary, "candidate": candidate}
            if secondary is not None:
                by_name["secondary"] = secondary
            docs: dict[str, dict[str, Any]] = {}
            found = self._differ(by_name, docs, "candidate")
            noise: list[Found] = []
            if secondary is not None:
                if secondary.state in COMPARED_STATES:
                    noise = self._differ(by_name, docs, "secondary")
                else:
                    self.counts["secondary_failed"] += 1
            self.counts["compared"] += 1
            record.update(
                state="compared",
                status=primary.response.status_code,
                found=found_to_json(found),
                noise=found_to_json(noise),
                ms={
                    "primary": round(primary.ms, 3),
                    "candidate": round(candidate.ms, 3),
                    **({"secondary": round(secondary.ms, 3)} if secondary else {}),
                },
            )
            if self._wanted(record["route"], found):
                for name in by_name:
                    self._doc(by_name, docs, name)
                record["example"] = self._example(ticket, docs)
        with self.lock:
            self.summary.add(record)
        self.writer.add(record)

    def _wanted(self, route: str, found: list[Found]) -> bool:
        """Whether this copy shows a divergence with fewer than MAX_EXAMPLES examples so far."""
        wanted = False
        for item in found:
            key = (route, generalise(item.path), item.category)
            if self._examples[key] < MAX_EXAMPLES:
                self._examples[key] += 1
                wanted = True
        return wanted

    def _doc(
        self, answers: dict[str, Answer], docs: dict[str, dict[str, Any]], name: str
    ) -> dict[str, Any]:
        """One answer as replay's response document (made once, when first needed)."""
        doc = docs.get(name)
        if doc is None:
            answer = answers[name]
            if answer.response is None:
                doc = {"error": answer.error}
            else:
                doc = response_doc(answer.response, self.settings.compare_headers)
            docs[name] = doc
        return doc

    def _differ(
        self, answers: dict[str, Answer], docs: dict[str, dict[str, Any]], name: str
    ) -> list[Found]:
        """How one answer differs from the primary's (byte-equal answers are not parsed)."""
        base, other = answers["primary"].response, answers[name].response
        if (
            base is not None
            and other is not None
            and base.status_code == other.status_code
            and base.content == other.content
            and all(base.headers.get(h) == other.headers.get(h) for h in self.headers)
        ):
            return []
        return compare_responses(
            "ok",
            self._doc(answers, docs, "primary"),
            answers[name].state,
            self._doc(answers, docs, name),
            self.compare,
        )

    def _example(self, ticket: Ticket, docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The request and the answers, redacted exactly as capture redacts samples."""
        request: dict[str, Any] = {
            "method": ticket.method,
            "path": ticket.path,
            "query": ticket.query.decode("latin-1"),
            "headers": {
                n.decode("latin-1").lower(): v.decode("latin-1") for n, v in ticket.copy_headers
            },
        }
        self.redactor.walk("http", request, None)
        example: dict[str, Any] = {"request": request}
        for name, doc in docs.items():
            doc = json.loads(json.dumps(doc, default=str))
            self.redactor.walk("http", {}, doc)
            example[name] = json.dumps(doc, ensure_ascii=False, sort_keys=True)
        return example


def _skip_reason(primary: Answer | None, candidate: Answer) -> str | None:
    if primary is None or primary.state != "ok" or primary.response is None:
        return "primary-failed"
    if candidate.state == "unreachable":
        return "candidate-unreachable"
    if candidate.state == "too-large":
        return "too-large"
    return None


def primary_answer(ticket: Ticket) -> Answer | None:
    """The primary's complete answer, as the judge reads it (the body decoded as httpx does)."""
    if ticket.primary_state != "ok":
        return None
    ms = ticket.primary_ms
    try:
        response = httpx.Response(
            ticket.status, headers=ticket.resp_headers, content=b"".join(ticket.response)
        )
    except (httpx.HTTPError, ValueError) as exc:  # a body its content-encoding cannot decode
        return Answer("raised", error=f"{type(exc).__name__}: {exc}", ms=ms)
    return Answer("ok", response, ms=ms)
