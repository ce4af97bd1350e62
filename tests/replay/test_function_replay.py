"""Function replay through real git revisions: divergences, noise, baselines, coverage contexts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from realitycheck.core.config import config_from_dict
from realitycheck.core.git import Git
from realitycheck.corpus.store import Corpus
from realitycheck.replay.function import FunctionReplay, Revision, replay_functions
from realitycheck.replay.local import LocalBackend
from realitycheck.replay.trees import Trees, source_roots

from .conftest import Change, write_samples

BASE = """
import random

def total(items):
    return {"sum": sum(items), "n": len(items), "lucky": random.random() < 0.3}

def words(text):
    return text.upper()

def gone(x):
    return x
"""

HEAD = """
import random

def total(items):
    s = sum(items)
    if len(items) > 3:
        s += 1  # an off-by-one only longer inputs meet
    return {"sum": s, "n": len(items), "lucky": random.random() < 0.3}

def words(text):
    return " ".join(text.upper().split()[:2])

def parse(x):
    if x < 0:
        raise ValueError("negative")
    return x * 2
"""


@pytest.fixture
def change(change_factory: Any) -> Change:
    files = {"src/calc/__init__.py": "", "src/calc/ops.py": BASE}
    return change_factory(files, {"src/calc/ops.py": HEAD})


def replay(change: Change, targets: list[str], **config: Any) -> FunctionReplay:
    cfg = config_from_dict({"replay": config}).replay
    git = Git(change.root)
    with Trees(git) as trees:
        base, head = trees.get(change.base), trees.get(change.head)
        return replay_functions(
            Corpus(change.corpus_dir),
            targets,
            Revision(base, source_roots(base, cfg.source_roots)),
            Revision(head, source_roots(head, cfg.source_roots)),
            cfg,
            LocalBackend(),
        )


def lists() -> Iterator[dict[str, Any]]:
    for i in range(600):
        yield {"args": {"items": list(range(i % 6))}}


def test_a_changed_function_diverges_where_it_changed_and_noise_is_measured(
    change: Change,
) -> None:
    write_samples(change.corpus_dir, "fn:calc.ops:total", lists())
    run = replay(change, ["calc.ops:total"], batch_size=64)
    [target] = run.targets
    # computed independently: inputs with more than 3 items (i % 6 in {4, 5})
    expected = sum(1 for i in range(600) if i % 6 > 3)
    by_path = {d.path: d for d in target.divergences}
    assert target.samples == target.replayed == 600
    assert by_path["$.return.sum"].count == expected
    assert not by_path["$.return.sum"].noise
    assert by_path["$.return.lucky"].noise
    assert by_path["$.return.lucky"].noise_count > 50
    assert target.diverged == expected
    assert target.noise_measured and target.baseline == "base"
    assert target.example is not None and target.example.path == "$.return.sum"
    assert (
        json.loads(target.example.base)["return"]["sum"] + 1
        == json.loads(target.example.head)["return"]["sum"]
    )
    assert len(run.diverged["fn:calc.ops:total"]) == expected


def test_sample_contexts_tie_divergences_to_the_lines_they_ran(change: Change) -> None:
    ids = write_samples(change.corpus_dir, "fn:calc.ops:total", lists())
    run = replay(change, ["calc.ops:total"], coverage_contexts="sample")
    assert run.coverage_mode == "sample"
    # HEAD line 7 (`s += 1`) runs only for inputs with more than 3 items
    longer = {sid for i, sid in enumerate(ids) if i % 6 > 3}
    ran_branch = {
        ctx.split("|", 1)[1]
        for ctx, files in run.coverage.items()
        if 7 in files.get("src/calc/ops.py", []) and "|" in ctx
    }
    assert ran_branch == longer == run.diverged["fn:calc.ops:total"]


def test_text_comparison_per_target(change: Change) -> None:
    texts = ["one two three four", "alpha beta", "a b c d e f g h i j"]
    write_samples(change.corpus_dir, "fn:calc.ops:words", ({"args": {"text": t}} for t in texts))
    run = replay(
        change,
        ["calc.ops:words"],
        functions=[{"target": "calc.ops:words", "comparator": "text", "text_threshold": 0.9}],
    )
    [target] = run.targets
    [group] = target.divergences
    assert (group.path, group.category, group.count) == ("$.return", "text-lost", 2)
    assert group.tokens_lost == pytest.approx((0.5 + 0.8) / 2)
    assert group.detail == "returned 65% less text on average (median 65%)"


def test_a_new_function_is_compared_with_the_recorded_outputs(change: Change) -> None:
    xs = [-2, -1, 0, 1, 2, 3]
    outputs = (
        [{"raised": {"type": "ValueError", "message": "negative"}}] * 2
        + [{"return": x * 2} for x in (0, 1)]
        + [{"return": 999}, None]
    )
    write_samples(change.corpus_dir, "fn:calc.ops:parse", ({"args": {"x": x}} for x in xs), outputs)
    [target] = replay(change, ["fn:calc.ops:parse"]).targets
    assert target.baseline == "recorded"
    assert "new in the head" in (target.note or "")
    assert not target.noise_measured
    assert [(d.path, d.category, d.count) for d in target.divergences] == [
        ("$.return", "value-changed", 1)
    ]


def test_without_a_base_or_recorded_outputs_only_the_heads_failures_count(change: Change) -> None:
    write_samples(
        change.corpus_dir, "fn:calc.ops:parse", ({"args": {"x": x}} for x in range(-3, 7))
    )
    [target] = replay(change, ["calc.ops:parse"]).targets
    assert target.baseline == "none"
    [group] = target.divergences
    assert (group.category, group.count, group.detail) == ("exception", 3, "ValueError: negative")
    assert "only the head's own failures" in (target.note or "")


def test_a_removed_function_and_a_target_without_samples_are_errors(change: Change) -> None:
    write_samples(change.corpus_dir, "fn:calc.ops:gone", [{"args": {"x": 1}}])
    run = replay(change, ["calc.ops:gone", "calc.ops:total"])
    gone, total = run.targets
    assert "the head has no calc.ops:gone" in (gone.error or "")
    assert "renamed or removed" in (gone.error or "")
    assert total.error == "no recorded samples" and total.samples == 0
