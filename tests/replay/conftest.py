"""Helpers for replay tests: a change in a real git repository, and a corpus of its samples."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from realitycheck.corpus.model import Sample, input_hash, new_sample_id
from realitycheck.corpus.store import Corpus
from realitycheck.demo.repo import RepoBuilder

AGENT = [("Co-Authored-By", "Claude Opus 4.6 <noreply@anthropic.com>")]


@dataclass
class Change:
    """A repository with a base commit on main and a head commit on a branch."""

    repo: RepoBuilder
    base: str
    head: str

    @property
    def root(self) -> Path:
        return self.repo.root

    @property
    def corpus_dir(self) -> Path:
        return self.root / ".realitycheck" / "corpus"


def make_change(
    repo: RepoBuilder,
    base: Mapping[str, str],
    head: Mapping[str, str | None],
    *,
    ai: bool = True,
    config: str | None = None,
) -> Change:
    """Commit `base` on main, then `head` (None deletes a file) on branch `change`."""
    (repo.root / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (repo.root / ".git" / "info" / "exclude").write_text(".realitycheck/corpus/\n")
    files = dict(base)
    if config is not None:
        files["realitycheck.toml"] = config
    repo.write(files)
    base_sha = repo.commit("base", author=("Example Maintainer", "maintainer@example.com"))
    repo.git("checkout", "-q", "-b", "change")
    removed = [p for p, c in head.items() if c is None]
    if removed:
        repo.remove(*removed)
    repo.write({p: c for p, c in head.items() if c is not None})
    head_sha = repo.commit("change", extra_trailers=AGENT if ai else None)
    return Change(repo, base_sha, head_sha)


def write_samples(
    corpus_dir: Path,
    target: str,
    inputs: Iterable[dict[str, Any]],
    outputs: Iterable[dict[str, Any] | None] | None = None,
) -> list[str]:
    """Record one sample per input (with recorded outputs when given); returns their ids."""
    corpus = Corpus(corpus_dir, create=True)
    inputs = list(inputs)
    outs = list(outputs) if outputs is not None else [None] * len(inputs)
    samples = [
        Sample(
            id=new_sample_id(),
            input_hash=input_hash(target, inp),
            target=target,
            kind="http" if target.startswith("http:") else "function",
            input=inp,
            output=out,
        )
        for inp, out in zip(inputs, outs, strict=True)
    ]
    corpus.write(samples)
    return [s.id for s in samples]


@pytest.fixture
def change_factory(repo: RepoBuilder) -> Any:
    """Build a change in the test's repository."""

    def build(base: Mapping[str, str], head: Mapping[str, str | None], **kw: Any) -> Change:
        return make_change(repo, base, head, **kw)

    return build
