"""The service speaks each controller's contract, validates its input, and keeps its state."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from realitycheck.serve import Settings, create_app

from .live import running
from .scripted import Scripted

ARGO = {"rollout": "shop", "namespace": "prod", "revision": "6d4f8b7c9", "baseline": "5c8d7"}
FLAGGER = {"name": "shop", "namespace": "prod", "phase": "Progressing", "checksum": "7f9c6d"}


class Clients:
    """Real services on loopback, closed when the test ends."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self.stack = stack

    def __call__(self, tmp_path: Path, script: list[str], token: str | None = None) -> httpx.Client:
        settings = Settings(state_path=tmp_path / "state.sqlite", token=token)
        url = self.stack.enter_context(running(create_app(settings, Scripted(script))))
        return self.stack.enter_context(httpx.Client(base_url=url, timeout=10))


@pytest.fixture
def client() -> Iterator[Clients]:
    with contextlib.ExitStack() as stack:
        yield Clients(stack)


def measure(c: httpx.Client, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return c.post("/argo/v1/measure", json=body or ARGO, headers=headers)


def test_argo_always_gets_200_with_the_verdict(client: Clients, tmp_path: Path) -> None:
    c = client(tmp_path, ["nodata", "inconclusive", "fail", "pass"])
    answers = [measure(c) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert [a.json()["verdict"] for a in answers] == ["nodata", "inconclusive", "fail", "fail"]
    assert answers[-1].json()["decided"] == "fail"  # a fail is never taken back
    assert answers[-1].json()["polls"] == 3  # decided: the judge is not asked again


def test_a_judge_error_is_the_only_non_2xx_for_argo(client: Clients, tmp_path: Path) -> None:
    answer = measure(client(tmp_path, ["error"]))
    assert answer.status_code == 502
    assert answer.json() == {"error": "the judge could not judge: Prometheus did not answer"}


def test_analyses_are_keyed_by_revision(client: Clients, tmp_path: Path) -> None:
    c = client(tmp_path, ["fail"])
    assert measure(c).json()["verdict"] == "fail"
    other = measure(c, {**ARGO, "revision": "abc123"}).json()
    assert other["key"] == "argo/prod/shop/abc123"
    assert other["polls"] == 1


@pytest.mark.parametrize(
    ("verdict", "status"), [("pass", 200), ("inconclusive", 200), ("fail", 500), ("nodata", 200)]
)
def test_flagger_rollout_hook(client: Clients, tmp_path: Path, verdict: str, status: int) -> None:
    answer = client(tmp_path, [verdict]).post("/flagger/rollout", json=FLAGGER)
    assert answer.status_code == status
    assert answer.json()["verdict"] == verdict


def test_flagger_rollback_is_200_only_to_roll_back(client: Clients, tmp_path: Path) -> None:
    c = client(tmp_path, ["inconclusive", "fail"])
    assert c.post("/flagger/rollback", json=FLAGGER).status_code == 409  # nothing judged yet
    c.post("/flagger/rollout", json=FLAGGER)
    assert c.post("/flagger/rollback", json=FLAGGER).status_code == 409
    assert c.post("/flagger/rollout", json=FLAGGER).status_code == 500
    assert c.post("/flagger/rollback", json=FLAGGER).status_code == 200


def test_flagger_promotion_waits_for_acceptance(client: Clients, tmp_path: Path) -> None:
    c = client(tmp_path, ["inconclusive", "pass"])
    c.post("/flagger/rollout", json=FLAGGER)
    assert c.post("/flagger/confirm-promotion", json=FLAGGER).status_code == 409
    c.post("/flagger/rollout", json=FLAGGER)
    assert c.post("/flagger/confirm-promotion", json=FLAGGER).status_code == 200
    assert c.post("/flagger/rollback", json=FLAGGER).status_code == 409


def test_the_token_is_required_when_set(client: Clients, tmp_path: Path) -> None:
    c = client(tmp_path, ["pass"], token="s3cret")
    assert measure(c).status_code == 401
    assert measure(c, Authorization="Bearer wrong").status_code == 401
    assert measure(c, Authorization="Bearer s3cret").status_code == 200
    hook = {**FLAGGER, "metadata": {"token": "s3cret", "tier": "critical"}}
    assert c.post("/flagger/rollout", json=FLAGGER).status_code == 401
    assert c.post("/flagger/rollout", json=hook).status_code == 200
    assert c.get("/healthz").status_code == 200


def test_no_token_refuses_anything_but_loopback(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="without a bearer token"):
        create_app(Settings(state_path=tmp_path / "s", host="0.0.0.0"), Scripted(["pass"]))
    create_app(Settings(state_path=tmp_path / "s", host="::1"), Scripted(["pass"]))
    create_app(Settings(state_path=tmp_path / "s", host="0.0.0.0", token="t"), Scripted(["pass"]))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**ARGO, "rollout": "Shop!"}, "body.rollout: String should match pattern"),
        ({k: v for k, v in ARGO.items() if k != "revision"}, "body.revision: Field required"),
        ({**ARGO, "tier": "extreme"}, "body.tier: Input should be"),
        ({**ARGO, "extra": 1}, "body.extra: Extra inputs are not permitted"),
    ],
)
def test_bad_requests_are_one_json_line(
    client: Clients, tmp_path: Path, body: Any, message: str
) -> None:
    answer = measure(client(tmp_path, ["pass"]), body)
    assert answer.status_code == 422
    assert answer.json()["error"].startswith(message)


