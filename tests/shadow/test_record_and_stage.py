"""`--record` fills the corpus through capture's path; `verify` reads shadow results of the head."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from realitycheck.core.events import Events
from realitycheck.core.report import StageStatus
from realitycheck.corpus.capture.control import configure, disable
from realitycheck.corpus.store import Corpus
from realitycheck.demo.repo import RepoBuilder
from realitycheck.pipeline import VerifyOptions, verify
from realitycheck.shadow.results import ResultsWriter

from .conftest import ProxyFactory, Services


def test_record_writes_redacted_exchanges_to_the_corpus(
    services: Services, proxy: ProxyFactory, tmp_path: Path
) -> None:
    corpus_dir = tmp_path / "corpus"
    recorder = configure(corpus_dir, environ={}, writer="thread", max_per_hour=None, dedup=False)
    assert recorder is not None
    try:
        with proxy(services.urls["primary"], services.urls["candidate"], recorder=recorder) as r:
            token = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl"
            for i in range(3):
                httpx.get(f"{r.url}/users/{i}", headers={"authorization": token})
            httpx.post(r.url + "/payments", json={"card": "4242 4242 4242 4242"})
            httpx.get(r.url + "/secret")
            r.settle()
    finally:
        disable()
    corpus = Corpus(corpus_dir)
    assert corpus.targets() == {
        "http:GET /secret": 1,
        "http:GET /users/{id}": 3,
        "http:POST /payments": 1,  # recorded, though never copied
    }
    text = json.dumps([s.model_dump(mode="json") for s in corpus.iter_samples()])
    for raw in ("eyJzdWIiOiJhZGEifQ", "4242 4242 4242 4242", "ada.lovelace@example.com"):
        assert raw not in text
    users = [s for s in corpus.iter_samples() if s.target == "http:GET /users/{id}"]
    assert {s.output["body"]["plan"] for s in users} == {"pro"}  # the primary's answers


def _write_run(folder: Path, head: str, records: list[dict[str, object]]) -> None:
    writer = ResultsWriter(folder, {"head": head, "primary": "p", "candidate": "c"})
    for record in records:
        writer.add(record)
    writer.close({"requests": len(records), "copied": len(records)})


def _compared(route: str, found: list[list[object]]) -> dict[str, object]:
    return {"t": "x", "id": "#1", "route": route, "state": "compared", "found": found}


def test_verify_reads_shadow_results_of_the_head(repo: RepoBuilder) -> None:
    repo.write({"app.py": "x = 1\n"})
    repo.commit("first")
    repo.write({"app.py": "x = 2\n"})
    head = repo.commit("second")
    folder = repo.root / ".realitycheck" / "shadow"

    def stage() -> object:
        report = verify(VerifyOptions(repo=repo.root, base="HEAD~1"), events=Events())
        return report.stage("shadow")

    skipped = stage()
    assert skipped.status is StageStatus.SKIPPED  # type: ignore[attr-defined]
    assert "no shadow results" in skipped.reason  # type: ignore[attr-defined]

    _write_run(folder, "0" * 40, [_compared("http:GET /a", [["$.body.x", "value-changed"]])])
    assert stage().status is StageStatus.SKIPPED  # type: ignore[attr-defined]  # another head

    skipped_only = {"t": "x", "route": "http:GET /a", "state": "skipped", "why": "too-large"}
    _write_run(folder, head, [skipped_only])
    short = stage()
    assert short.status is StageStatus.RAN  # type: ignore[attr-defined]
    assert not short.passed  # type: ignore[attr-defined]
    (why,) = short.insufficient  # type: ignore[attr-defined]
    assert "nothing was compared" in why.message

    _write_run(folder, head, [_compared("http:GET /a", [["$.body.x", "value-changed"]])])
    ran = stage()
    assert ran.status is StageStatus.RAN  # type: ignore[attr-defined]
    assert ran.data["compared"] == 1 and ran.data["diverged"] == 1  # type: ignore[attr-defined]
    assert ran.failures  # type: ignore[attr-defined]
