"""HTTP replay against real services on loopback, and a trap server for the safety rules."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from realitycheck.core.config import config_from_dict
from realitycheck.core.errors import ConfigError
from realitycheck.core.git import Git
from realitycheck.corpus.store import Corpus
from realitycheck.replay import environment
from realitycheck.replay.change import ChangeReplay, replay_change
from realitycheck.replay.http import Endpoints, build_request, settings_for
from realitycheck.replay.sender import BlockedRequest, Guard, Limiter, replay_http

from .conftest import Change, write_samples

APP = """
import asyncio, os, time
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route

VERSION = "{version}"
LOG = os.environ["REPLAY_TEST_LOG"]
TRAP = os.environ["REPLAY_TEST_TRAP"]
state = {{"inflight": 0, "peak": 0}}


def log(request):
    host, peak = request.headers.get("host"), state["peak"]
    with open(LOG, "a") as fh:
        fh.write(f"{{VERSION}} {{request.method}} {{request.url.path}} {{host}} {{peak}}\\n")


async def item(request):
    state["inflight"] += 1
    state["peak"] = max(state["peak"], state["inflight"])
    try:
        log(request)
        await asyncio.sleep(0.02)
        n = int(request.path_params["n"])
        body = {{"id": n, "name": f"item {{n}}", "now": time.time_ns()}}
        if VERSION == "head" and n > 5:
            body["name"] = body["name"].upper()
        if VERSION == "head" and n == 9:
            return PlainTextResponse("boom", status_code=500)
        return JSONResponse(body)
    finally:
        state["inflight"] -= 1


async def create(request):
    log(request)
    return JSONResponse({{"created": True}}, status_code=201)


async def away(request):
    log(request)
    return RedirectResponse(f"http://127.0.0.2:{{TRAP}}/stolen", status_code=302)


async def slow(request):
    log(request)
    if VERSION == "head":
        await asyncio.sleep(3)
    return JSONResponse({{"slow": False}})


async def peak(request):
    return JSONResponse(state)


async def health(request):
    return PlainTextResponse("ok")


app = Starlette(routes=[
    Route("/items/{{n:int}}", item, methods=["GET", "DELETE"]),
    Route("/items", create, methods=["POST"]),
    Route("/away", away),
    Route("/slow", slow),
    Route("/peak", peak),
    Route("/health", health),
])
"""


class Trap:
    """A server on 127.0.0.2 that replay must never reach; it records every hit."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"stolen")

            do_POST = do_DELETE = do_HEAD = do_GET

            def log_message(self, *args: Any) -> None:
                return None

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    server = Trap()
    yield server
    server.close()


def request(method: str, path: str, **extra: Any) -> dict[str, Any]:
    return {"method": method, "path": path, "query": {}, "headers": {}, "body": None, **extra}


def service_change(
    change_factory: Any, tmp_path: Path, trap: Trap, senders: int = 1, **service: Any
) -> Change:
    config = {
        "name": "api",
        "command": "{python} -m uvicorn app:app --host {host} --port {port} --log-level warning",
        "ready_path": "/health",
        "targets": ["http:*"],
        "env": {"REPLAY_TEST_LOG": str(tmp_path / "hits.log"), "REPLAY_TEST_TRAP": str(trap.port)},
        **service,
    }
    toml = f"[replay]\ncoverage = false\nsenders = {senders}\n[[replay.services]]\n" + "".join(
        f"{k} = {_toml(v)}\n" for k, v in config.items()
    )
    return change_factory(
        {"app.py": APP.format(version="base")}, {"app.py": APP.format(version="head")}, config=toml
    )


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f'{k} = "{v}"' for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f'"{value}"' if isinstance(value, str) else str(value).lower()


def run_change(change: Change) -> Any:
    git = Git(change.root)
    from realitycheck.core.config import load_config

    config = load_config(change.root / "realitycheck.toml")
    job = ChangeReplay(
        git=git,
        config=config,
        base=change.base,
        head=change.head,
        corpus_dir=change.corpus_dir,
        diffs=git.diff(change.base, change.head),
        expected=[],
        environ=environment.inherited(),
    )
    return replay_change(job)


