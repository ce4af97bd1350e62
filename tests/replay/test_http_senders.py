"""HTTP replay's senders: processes and threads give the same verdicts, and keep every limit."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realitycheck.core.config import config_from_dict
from realitycheck.core.errors import StageError
from realitycheck.corpus.store import Corpus
from realitycheck.replay.compare import compare_json
from realitycheck.replay.exchange import SLOT, Answer, BlockedRequest, Guard, Limiter
from realitycheck.replay.http import (
    Endpoints,
    HttpSettings,
    build_request,
    compare_responses,
    settings_for,
)
from realitycheck.replay.model import TargetReplay
from realitycheck.replay.sender import batch_size, replay_http, sender_processes

from .conftest import write_samples


class Service:
    """A loopback JSON service; `version` "head" changes some answers. It logs every hit."""

    def __init__(self, version: str) -> None:
        hits: list[tuple[float, str, str]] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                hits.append((time.monotonic(), self.path, self.headers.get("cookie") or ""))
                n = int(self.path.rsplit("/", 1)[-1] or 0)
                doc: dict[str, Any] = {"id": n, "name": f"item {n}", "tags": ["a", "b"]}
                if version == "head" and n % 3 == 0:
                    doc["name"] = doc["name"].upper()
                if version == "head" and n % 7 == 0:
                    doc.pop("tags")
                body = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.send_header("set-cookie", f"session={version}")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return None

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.url = httpx.URL(f"http://127.0.0.1:{self.server.server_address[1]}")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def services() -> Iterator[tuple[Service, Service]]:
    base, head = Service("base"), Service("head")
    yield base, head
    base.close()
    head.close()


def http_settings(**replay: Any) -> HttpSettings:
    return settings_for(config_from_dict({"replay": replay}).replay)


def record(folder: Path, count: int) -> Corpus:
    inputs = [{"method": "GET", "path": f"/items/{n}", "headers": {}} for n in range(count)]
    write_samples(folder, "http:GET /items/{id}", inputs)
    return Corpus(folder)


def summary(result: TargetReplay) -> Any:
    groups = [(d.path, d.category, d.count, d.examples) for d in result.divergences]
    example = result.example.model_dump() if result.example else None
    return result.replayed, result.diverged, groups, example


def test_processes_and_threads_give_the_same_verdicts(
    tmp_path: Path, services: tuple[Service, Service]
) -> None:
    base, head = services
    corpus = record(tmp_path / "c", 60)
    endpoints = Endpoints(base.url, head.url)
    target = ["http:GET /items/{id}"]
    [threads] = replay_http(corpus, target, endpoints, http_settings(senders=1, concurrency=3))
    [processes] = replay_http(corpus, target, endpoints, http_settings(senders=2, concurrency=3))
    assert summary(threads) == summary(processes)
    by_key = {(d.path, d.category): d.count for d in processes.divergences}
    # counted independently: 0, 3, ..., 57 change the name; 0, 7, ..., 56 lose their tags
    assert by_key == {("$.body.name", "value-changed"): 20, ("$.body.tags", "missing"): 9}
    assert processes.diverged == len({n for n in range(60) if n % 3 == 0 or n % 7 == 0})


def test_cookies_a_service_sets_are_never_sent_back(
    tmp_path: Path, services: tuple[Service, Service]
) -> None:
    base, head = services
    corpus = record(tmp_path / "c", 20)
    for senders in (1, 2):
        replay_http(
            corpus,
            ["http:GET /items/{id}"],
            Endpoints(base.url, head.url),
            http_settings(senders=senders, concurrency=2),
        )
    assert len(base.hits) == len(head.hits) == 40
    assert all(cookie == "" for _, _, cookie in base.hits + head.hits)


def test_the_rate_limit_holds_across_sender_processes(
    tmp_path: Path, services: tuple[Service, Service]
) -> None:
    base, head = services
    corpus = record(tmp_path / "c", 12)
    replay_http(
        corpus,
        ["http:GET /items/{id}"],
        Endpoints(base.url, head.url),
        http_settings(senders=2, concurrency=4, rate=20.0),
    )
    stamps = sorted(at for at, _, _ in base.hits + head.hits)
    assert len(stamps) == 24
    # 24 requests at 20 per second, evenly spaced, span at least 23 intervals; two processes
    # each pacing itself alone would take half of that
    assert stamps[-1] - stamps[0] >= 23 / 20 - 0.15


def test_limiters_sharing_a_slot_file_space_requests_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = {"now": 50.0}
    monkeypatch.setattr("realitycheck.replay.exchange.time.monotonic", lambda: clock["now"])
    monkeypatch.setattr("realitycheck.replay.exchange.time.sleep", lambda s: None)
    slots = tmp_path / "slots"
    slots.write_bytes(SLOT.pack(0.0))
    first, second = Limiter(10.0, str(slots)), Limiter(10.0, str(slots))
    for limiter in (first, second, first, second, second):
        limiter.acquire()
    (taken,) = SLOT.unpack(slots.read_bytes())
    assert taken == pytest.approx(50.5)  # five slots of 0.1 s handed out from t=50, none twice
    first.close()
    second.close()


def test_a_request_without_a_timeout_is_never_sent(services: tuple[Service, Service]) -> None:
    base, _ = services
    guard = Guard(httpx.HTTPTransport(), ["127.0.0.1"])
    with pytest.raises(BlockedRequest, match="without a timeout"):
        guard.handle_request(httpx.Request("GET", base.url.join("/items/1")))
    assert base.hits == []
    timeout = httpx.Timeout(1.0).as_dict()
    request = httpx.Request("GET", base.url.join("/items/1"), extensions={"timeout": timeout})
    assert guard.handle_request(request).status_code == 200
    guard.close()


def test_a_failing_comparator_in_a_sender_process_stops_the_replay(
    tmp_path: Path, services: tuple[Service, Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, head = services
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "cmp_fail.py").write_text(
        "import os\n\ndef boom(a, b):\n    raise RuntimeError('comparator broke')\n\n"
        "def gone(a, b):\n    os._exit(3)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    corpus = record(tmp_path / "c", 10)
    endpoints = Endpoints(base.url, head.url)
    for name, message in [("boom", "comparator broke"), ("gone", "exited with code 3")]:
        service = {"name": "api", "command": "x", "comparator": f"cmp_fail:{name}"}
        configured = config_from_dict({"replay": {"senders": 2, "services": [service]}}).replay
        settings = settings_for(configured, configured.services[0])
        with pytest.raises(StageError, match=message):
            replay_http(corpus, ["http:GET /items/{id}"], endpoints, settings)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)
content_types = st.sampled_from(["application/json", "text/plain", "application/octet-stream"])


def answer(status: int, ctype: str, etag: str, body: bytes) -> Answer:
    headers = {"content-type": ctype, "etag": etag}
    response = httpx.Response(status, headers=headers, content=body)
    return Answer("ok", response, "", 1.0, ("etag",))


answers = st.tuples(
    st.sampled_from([200, 404]), content_types, st.sampled_from(["a", "b"]), json_values
)


@settings(max_examples=200, deadline=None)
@given(answers, st.none() | answers)
def test_equal_signatures_always_mean_no_divergence(
    one: tuple[int, str, str, Any], other: tuple[int, str, str, Any] | None
) -> None:
    two = one if other is None else other  # equal answers half of the time
    a = answer(*one[:3], json.dumps(one[3]).encode())
    b = answer(*two[:3], json.dumps(two[3]).encode())
    found = compare_responses("ok", a.doc(), "ok", b.doc(), compare_json)
    if a.signature() == b.signature():
        assert found == []
        assert a.doc() == b.doc()
    if found:
        assert a.signature() != b.signature()


def test_how_many_processes_send(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("realitycheck.replay.sender.os.cpu_count", lambda: 4)
    assert sender_processes(http_settings(), 10) == 1  # a small corpus: no processes to start
    assert sender_processes(http_settings(), 5000) == 4
    assert sender_processes(http_settings(concurrency=2), 5000) == 2
    assert sender_processes(http_settings(senders=3), 10) == 3
    sizes = [batch_size(left, 8) for left in (100_000, 2_000, 100, 31, 1)]
    assert sizes == [64, 62, 3, 1, 1]


def test_a_recorded_hash_stays_in_the_path(
    tmp_path: Path, services: tuple[Service, Service]
) -> None:
    base, head = services
    assert build_request({"method": "GET", "path": "/items/a#1"}, lambda ref: b"").target == (
        b"/items/a%231"
    )
    write_samples(tmp_path / "c", "http:GET /items/{id}", [{"method": "GET", "path": "/x#/7"}])
    replay_http(
        Corpus(tmp_path / "c"),
        ["http:GET /items/{id}"],
        Endpoints(base.url, head.url),
        http_settings(),
    )
    assert [path for _, path, _ in base.hits] == ["/x%23/7"]
