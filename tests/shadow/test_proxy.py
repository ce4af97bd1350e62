"""The client's side: the primary's answer byte for byte, streamed, whatever the candidate does."""

from __future__ import annotations

import asyncio
import socket
import tracemalloc
from typing import Any

import httpx

from .conftest import ProxyFactory, Services
from .upstream import Upstream, dead_url, serve


def _raw_get(url: str, target: str, n: int = 1) -> list[bytes]:
    """`n` GETs one after the other on one HTTP/1.1 connection; the raw answers."""
    host, port = url.removeprefix("http://").split(":")
    request = f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    answers = []
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        reader = sock.makefile("rb")
        for _ in range(n):
            sock.sendall(request)
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                head += reader.readline()
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            answers.append(head + reader.read(length))
        reader.close()
    return answers


def _no_date(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(n, v) for n, v in headers if n.lower() != b"date"]


def test_client_gets_the_primarys_answer_byte_for_byte(
    services: Services, proxy: ProxyFactory
) -> None:
    with proxy(services.urls["primary"], services.urls["candidate"]) as running:
        for target in ("/stable", "/users/2", "/missing", "/secret", "/fail"):
            direct = httpx.get(services.urls["primary"] + target)
            through = httpx.get(running.url + target)
            assert through.status_code == direct.status_code
            # the same headers in the same order, nothing added (the Date the primary sent
            # may tick over between the two requests)
            assert _no_date(through.headers.raw) == _no_date(direct.headers.raw)
            assert len(through.headers.get_list("date")) == 1
            if target != "/users/2":  # request_id differs between any two answers
                assert through.content == direct.content
        # the candidate answers /users/2 differently; the client never sees it
        assert httpx.get(running.url + "/users/2").json()["plan"] == "pro"
        running.settle()


def test_keep_alive_serves_several_requests_on_one_connection(
    services: Services, proxy: ProxyFactory
) -> None:
    with proxy(services.urls["primary"], services.urls["candidate"]) as running:
        answers = _raw_get(running.url, "/stable", n=3)
        assert [a.split(b"\r\n", 1)[0] for a in answers] == [b"HTTP/1.1 200 OK"] * 3
        assert all(a.endswith(b'{"status": "fine", "items": [1, 2, 3]}') for a in answers)
        running.settle()


def test_forwarded_headers_reach_the_primary(services: Services, proxy: ProxyFactory) -> None:
    with proxy(services.urls["primary"], services.urls["candidate"]) as running:
        got = httpx.get(
            running.url + "/echo", headers={"x-forwarded-for": "203.0.113.7", "host": "shop.test"}
        ).json()
        assert got["headers"]["x-forwarded-for"] == "203.0.113.7, 127.0.0.1"
        assert got["headers"]["x-forwarded-proto"] == "http"
        assert got["headers"]["x-forwarded-host"] == "shop.test"
        running.settle()


