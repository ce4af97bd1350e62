"""Divergences judged as replay judges them: by route and JSON path, noise from the secondary."""

from __future__ import annotations

import httpx
from scipy.stats import binomtest

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.core.stats import wilson_interval
from realitycheck.replay.noise import Thresholds
from realitycheck.shadow.model import ShadowResult
from realitycheck.shadow.present import present
from realitycheck.shadow.results import read_runs
from realitycheck.shadow.summary import summarise

from .conftest import ProxyFactory, Running, Services

USERS = "http:GET /users/{id}"


def _drive(running: Running, n: int = 20) -> None:
    with httpx.Client(base_url=running.url) as client:
        for i in range(n):
            assert client.get(f"/users/{i}").status_code == 200
        client.get("/stable")
        client.get("/fail")
    running.settle()


def _result(running: Running, expected: list[ExpectedChange] | None = None) -> ShadowResult:
    return summarise(read_runs(running.results), Thresholds(), expected)


def _groups(result: ShadowResult, route: str) -> dict[tuple[str, str], object]:
    target = next(r for r in result.routes if r.target == route)
    return {(d.path, d.category): d for d in target.divergences}


def test_noise_from_the_secondary_is_cancelled(services: Services, proxy: ProxyFactory) -> None:
    urls = services.urls
    with proxy(urls["primary"], urls["candidate"], urls["secondary"]) as running:
        _drive(running)
    result = _result(running)
    assert (result.requests, result.copied, result.compared) == (22, 22, 22)
    groups = _groups(result, USERS)
    request_id = groups[("$.body.request_id", "value-changed")]
    plan = groups[("$.body.plan", "value-changed")]
    assert request_id.noise and request_id.noise_count == 20  # type: ignore[attr-defined]
    assert not plan.noise and plan.count == 10  # type: ignore[attr-defined]
    users = next(r for r in result.routes if r.target == USERS)
    assert (users.replayed, users.diverged) == (20, 10)
    assert users.ci == wilson_interval(10, 20)
    scipy_ci = binomtest(10, 20).proportion_ci(method="wilson")
    assert abs(users.ci[0] - scipy_ci.low) < 1e-9 and abs(users.ci[1] - scipy_ci.high) < 1e-9
    fail = _groups(result, "http:GET /fail")
    assert ("$.status", "exception") in fail
    stable = next(r for r in result.routes if r.target == "http:GET /stable")
    assert (stable.replayed, stable.diverged) == (1, 0)
    parts = present(result)
    assert len(parts.failures) == 2  # the plan and the new 500, not the request ids
    assert any("plan" in f.message and "10 of 20" in f.message for f in parts.failures)


def test_without_a_secondary_every_difference_counts(
    services: Services, proxy: ProxyFactory
) -> None:
    with proxy(services.urls["primary"], services.urls["candidate"]) as running:
        _drive(running, n=6)
    result = _result(running)
    groups = _groups(result, USERS)
    assert not groups[("$.body.request_id", "value-changed")].noise  # type: ignore[attr-defined]
    assert any("noise was not measured" in str(b) for b in present(result).blocks)


def test_ignored_paths_and_headers_come_from_config(
    services: Services, proxy: ProxyFactory
) -> None:
    urls = services.urls
    with proxy(
        urls["primary"],
        urls["candidate"],
        ignore=["$.body.request_id"],
        compare_headers=["content-type", "x-served-by"],
        ignore_headers=["x-served-by"],
    ) as running:
        _drive(running, n=4)
    result = _result(running)
    users = next(r for r in result.routes if r.target == USERS)
    assert {d.path for d in users.divergences} == {"$.body.plan"}
    assert users.ignored == {"$.body.request_id": 4}


def test_expected_changes_mark_intended_divergences(
    services: Services, proxy: ProxyFactory
) -> None:
    urls = services.urls
    expected = [
        ExpectedChange(target=USERS, path="$.body.plan", note="free plan for even ids"),
        ExpectedChange(target="http:GET /fail", path="$.status"),
    ]
    with proxy(urls["primary"], urls["candidate"], urls["secondary"]) as running:
        _drive(running, n=8)
    result = _result(running, expected)
    plan = _groups(result, USERS)[("$.body.plan", "value-changed")]
    assert plan.expected and plan.expected_note == "free plan for even ids"  # type: ignore[attr-defined]
    assert result.unexpected == []
    assert present(result).failures == []


def test_nothing_compared_is_no_verdict(services: Services, proxy: ProxyFactory) -> None:
    from .upstream import dead_url

    with proxy(services.urls["primary"], dead_url()) as running:
        for _ in range(3):
            httpx.get(running.url + "/stable")
        running.settle()
    result = _result(running)
    assert result.compared == 0
    parts = present(result)
    assert parts.error is not None and "nothing was compared" in parts.error
    assert "candidate-unreachable 3" in parts.error


def test_a_dead_secondary_is_counted_and_measures_no_noise(
    services: Services, proxy: ProxyFactory
) -> None:
    from .upstream import dead_url

    with proxy(services.urls["primary"], services.urls["candidate"], dead_url()) as running:
        _drive(running, n=4)
    result = _result(running)
    assert result.secondary_failed == 6 and result.compared == 6
    groups = _groups(result, USERS)
    assert not groups[("$.body.request_id", "value-changed")].noise  # type: ignore[attr-defined]
    assert any("the secondary failed on 6 copies" in str(b) for b in present(result).blocks)
