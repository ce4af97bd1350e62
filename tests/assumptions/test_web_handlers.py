"""Mining a real Flask service's handlers, checked against traffic its WSGI middleware recorded."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from realitycheck.cli.main import main
from realitycheck.demo.repo import RepoBuilder

from . import webservice as ws

CLAUDE = [("Co-Authored-By", "Claude Opus 4.6 <noreply@anthropic.com>")]


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The service's repository: base on main, the AI commit on `agent`, traffic recorded."""
    from realitycheck.corpus.redact import load_key

    root = tmp_path_factory.mktemp("shelf")
    repo = RepoBuilder(root / "repo")
    (repo.root / ".git" / "info" / "exclude").write_text(".realitycheck/corpus/\n")
    repo.write(ws.files(head=False))
    repo.commit("shelf service", author=("Example Maintainer", "maintainer@example.com"))
    requests = ws.traffic()
    key = root / "keys" / "redaction.key"
    load_key(key)
    ws.record(repo.root, repo.root / ".realitycheck" / "corpus", key, requests, root)
    repo.git("checkout", "-q", "-b", "agent")
    repo.write(ws.files(head=True))
    repo.commit("Tighten request parsing in the shelf API", extra_trailers=CLAUDE)
    return repo.root, requests


def mined(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[tuple[str, str, str], Any]:
    code = main(["assumptions", "check", "--repo", str(root), "--base", "main", "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    return {(m["kind"], m["target"] or "", m["path"] or ""): m for m in doc["assumptions"]["mined"]}


def recorded(root: Path, target: str) -> list[dict[str, Any]]:
    """The recorded inputs of a target (capture keeps each distinct input once)."""
    from realitycheck.corpus.store import Corpus

    corpus = Corpus(root / ".realitycheck" / "corpus")
    return [s.input for s in corpus.iter_samples() if s.target == target]


def counts(m: dict[str, Any]) -> tuple[int, int]:
    return m["result"]["n"], m["result"]["violations"]


def test_flask_request_access_and_conversions_are_checked_against_the_recording(
    shelf: tuple[Path, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = shelf
    found = mined(root, capsys)
    search = recorded(root, "http:GET /search")
    absent = sum("limit" not in r["query"] for r in search)
    words = sum(r["query"].get("limit") == "all" for r in search)
    limit = found[("key-present", "http:GET /search", "$.query.limit")]
    assert counts(limit) == (len(search), absent)
    as_int = found[("conversion", "http:GET /search", "$.query.limit")]
    assert counts(as_int) == (len(search) - absent, words)
    assert "int()" in as_int["statement"]


def test_base64_text_is_checked_by_a_probe_with_pythons_decoder(
    shelf: tuple[Path, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = shelf
    found = mined(root, capsys)
    notes = [r["body"]["note"] for r in recorded(root, "http:POST /events")]

    def text(note: str) -> bool:
        try:
            base64.b64decode(note).decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    note = found[("conversion", "http:POST /events", "$.body.note")]
    assert note["check"]["probe"] == "_realitycheck_conversions:b64decode_utf8"
    assert counts(note) == (len(notes), sum(not text(n) for n in notes))
    assert "base64 of UTF-8 text" in note["statement"]


def test_calls_into_another_module_and_through_self_attributes_are_followed(
    shelf: tuple[Path, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = shelf
    found = mined(root, capsys)
    events = [r["body"] for r in recorded(root, "http:POST /events")]
    kind = next(
        m
        for (k, t, p), m in found.items()
        if t == "http:POST /events" and p == "$.body.kind" and k in ("key-present", "not-null")
    )
    assert kind["file"] == "src/shelf/parse.py"
    assert counts(kind) == (len(events), sum("kind" not in e for e in events))
    pays = [r["body"]["amount"] for r in recorded(root, "http:POST /pay")]
    amount = found[("conversion", "http:POST /pay", "$.body.amount")]
    assert "self.payload" in amount["statement"]
    assert counts(amount) == (len(pays), sum(not a.isdigit() for a in pays))


def test_a_path_parameter_converted_in_code_is_checked_on_its_path_segment(
    shelf: tuple[Path, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = shelf
    found = mined(root, capsys)
    paths = [r["path"] for r in recorded(root, "http:GET /shelves/{id}")]
    segment = found[("conversion", "http:GET /shelves/{id}", "$.path")]
    assert "the `{shelf_id}` segment of `$.path`" in segment["statement"]
    assert counts(segment) == (len(paths), sum(not p.split("/")[2].isdigit() for p in paths))


def test_every_violation_is_a_request_the_head_fails(
    shelf: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    """Ground truth without realitycheck: the head's app, given the same requests."""
    root, requests = shelf
    statuses = ws.head_status(root, requests, tmp_path)
    failing = {
        path: sum(
            1 for r, s in zip(requests, statuses, strict=True) if r["path"] == path and s >= 400
        )
        for path in ("/search", "/events", "/pay")
    }
    search = [r for r in requests if r["path"] == "/search"]
    bad_search = sum("limit" not in r["query"] or r["query"]["limit"] == "all" for r in search)
    assert failing["/search"] == bad_search
    assert failing["/pay"] == sum(
        not r["json"]["amount"].isdigit() for r in requests if r["path"] == "/pay"
    )
    assert failing["/events"] > 0


def test_measured_share_of_replays_bugs_that_mining_predicted(
    shelf: tuple[Path, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    """verify replays the recording through base and head (started from [[replay.services]])."""
    from .measure import share

    root, _ = shelf
    main(["verify", "--repo", str(root), "--base", "main", "-f", "json"])
    report = json.loads(capsys.readouterr().out)
    measured = share(report)
    print(measured)
    # the title-case change of /books is a bug no assumption about inputs can predict
    assert sorted(measured.bugs) == [
        "http:GET /books/{id}",
        "http:GET /search",
        "http:GET /shelves/{id}",
        "http:POST /events",
        "http:POST /pay",
    ]
    assert sorted(measured.predicted) == [
        "http:GET /search",
        "http:GET /shelves/{id}",
        "http:POST /events",
        "http:POST /pay",
    ]
    assert sorted(measured.failing) == sorted(measured.predicted)