def test_large_responses_stream_through_without_being_held(
    services: Services, proxy: ProxyFactory
) -> None:
    with proxy(services.urls["primary"], services.urls["candidate"], max_body_kb=256) as running:
        tracemalloc.start()
        try:
            size = 0
            with httpx.stream("GET", running.url + "/big?mb=48") as response:
                for chunk in response.iter_raw():
                    size += len(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert size == 48 << 20
        assert peak < 16 << 20  # 48 MiB passed through; at no point was it held
        running.settle()
        assert running.data()["not_sent"] == {"too-large": 1}


def test_chunked_request_bodies_are_streamed_to_the_primary(
    services: Services, proxy: ProxyFactory
) -> None:
    parts = [b"a" * 70000, b"b" * 5, b"c" * 100000]
    with proxy(services.urls["primary"], services.urls["candidate"]) as running:
        response = httpx.post(running.url + "/upload", content=iter(parts))
        assert response.json() == {"charged": True, "by": "primary"}
        seen = services.primary.unsafe[-1]
        assert seen["body"] == b"".join(parts)
        assert seen["headers"].get("transfer-encoding") == "chunked"


def test_unreachable_primary_is_a_502_that_says_so(services: Services, proxy: ProxyFactory) -> None:
    dead = dead_url()
    with proxy(dead, services.urls["candidate"]) as running:
        response = httpx.get(running.url + "/stable")
        assert response.status_code == 502
        assert response.headers["content-type"].startswith("text/plain")
        assert f"the primary ({dead}) could not be reached" in response.text
        running.settle()
        assert running.data()["not_sent"] == {"primary-failed": 1}
    assert services.candidate.seen == []  # nothing to compare with: no copy was sent


def test_dead_candidate_is_counted_and_never_the_clients_problem(
    services: Services, proxy: ProxyFactory
) -> None:
    with proxy(services.urls["primary"], dead_url()) as running:
        for i in range(5):
            response = httpx.get(running.url + f"/users/{i}")
            assert response.status_code == 200
        running.settle()
        assert running.data()["skipped"] == {"candidate-unreachable": 5}
        assert running.data()["compared"] == 0


class Gate:
    """A candidate that holds every answer until released."""

    def __init__(self) -> None:
        self.inner = Upstream("candidate")
        self.release: asyncio.Event | None = None
        self.waiting = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            if self.release is None:
                self.release = asyncio.Event()
            self.waiting += 1
            await self.release.wait()
        await self.inner(scope, receive, send)

    def open(self, held: int) -> None:
        """Once `held` copies are waiting here, release them (from any thread)."""
        import time

        deadline = time.monotonic() + 30
        while self.waiting < held and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.waiting == held and self.release is not None
        event = self.release
        loop = getattr(event, "_loop", None)
        assert loop is not None
        loop.call_soon_threadsafe(event.set)


def test_client_never_waits_for_a_stuck_candidate(services: Services, proxy: ProxyFactory) -> None:
    gate = Gate()
    with serve(gate) as stuck, proxy(services.urls["primary"], stuck) as running:
        for i in range(10):
            assert httpx.get(running.url + f"/users/{i}").status_code == 200
        # every client got its answer while all ten copies were still held by the candidate
        assert running.shadow.copier.in_flight == 10
        gate.open(10)
        running.settle()
        assert running.data()["compared"] == 10


def test_a_dead_worker_never_stops_the_proxy(services: Services, proxy: ProxyFactory) -> None:
    import time

    with proxy(services.urls["primary"], services.urls["candidate"]) as running:
        assert httpx.get(running.url + "/stable").status_code == 200
        running.settle()
        running.shadow.handoff.process.kill()
        running.shadow.handoff.process.join(10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert httpx.get(running.url + "/stable").status_code == 200
            if running.data()["not_sent"].get("worker-behind", 0) >= 3:
                break
            time.sleep(0.1)
        assert running.data()["not_sent"]["worker-behind"] >= 3
        assert running.data()["worker_alive"] is False


def test_head_options_and_compressed_answers_pass_unchanged(
    services: Services, proxy: ProxyFactory
) -> None:
    with proxy(services.urls["primary"], services.urls["candidate"]) as running:
        for method in ("HEAD", "OPTIONS"):
            direct = httpx.request(method, services.urls["primary"] + "/stable")
            through = httpx.request(method, running.url + "/stable")
            assert through.status_code == direct.status_code
            assert _no_date(through.headers.raw) == _no_date(direct.headers.raw)
            assert through.content == direct.content
        raws = []
        for base in (services.urls["primary"], running.url):
            with httpx.stream("GET", base + "/gz") as response:
                raws.append(b"".join(response.iter_raw()))
                assert response.headers["content-encoding"] == "gzip"
        assert raws[0] == raws[1] and raws[1][:2] == b"\x1f\x8b"  # passed on compressed
        running.settle()
        (route,) = [r for r in running.data()["routes"] if r["target"] == "http:GET /gz"]
        assert [d["path"] for d in route["divergences"]] == ["$.body.plan"]  # decoded, compared
