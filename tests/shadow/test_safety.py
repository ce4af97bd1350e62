"""Safety: unsafe methods never reach the candidate, credentials never leave with a copy."""

from __future__ import annotations

import random

import httpx
import pytest

from realitycheck.core.config.shadow import ShadowConfig
from realitycheck.shadow.safety import Policy, route_of

from .conftest import ProxyFactory, Services

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def test_the_trap_sees_no_unsafe_request(services: Services, proxy: ProxyFactory) -> None:
    urls = services.urls
    with proxy(urls["primary"], urls["candidate"], urls["secondary"]) as running:
        for method in UNSAFE:
            response = httpx.request(method, running.url + "/payments", json={"amount": 100})
            assert response.json() == {"charged": True, "by": "primary"}
        httpx.get(running.url + "/stable")
        running.settle()
        assert running.data()["not_sent"] == {"unsafe-method": 4}
    assert [r["method"] for r in services.primary.unsafe] == list(UNSAFE)
    assert services.candidate.unsafe == []
    assert services.secondary.unsafe == []
    assert [r["path"] for r in services.candidate.seen] == ["/stable"]


def test_a_route_allowed_explicitly_is_copied(services: Services, proxy: ProxyFactory) -> None:
    urls = services.urls
    with proxy(urls["primary"], urls["candidate"], allow_routes=["POST /search"]) as running:
        httpx.post(running.url + "/search", json={"q": "ada"})
        httpx.post(running.url + "/payments", json={"amount": 1})
        running.settle()
    assert [(r["method"], r["path"]) for r in services.candidate.unsafe] == [("POST", "/search")]
    assert services.candidate.unsafe[0]["body"] == b'{"q":"ada"}'


def test_credentials_are_stripped_from_copies(services: Services, proxy: ProxyFactory) -> None:
    urls = services.urls
    secret = {
        "authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc",
        "cookie": "session=s3cr3t",
        "x-api-key": "key-123",
        "x-trace": "keep-me",
    }
    with proxy(urls["primary"], urls["candidate"], urls["secondary"]) as running:
        httpx.get(running.url + "/echo?api_key=zzz&page=2", headers=secret)
        running.settle()
        assert running.data()["stripped"] == {
            "authorization": 1,
            "cookie": 1,
            "x-api-key": 1,
            "?api_key": 1,
        }
    primary = services.primary.seen[-1]
    assert primary["headers"]["authorization"] == secret["authorization"]
    assert primary["query"] == "api_key=zzz&page=2"
    for copy in (services.candidate.seen[-1], services.secondary.seen[-1]):
        assert not {"authorization", "cookie", "x-api-key"} & set(copy["headers"])
        assert copy["headers"]["x-trace"] == "keep-me"
        assert copy["query"] == "page=2"


def test_allowed_credentials_go_with_the_copy(services: Services, proxy: ProxyFactory) -> None:
    urls = services.urls
    with proxy(urls["primary"], urls["candidate"], allow_credentials=["Authorization"]) as running:
        httpx.get(running.url + "/echo", headers={"authorization": "Bearer t", "cookie": "a=b"})
        running.settle()
    copy = services.candidate.seen[-1]["headers"]
    assert copy["authorization"] == "Bearer t"
    assert "cookie" not in copy


def test_nothing_credential_reaches_the_results_file(
    services: Services, proxy: ProxyFactory
) -> None:
    urls = services.urls
    with proxy(urls["primary"], urls["candidate"]) as running:
        httpx.get(running.url + "/secret", headers={"authorization": "Bearer tok-998877"})
        running.settle()
    text = next(running.results.glob("run-*.jsonl")).read_text()
    assert '"example"' in text  # the divergence was written, with its example
    for raw in ("ada.lovelace@example.com", "grace.hopper@example.com", "sk_live_", "tok-998877"):
        assert raw not in text


@pytest.mark.parametrize("share", [0.1, 0.5])
def test_sampling_copies_about_the_share_asked(share: float) -> None:
    policy = Policy(rate=share, chance=random.Random(7))
    n = 20_000
    hits = sum(policy.sampled("http:GET /a") for _ in range(n))
    from scipy.stats import binomtest

    assert binomtest(hits, n, share).pvalue > 0.001


def test_rates_per_route_and_method_rules() -> None:
    config = ShadowConfig(
        rates={"GET /health": 0.0, "http:GET /users/*": 1.0},
        rate=0.0,
        allow_routes=["DELETE /cache/*"],
    )
    policy = Policy.from_config(config)
    assert route_of("GET", "/users/12345") == "http:GET /users/{id}"
    assert policy.sampled(route_of("GET", "/users/12345"))
    assert not policy.sampled("http:GET /health")
    assert not policy.sampled("http:GET /other")
    assert policy.refused("DELETE", "http:DELETE /cache/x") is None
    assert policy.refused("DELETE", "http:DELETE /users/{id}") == "unsafe-method"
    assert policy.refused("OPTIONS", "http:OPTIONS /x") is None


def test_max_in_flight_bounds_the_copies(services: Services, proxy: ProxyFactory) -> None:
    from .test_proxy import Gate
    from .upstream import serve

    gate = Gate()
    with serve(gate) as stuck, proxy(services.urls["primary"], stuck, max_in_flight=3) as running:
        for i in range(8):
            assert httpx.get(running.url + f"/users/{i}").status_code == 200
        assert running.shadow.copier.in_flight == 3
        assert running.data()["not_sent"] == {"busy": 5}
        gate.open(3)
        running.settle()