@pytest.mark.parametrize("senders", [1, 2], ids=["threads", "processes"])
def test_services_start_per_revision_and_divergences_are_judged(
    change_factory: Any, tmp_path: Path, trap: Trap, senders: int
) -> None:
    change = service_change(change_factory, tmp_path, trap, senders)
    write_samples(
        change.corpus_dir,
        "http:GET /items/{id}",
        [request("GET", f"/items/{n}", headers={"host": "api.example.com"}) for n in range(12)],
    )
    result = run_change(change)
    [target] = result.targets
    by_key = {(d.path, d.category): d for d in target.divergences}
    # items 6..11 change their name in the head, item 9 fails with a 500 there
    assert by_key[("$.body.name", "value-changed")].count == 5
    assert by_key[("$.status", "exception")].count == 1
    now = by_key[("$.body.now", "value-changed")]
    assert now.noise and now.noise_count >= 10
    assert target.diverged == 6 and target.noise_measured
    assert trap.hits == []
    log = (tmp_path / "hits.log").read_text().splitlines()
    assert {line.split()[0] for line in log} == {"base", "head"}
    assert all(line.split()[3].startswith("127.0.0.1:") for line in log)


@pytest.mark.parametrize("senders", [1, 2], ids=["threads", "processes"])
def test_unsafe_methods_redirects_and_foreign_hosts_never_reach_anyone(
    change_factory: Any, tmp_path: Path, trap: Trap, monkeypatch: pytest.MonkeyPatch, senders: int
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.2:{trap.port}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.2:{trap.port}")
    change = service_change(change_factory, tmp_path, trap, senders)
    trap_url = f"http://127.0.0.2:{trap.port}"
    write_samples(change.corpus_dir, "http:POST /items", [request("POST", "/items", body={"a": 1})])
    write_samples(change.corpus_dir, "http:DELETE /items/{id}", [request("DELETE", "/items/1")])
    write_samples(
        change.corpus_dir,
        "http:GET /away",
        [
            request("GET", "/away"),
            request("GET", f"//127.0.0.2:{trap.port}/stolen"),
            request("GET", "/items/1", headers={"host": f"127.0.0.2:{trap.port}"}),
            request("GET", f"{trap_url}/stolen"),
        ],
    )
    result = run_change(change)
    skipped = {t.target: t.skipped for t in result.targets}
    assert skipped["http:POST /items"] == {"method POST not allowed": 1}
    assert skipped["http:DELETE /items/{id}"] == {"method DELETE not allowed": 1}
    assert trap.hits == []
    log = (tmp_path / "hits.log").read_text()
    assert "POST" not in log and "DELETE" not in log


def test_a_method_the_target_allows_is_replayed(
    change_factory: Any, tmp_path: Path, trap: Trap
) -> None:
    change = service_change(change_factory, tmp_path, trap, allow_methods=["post"])
    write_samples(change.corpus_dir, "http:POST /items", [request("POST", "/items", body={"a": 1})])
    [target] = run_change(change).targets
    assert target.replayed == 1 and target.diverged == 0
    assert (tmp_path / "hits.log").read_text().count("POST /items") == 3
    assert trap.hits == []


def test_urls_off_the_allow_list_are_refused_before_any_request(tmp_path: Path, trap: Trap) -> None:
    write_samples(tmp_path / "corpus", "http:GET /x", [request("GET", "/x")])
    settings = settings_for(config_from_dict({}).replay)
    trap_url = httpx.URL(f"http://127.0.0.2:{trap.port}")
    with pytest.raises(ConfigError, match=r"127\.0\.0\.2 is not an allowed host"):
        replay_http(
            Corpus(tmp_path / "corpus"),
            ["http:GET /x"],
            Endpoints(httpx.URL("http://127.0.0.1:9"), trap_url),
            settings,
        )
    assert trap.hits == []


def test_the_guard_blocks_any_request_to_a_foreign_host(trap: Trap) -> None:
    transport = Guard(httpx.HTTPTransport(), ["127.0.0.1"])
    with httpx.Client(transport=transport) as client, pytest.raises(BlockedRequest):
        client.get(f"http://127.0.0.2:{trap.port}/x")
    assert trap.hits == []


def test_the_rate_limit_spaces_requests_evenly(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = {"now": 100.0}
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        clock["now"] += seconds

    monkeypatch.setattr("realitycheck.replay.exchange.time.monotonic", lambda: clock["now"])
    monkeypatch.setattr("realitycheck.replay.exchange.time.sleep", sleep)
    limiter = Limiter(4.0)
    for _ in range(5):
        limiter.acquire()
    assert slept == [0.25, 0.25, 0.25, 0.25]
    Limiter(None).acquire()  # no limit: never waits
    assert len(slept) == 4


@pytest.mark.parametrize("senders", [1, 2], ids=["threads", "processes"])
def test_every_request_has_a_timeout_and_concurrency_is_capped(
    change_factory: Any, tmp_path: Path, trap: Trap, senders: int
) -> None:
    change = service_change(change_factory, tmp_path, trap, senders)
    change.root.joinpath("realitycheck.toml").write_text(
        change.root.joinpath("realitycheck.toml")
        .read_text()
        .replace(
            "coverage = false", "coverage = false\ntimeout = 1.0\nconcurrency = 2\nnoise = false"
        )
    )
    write_samples(change.corpus_dir, "http:GET /slow", [request("GET", "/slow")])
    write_samples(
        change.corpus_dir,
        "http:GET /items/{id}",
        [request("GET", f"/items/{n}") for n in range(12)],
    )
    result = run_change(change)
    slow = result.target("http:GET /slow")
    assert slow is not None
    assert [(d.path, d.category) for d in slow.divergences] == [("$", "timeout")]
    peaks = [int(line.split()[4]) for line in (tmp_path / "hits.log").read_text().splitlines()]
    assert max(peaks) <= 2


def test_recorded_requests_keep_method_path_query_headers_and_body() -> None:
    rebuilt = build_request(
        {
            "method": "post",
            "path": "/search/café",
            "query": {"q": ["a", "b"], "page": "2"},
            "headers": {"host": "prod.example.com", "content-length": "9", "x-trace": "t1"},
            "body": {"name": "x"},
        },
        lambda ref: b"",
    )
    assert rebuilt.method == "POST"
    assert rebuilt.target == b"/search/caf%C3%A9?q=a&q=b&page=2"
    assert ("x-trace", "t1") in rebuilt.headers
    assert not any(n in ("host", "content-length") for n, _ in rebuilt.headers)
    assert rebuilt.content == b'{"name": "x"}'
    form = build_request(
        {
            "method": "POST",
            "path": "/f",
            "headers": {"content-type": "application/x-www-form-urlencoded"},
            "body": {"a": "1", "b": ["2", "3"]},
        },
        lambda ref: b"",
    )
    assert form.content == b"a=1&b=2&b=3"


def test_a_wsgi_app_can_stand_in_for_both_services(tmp_path: Path) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = b'{"v": 1}' if environ["HTTP_HOST"].endswith(":1") else b'{"v": 2}'
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    write_samples(tmp_path / "c", "http:GET /v", [request("GET", "/v")] * 3)
    [target] = replay_http(
        Corpus(tmp_path / "c"),
        ["http:GET /v"],
        Endpoints(httpx.URL("http://127.0.0.1:1"), httpx.URL("http://127.0.0.1:2")),
        settings_for(config_from_dict({}).replay),
        transport=httpx.WSGITransport(app=app),
    )
    assert [(d.path, d.category, d.count) for d in target.divergences] == [
        ("$.body.v", "value-changed", 3)
    ]
