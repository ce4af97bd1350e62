"""`verify --corpus URL`: the assumption checks read the remote corpus, with the same counts."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from realitycheck.cli.main import main
from realitycheck.corpus.model import Sample, input_hash
from realitycheck.corpus.remote.ship import push
from realitycheck.corpus.remote.store import RemoteStore
from realitycheck.corpus.store import Corpus
from realitycheck.demo.repo import RepoBuilder

BASE = """\
def handle(payload):
    if payload.get("action") not in ("opened", "reopened"):
        return {"ignored": True}
    return process(payload["pull_request"])


def process(pr):
    return {"number": pr["number"]}
"""
HEAD = BASE.replace(
    'return {"number": pr["number"]}',
    'return {"number": pr["number"], "repo": pr["head"]["repo"]["full_name"]}',
)
TARGET = "fn:app.hooks:handle"
CLAUDE = [("Co-Authored-By", "Claude Opus 4.6 <noreply@anthropic.com>")]


def corpus_samples(n: int = 200) -> tuple[list[Sample], int, int]:
    rng = random.Random(7)
    out, judged, bad = [], 0, 0
    for i in range(n):
        repo = None if (i + 1) % 20 == 0 else {"full_name": "o/r"}
        action = rng.choice(["opened", "reopened", "closed"])
        data = {
            "args": {
                "payload": {"action": action, "pull_request": {"number": i, "head": {"repo": repo}}}
            }
        }
        out.append(Sample(id=f"s{i:06d}", input_hash=input_hash(TARGET, data), target=TARGET,
                          kind="function", input=data, output=None))  # fmt: skip
        if action in ("opened", "reopened"):
            judged += 1
            bad += repo is None
    return out, judged, bad


def test_verify_reads_a_remote_corpus(
    remote_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = RepoBuilder(tmp_path / "repo")
    files = {"src/app/__init__.py": "", "src/app/hooks.py": BASE}
    repo.write({**files, "realitycheck.toml": '[policy]\nskip = ["replay"]\n'})
    base = repo.commit("base")
    repo.write({"src/app/hooks.py": HEAD})
    repo.commit("change", extra_trailers=CLAUDE)
    samples, judged, bad = corpus_samples()
    local = tmp_path / "local"
    Corpus(local, create=True).write(samples)
    push(local, RemoteStore(remote_url, create=True))
    code = main(["verify", "--repo", str(repo.root), "--base", base, "--corpus", remote_url,
                 "--format", "json"])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    mined = doc["assumptions"]["mined"]
    repo_path = next(m for m in mined if m["path"] == "$.args.payload.pull_request.head.repo")
    assert (repo_path["result"]["n"], repo_path["result"]["violations"]) == (judged, bad)
