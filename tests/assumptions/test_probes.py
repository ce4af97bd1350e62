"""Probes: user functions over samples, run in worker processes that import the head tree."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from realitycheck.assumptions.checks.plan import Check
from realitycheck.assumptions.checks.probes import ProbeRunner
from realitycheck.assumptions.checks.run import CheckRunner
from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.corpus.store import Corpus

from .conftest import sample

T = "fn:files:store"
PROBES = """\
import os
import sys
import time


def magic(data):
    print("probes may print; the protocol does not care")
    return data[:4].decode("latin-1")


def kinds(data):
    return sorted({chr(b) for b in data[4:6]})


def fragile(data):
    if data.startswith(b"%PDF"):
        raise ValueError("cannot parse this one")
    return "ok"


def slow(data):
    if data.endswith(b"SLOW"):
        time.sleep(30)
    return "ok"


def fatal(data):
    if data.endswith(b"DIE"):
        os._exit(3)
    return "ok"


def whole(sample):
    return sorted(sample)


def nothing(data):
    return [] if data.startswith(b"GIF") else None
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    store = Corpus(tmp_path / "corpus", create=True)
    blobs = [
        b"%PDF-ab",
        b"%PDF-bb",
        b"GIF8xy",
        b"PK\x03\x04aa",
        b"%PDF-aaSLOW",
        b"PNG.zzDIE",
    ]
    samples = []
    for i, data in enumerate(blobs):
        ref = store.blobs.put(data)
        samples.append(sample(T, {"args": {"data": ref, "name": f"f{i}"}}, i))
    store.write(samples)
    return store


@pytest.fixture
def runner(tmp_path: Path) -> ProbeRunner:
    tree = tmp_path / "tree"
    (tree / "src" / "pkg").mkdir(parents=True)
    (tree / "src" / "pkg" / "__init__.py").write_text("")
    (tree / "src" / "pkg" / "probes.py").write_text(textwrap.dedent(PROBES))
    return ProbeRunner([tree / "src"], cwd=tree, timeout=3.0)


def _check(
    key: str, probe: str, expect: dict[str, object], path: str | None = "$.args.data"
) -> Check:
    return Check(
        key, T, expect, JsonPath.parse(path) if path else None, probe=f"pkg.probes:{probe}"
    )


def test_probe_values_are_checked_like_json_values(corpus: Corpus, runner: ProbeRunner) -> None:
    got = CheckRunner(corpus, probes=runner).run(
        [
            _check("magic", "magic", {"in": ["%PDF"]}),
            _check("kinds", "kinds", {"in": ["-", "a", "b", "x", "y"]}),
            _check("whole", "whole", {"in": ["id", "input", "output", "target"]}, path=None),
        ]
    )
    assert (got["magic"].n, got["magic"].violations) == (6, 3)
    # a list is judged element by element: only "PNG.zz…" has a byte outside the set
    assert (got["kinds"].n, got["kinds"].violations) == (6, 1)
    assert got["kinds"].examples == ["s000005"]
    assert got["whole"].status == "holds" and got["whole"].n == 6


def test_a_failing_probe_counts_apart_and_a_hung_one_is_killed(
    corpus: Corpus, runner: ProbeRunner
) -> None:
    got = CheckRunner(corpus, probes=runner).run(
        [
            _check("fragile", "fragile", {"in": ["ok"]}),
            _check("slow", "slow", {"in": ["ok"]}),
            _check("fatal", "fatal", {"in": ["ok"]}),
        ]
    )
    assert (got["fragile"].n, got["fragile"].counts) == (3, {"probe_errors": 3})
    assert got["slow"].n == 5 and got["slow"].counts["probe_errors"] == 1
    assert got["fatal"].n == 5 and got["fatal"].counts["probe_errors"] == 1
    assert got["slow"].status == got["fatal"].status == "holds"


def test_a_probe_with_nothing_to_say_leaves_the_check_unchecked(
    corpus: Corpus, runner: ProbeRunner
) -> None:
    got = CheckRunner(corpus, probes=runner).run([_check("none", "nothing", {"in": ["x"]})])
    assert got["none"].status == "unchecked"
    assert got["none"].counts == {"no_value": 6}
    assert "returned no value" in str(got["none"].why)


def test_a_probe_that_cannot_be_imported_says_why(corpus: Corpus, runner: ProbeRunner) -> None:
    got = CheckRunner(corpus, probes=runner).run(
        [
            Check("gone", T, {"in": ["x"]}, JsonPath.parse("$.args.data"), probe="pkg.nope:f"),
            _check("attr", "no_such_probe", {"in": ["x"]}),
        ]
    )
    assert got["gone"].status == "unchecked"
    assert "failed on all 6 samples: ModuleNotFoundError" in str(got["gone"].why)
    assert "AttributeError" in str(got["attr"].why)


def test_parallel_workers_give_the_same_answer(
    corpus: Corpus, tmp_path: Path, runner: ProbeRunner
) -> None:
    two = ProbeRunner(runner.roots, cwd=runner.cwd, timeout=3.0, workers=2)
    one = CheckRunner(corpus, probes=runner).run([_check("m", "magic", {"in": ["%PDF"]})])["m"]
    par = CheckRunner(corpus, probes=two).run([_check("m", "magic", {"in": ["%PDF"]})])["m"]
    assert (one.n, one.violations, one.examples) == (par.n, par.violations, par.examples)