def test_a_body_that_is_not_json_is_422(client: Clients, tmp_path: Path) -> None:
    c = client(tmp_path, ["pass"])
    answer = c.post(
        "/argo/v1/measure", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422
    bad_tier = {**FLAGGER, "metadata": {"tier": "extreme"}}
    assert c.post("/flagger/rollout", json=bad_tier).json() == {
        "error": "metadata.tier: unknown tier 'extreme'"
    }


def test_state_survives_a_new_app_on_the_same_file(client: Clients, tmp_path: Path) -> None:
    first = client(tmp_path, ["inconclusive", "inconclusive", "fail"])
    measure(first)
    measure(first)
    second = client(tmp_path, ["inconclusive", "inconclusive", "fail"])
    assert measure(second).json()["verdict"] == "fail"  # the third poll, not the first again
    third = client(tmp_path, ["pass"])  # a judge that would now say pass
    assert measure(third).json() == {**measure(third).json(), "verdict": "fail", "decided": "fail"}


def test_metrics_and_openapi(client: Clients, tmp_path: Path) -> None:
    c = client(tmp_path, ["fail"])
    measure(c)
    text = c.get("/metrics").text
    assert 'realitycheck_serve_verdicts_total{controller="argo",verdict="fail"} 1.0' in text
    c.get("/no/such/path/3f9a")
    text = c.get("/metrics").text
    assert 'endpoint="/argo/v1/measure",status="200"' in text
    assert "3f9a" not in text  # unmatched paths never become labels
    paths = c.get("/openapi.json").json()["paths"]
    assert {"/argo/v1/measure", "/flagger/rollout", "/flagger/rollback"} <= set(paths)


def test_flagger_traffic_increase_holds_each_step_for_the_pause(
    client: Clients, tmp_path: Path
) -> None:
    c = client(tmp_path, ["nodata", "inconclusive", "fail"])
    hook = {**FLAGGER, "metadata": {"tier": "low"}}  # low: 5 min per step
    first = c.post("/flagger/confirm-traffic-increase", json=hook)
    assert first.status_code == 200  # the first step is taken at once
    again = c.post("/flagger/confirm-traffic-increase", json=hook)
    assert again.status_code == 409
    assert again.json()["reason"].startswith("hold: the step was held 0 s of 300 s")
    c.post("/flagger/rollout", json=hook)
    held = c.post("/flagger/confirm-traffic-increase", json=hook)
    assert held.json()["reason"].startswith("hold: the judge has no data")
    for _ in range(2):
        c.post("/flagger/rollout", json=hook)
    failed = c.post("/flagger/confirm-traffic-increase", json=hook)
    assert (failed.status_code, failed.json()["verdict"]) == (409, "fail")


def test_concurrent_polls_of_one_analysis_lose_no_evidence(client: Clients, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    c = client(tmp_path, ["inconclusive"])
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: measure(c).json()["polls"], range(24)))
    assert sorted(answers) == list(range(1, 25))  # each poll saw the one before it
