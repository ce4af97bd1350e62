"""`realitycheck assumptions init|mine|check` and `verify`, as a newcomer would run them."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from realitycheck.cli.main import main

from .conftest import MakeChange, sample, write_corpus

HOOKS_BASE = '''\
def handle(payload):
    """React to one delivery."""
    if payload.get("action") not in ("opened", "reopened"):
        return {"ignored": True}
    return process(payload["pull_request"])


def process(pr):
    return {"number": pr["number"]}
'''
# Replaying the corpus is the replay stage's story, not this one's.
CONFIG = '[policy]\nskip = ["replay"]\n'
HOOKS_HEAD = HOOKS_BASE.replace(
    'return {"number": pr["number"]}',
    'return {"number": pr["number"], "repo": pr["head"]["repo"]["full_name"]}',
)
TARGET = "fn:app.hooks:handle"


def corpus_for(root: Path, null_every: int = 20, n: int = 400) -> Path:
    rng = random.Random(7)
    samples = []
    for i in range(n):
        repo = None if (i + 1) % null_every == 0 else {"full_name": "o/r"}
        action = rng.choice(["opened", "reopened", "closed"])
        pr = {"number": i, "head": {"repo": repo}}
        samples.append(
            sample(TARGET, {"args": {"payload": {"action": action, "pull_request": pr}}}, i)
        )
    folder = root / ".realitycheck" / "corpus"
    write_corpus(folder, samples)
    return folder


def expected_nulls(n: int = 400, null_every: int = 20) -> tuple[int, int]:
    rng = random.Random(7)
    judged = bad = 0
    for i in range(n):
        action = rng.choice(["opened", "reopened", "closed"])
        if action in ("opened", "reopened"):
            judged += 1
            bad += (i + 1) % null_every == 0
    return judged, bad


@pytest.fixture
def project(make_change: MakeChange) -> Path:
    change = make_change(
        {"src/app/__init__.py": "", "src/app/hooks.py": HOOKS_BASE, "realitycheck.toml": CONFIG},
        {"src/app/hooks.py": HOOKS_HEAD},
    )
    change.repo.git("checkout", "-q", "-b", "agent-fix")
    change.repo.git("branch", "-f", "main", change.base)
    corpus_for(change.root)
    return change.root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_fails_an_ai_change_without_a_ledger_and_says_what_to_add(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "verify", "--repo", str(project), "--base", "main", "--format", "json"
    )
    assert code == 1
    doc = json.loads(out)
    section = doc["assumptions"]
    assert section["ledger_required"] is True
    assert section["ledger_expected_at"] == ".realitycheck/assumptions/agent-fix.yaml"
    messages = [r["message"] for r in doc["reasons"] if r["check"] == "assumptions"]
    assert any(".realitycheck/assumptions/agent-fix.yaml" in m and "init" in m for m in messages)
    repo = next(m for m in section["mined"] if m["path"] == "$.args.payload.pull_request.head.repo")
    judged, bad = expected_nulls()
    assert (repo["result"]["n"], repo["result"]["violations"]) == (judged, bad)
    assert any(bad_msg.startswith(repo["id"]) for bad_msg in messages)
    factors = {f["name"] for f in doc["risk"]["factors"]}
    assert {"ledger-missing", "assumptions-violated"} <= factors


def test_markdown_report_carries_the_skeleton(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "verify", "--repo", str(project), "--base", "main", "-f", "markdown")
    assert code == 1
    assert "A skeleton for .realitycheck/assumptions/agent-fix.yaml" in out
    assert "confirm or correct" in out
    assert "Contradicted by the corpus" in out


def test_init_writes_a_skeleton_that_declares_everything_mined(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "assumptions", "init", "--repo", str(project), "--base", "main")
    assert code == 0
    ledger = project / ".realitycheck" / "assumptions" / "agent-fix.yaml"
    assert ledger.is_file() and "wrote .realitycheck/assumptions/agent-fix.yaml" in err
    assert out.startswith("List every assumption this change depends on, in this format")
    assert ledger.read_text() in out
    assert ledger.read_text().count("confirm or correct") >= 3
    code, _, err = run(capsys, "assumptions", "init", "--repo", str(project), "--base", "main")
    assert code == 2 and "already exists" in err and "--force" in err
    assert (
        run(capsys, "assumptions", "init", "--repo", str(project), "--base", "main", "--force")[0]
        == 0
    )

    from realitycheck.demo.repo import RepoBuilder

    builder = RepoBuilder.__new__(RepoBuilder)
    builder.root = project
    builder._tick = 1_800_000_000
    builder.commit("Add the assumption ledger")
    code, out, _ = run(
        capsys, "assumptions", "check", "--repo", str(project), "--base", "main", "-f", "json"
    )
    doc = json.loads(out)
    section = doc["assumptions"]
    assert section["counts"]["undeclared"] == 0
    assert all(m["declared_by"] for m in section["mined"])
    # the skeleton declared what mining found, and the corpus still contradicts one of them
    assert code == 1
    assert any("is contradicted by the corpus" in r["message"] for r in doc["reasons"])


def test_init_in_json_is_one_document(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "assumptions",
        "init",
        "--repo",
        str(project),
        "--base",
        "main",
        "--format",
        "json",
        "-o",
        str(project / "ledger.yaml"),
    )
    doc = json.loads(out)
    assert code == 0 and doc["path"] == "ledger.yaml" and doc["mined"] >= 3
    assert doc["skeleton"] == (project / "ledger.yaml").read_text()


def test_mine_lists_without_a_corpus(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "assumptions",
        "mine",
        "--repo",
        str(project),
        "--base",
        "main",
        "--format",
        "json",
        "--corpus",
        str(project / "nowhere"),
    )
    doc = json.loads(out)
    assert code == 0
    paths = {m["path"] for m in doc["mined"]}
    # with no recorded target, each path starts at the function that reads it
    assert "$.args.pr.head.repo" in paths
    code, out, _ = run(capsys, "assumptions", "mine", "--repo", str(project), "--base", "main")
    assert code == 0 and "mined from the change" in out


def test_a_malformed_ledger_is_one_line_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from realitycheck.demo.repo import RepoBuilder

    builder = RepoBuilder.__new__(RepoBuilder)
    builder.root, builder._tick = project, 1_800_000_000
    builder.write(
        {
            ".realitycheck/assumptions/agent-fix.yaml": (
                "assumptions:\n  - id: A1\n    kind: nope\n    statement: s\n"
            )
        }
    )
    builder.commit("ledger")
    code, out, err = run(capsys, "assumptions", "check", "--repo", str(project), "--base", "main")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert ".realitycheck/assumptions/agent-fix.yaml:3" in lines[0]


def test_a_pr_body_ledger_counts(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "pr.md"
    body.write_text(
        "Reads the source repository.\n\n```assumptions\nassumptions:\n  - id: A1\n"
        "    kind: input-shape\n    statement: Pull requests always come from a repository\n"
        "    check:\n      target: fn:app.hooks:handle\n"
        "      path: $.args.payload.pull_request.head.repo\n      expect: {not_null: true}\n"
        "      mostly: 0.9\n```\n"
    )
    code, out, _ = run(
        capsys,
        "assumptions",
        "check",
        "--repo",
        str(project),
        "--base",
        "main",
        "--pr-body",
        str(body),
        "-f",
        "json",
    )
    doc = json.loads(out)
    (a1,) = doc["assumptions"]["ledger"]
    assert a1["result"]["status"] == "holds"  # 5% nulls are within mostly = 0.9
    assert a1["source"] == f"{body}:5"
    repo = next(m for m in doc["assumptions"]["mined"] if m["path"].endswith("head.repo"))
    assert repo["declared_by"] == "A1"
    assert code == 1  # the mined check has no tolerance: a null repo still crashes the handler


def test_policy_switches(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = project / "rc.toml"
    config.write_text(
        '[assumptions]\nmissing_ledger = "warn"\nviolated_undeclared = "warn"\n'
        'undeclared_holding = "fail"\n' + CONFIG
    )
    code, out, _ = run(
        capsys,
        "assumptions",
        "check",
        "--repo",
        str(project),
        "--base",
        "main",
        "--config",
        str(config),
        "-f",
        "json",
    )
    doc = json.loads(out)
    assert code == 1
    (reason,) = [r["message"] for r in doc["reasons"]]
    assert "hold but no ledger declares them" in reason
    assert any("carries no assumption ledger" in w for w in doc["assumptions"]["warnings"])
    config.write_text("[assumptions]\nrequire_ledger = 0.5\n")
    code, _, err = run(
        capsys,
        "assumptions",
        "check",
        "--repo",
        str(project),
        "--base",
        "main",
        "--config",
        str(config),
    )
    assert code == 2 and "unknown key 'assumptions.require_ledger'" in err and "rc.toml:2" in err


def test_a_human_change_needs_no_ledger(
    make_change: MakeChange, capsys: pytest.CaptureFixture[str]
) -> None:
    change = make_change(
        {"src/app/__init__.py": "", "src/app/hooks.py": HOOKS_BASE, "realitycheck.toml": CONFIG},
        {"src/app/hooks.py": HOOKS_HEAD},
        ai=False,
    )
    corpus_for(change.root, null_every=10**9)
    code, out, _ = run(
        capsys, "verify", "--repo", str(change.root), "--base", change.base, "-f", "json"
    )
    doc = json.loads(out)
    section = doc["assumptions"]
    assert section["ledger_required"] is False
    assert not [r for r in doc["reasons"] if r["check"] == "assumptions"]
    assert section["counts"]["violated"] == 0 and section["counts"]["holds"] >= 3
    assert code == 0


def test_no_corpus_leaves_every_check_unchecked(
    make_change: MakeChange, capsys: pytest.CaptureFixture[str]
) -> None:
    change = make_change(
        {"src/app/hooks.py": HOOKS_BASE}, {"src/app/hooks.py": HOOKS_HEAD}, ai=False
    )
    code, out, _ = run(
        capsys,
        "assumptions",
        "check",
        "--repo",
        str(change.root),
        "--base",
        change.base,
        "-f",
        "json",
    )
    doc = json.loads(out)
    results = [m["result"] for m in doc["assumptions"]["mined"]]
    assert results and all(
        r["status"] == "unchecked" and "no corpus at" in r["why"] for r in results
    )
    # nothing was checked against real data: not a pass (a human change: error, not fail)
    assert code == 2 and doc["verdict"] == "error"
    assert "ran against real data" in doc["reasons"][0]["message"]
