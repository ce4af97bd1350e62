"""`replay http --service NAME` starts base, head and a second base itself, as verify does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from realitycheck.cli.main import main

from .conftest import write_samples
from .test_http import Trap, request, service_change, trap  # noqa: F401


def test_replay_http_service_starts_the_revisions_itself(
    change_factory: Any,
    tmp_path: Path,
    trap: Trap,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    change = service_change(change_factory, tmp_path, trap)
    write_samples(
        change.corpus_dir,
        "http:GET /items/{id}",
        [request("GET", f"/items/{n}", headers={"host": "api.example.com"}) for n in range(12)],
    )
    repo = ["--repo", str(change.root)]
    code = main(["replay", "http", *repo, "--service", "api", "--base", "main", "-f", "json"])
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert code == 1, err
    [target] = doc["replay"]["targets"]
    assert target["diverged"] == 6 and target["noise_measured"]
    assert trap.hits == []
    log = (tmp_path / "hits.log").read_text().splitlines()
    assert {line.split()[0] for line in log} == {"base", "head"}


def test_service_and_urls_are_exclusive_and_a_wrong_name_lists_the_configured_ones(
    change_factory: Any,
    tmp_path: Path,
    trap: Trap,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    change = service_change(change_factory, tmp_path, trap)
    write_samples(change.corpus_dir, "http:GET /items/{id}", [request("GET", "/items/1")])
    repo = ["--repo", str(change.root)]
    assert main(["replay", "http", *repo, "--service", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no service 'nope' under [[replay.services]] (configured: api)" in err
    assert main(["replay", "http", *repo]) == 2
    assert "--service NAME, or --baseline URL and --candidate URL" in capsys.readouterr().err
    code = main(["replay", "http", *repo, "--service", "api", "--baseline", "http://127.0.0.1:1"])
    assert code == 2
    assert "not both" in capsys.readouterr().err


def test_options_add_to_the_service_and_are_validated(
    change_factory: Any,
    tmp_path: Path,
    trap: Trap,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    change = service_change(change_factory, tmp_path, trap)
    write_samples(change.corpus_dir, "http:GET /items/{id}", [request("GET", "/items/1")])
    args = ["replay", "http", "--repo", str(change.root), "--service", "api", "--base", "main"]
    assert main([*args, "--comparator", "no-such-thing"]) == 2
    assert "comparator" in capsys.readouterr().err
