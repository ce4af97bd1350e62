"""The `corpus` stage of verify, and the demo chapter that records production traffic."""

from __future__ import annotations

import subprocess
from pathlib import Path

from realitycheck.core.events import Events
from realitycheck.core.report import StageStatus
from realitycheck.corpus.model import Sample, input_hash, new_sample_id
from realitycheck.corpus.store import Corpus
from realitycheck.demo.repo import RepoBuilder
from realitycheck.demo.steps.corpus import TARGET, record
from realitycheck.demo.steps.history import human_commit
from realitycheck.demo.story import DemoContext
from realitycheck.pipeline import VerifyOptions, verify


def _sample(target: str, i: int) -> Sample:
    sample_input = {"args": {"x": i}}
    return Sample(
        id=new_sample_id(),
        input_hash=input_hash(target, sample_input),
        target=target,
        kind="function",
        input=sample_input,
        output={"return": i},
    )


def _stage(report: object, name: str = "corpus") -> object:
    return next(s for s in report.stages if s.name == name)  # type: ignore[attr-defined]


def test_stage_marks_targets_the_change_touches(repo: RepoBuilder, tmp_path: Path) -> None:
    repo.write(
        {
            "src/pkg/__init__.py": "",
            "src/pkg/calc.py": "def f(x):\n    return x\n",
            "src/pkg/other.py": "def g(x):\n    return x\n",
        }
    )
    repo.commit("first")
    repo.write({"src/pkg/calc.py": "def f(x):\n    return x + 1\n"})
    repo.commit("second")
    corpus = Corpus(tmp_path / "corpus", create=True)
    corpus.write([_sample("fn:pkg.calc:f", i) for i in range(5)])
    corpus.write([_sample("fn:pkg.other:g", i) for i in range(50)])
    report = verify(
        VerifyOptions(repo=repo.root, base="HEAD~1", corpus=tmp_path / "corpus"), events=Events()
    )
    stage = _stage(report)
    assert stage.status is StageStatus.RAN  # type: ignore[attr-defined]
    targets = {t["target"]: t for t in stage.data["targets"]}  # type: ignore[attr-defined]
    assert targets["fn:pkg.calc:f"]["touched"] is True
    assert targets["fn:pkg.other:g"]["touched"] is False
    assert [s.name for s in stage.signals] == ["thin-corpus"]  # type: ignore[attr-defined]
    assert not stage.failures  # type: ignore[attr-defined]


def test_stage_runs_around_a_bad_segment_and_says_so(repo: RepoBuilder, tmp_path: Path) -> None:
    repo.write({"src/pkg/__init__.py": "", "src/pkg/calc.py": "def f(x):\n    return x\n"})
    repo.commit("first")
    repo.write({"src/pkg/calc.py": "def f(x):\n    return x + 1\n"})
    repo.commit("second")
    corpus = Corpus(tmp_path / "corpus", create=True)
    corpus.write([_sample("fn:pkg.calc:f", i) for i in range(5)])
    bad = corpus.write([_sample("fn:pkg.calc:f", i) for i in range(5, 9)])
    assert bad is not None
    bad.write_bytes(bad.read_bytes()[:100])  # a write cut short
    report = verify(
        VerifyOptions(repo=repo.root, base="HEAD~1", corpus=tmp_path / "corpus"), events=Events()
    )
    stage = _stage(report)
    assert stage.status is StageStatus.RAN  # type: ignore[attr-defined]
    assert stage.data["samples"] == 5  # type: ignore[attr-defined]
    warnings = stage.warnings  # type: ignore[attr-defined]
    assert any(bad.name in w and "truncated" in w for w in warnings), warnings


def test_stage_skips_without_a_corpus(repo: RepoBuilder, tmp_path: Path) -> None:
    repo.write({"a.py": "x = 1\n"})
    repo.commit("first")
    repo.write({"a.py": "x = 2\n"})
    repo.commit("second")
    report = verify(
        VerifyOptions(repo=repo.root, base="HEAD~1", corpus=tmp_path / "none"), events=Events()
    )
    stage = _stage(report)
    assert stage.status is StageStatus.SKIPPED  # type: ignore[attr-defined]
    assert "no corpus" in stage.reason  # type: ignore[attr-defined]


def test_demo_records_webhooks_through_the_decorator(tmp_path: Path) -> None:
    said: list[str] = []
    ctx = DemoContext(workdir=tmp_path, cache=tmp_path / "cache", events=Events(), say=said.append)
    human_commit(ctx)
    record(ctx)
    corpus = Corpus(ctx.root / ".realitycheck" / "corpus")
    assert corpus.targets() == {TARGET: 2000}
    con = corpus.connect()
    nulls, logins = con.execute(
        "SELECT count_if(json_type(input, '$.args.payload.pull_request.head.repo') = 'NULL'),"
        " count(json_extract(input, '$.args.payload.pull_request.user.login')) FROM samples"
    ).fetchone()
    assert 40 <= nulls <= 80 and logins == 2000  # about 3% of forks were deleted
    sample = next(corpus.iter_samples())
    assert set(sample.input) == {"args"} and set(sample.input["args"]) == {"payload"}
    assert sample.source == "capture:decorator"
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ctx.root, capture_output=True, text=True, check=True
    ).stdout
    assert status == ""  # the corpus and the key stay out of git
    assert "docsvc" not in {m.split(".")[0] for m in __import__("sys").modules}
    assert len(said) == 2 and "2,000" in said[1]
