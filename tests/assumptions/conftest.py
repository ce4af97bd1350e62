"""Helpers for the assumptions tests: changes in real git repositories, and real corpora."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from realitycheck.assumptions.analysis import Inputs, analyse
from realitycheck.assumptions.model import AssumptionsResult
from realitycheck.core.config.assumptions import AssumptionsConfig
from realitycheck.core.git import Git
from realitycheck.corpus.model import Sample, input_hash
from realitycheck.corpus.store import Corpus
from realitycheck.demo.repo import RepoBuilder

CLAUDE = [("Co-Authored-By", "Claude Opus 4.6 <noreply@anthropic.com>")]


def sample(target: str, data: dict[str, Any], n: int, output: Any = None) -> Sample:
    """A function sample with a readable id."""
    return Sample(
        id=f"s{n:06d}",
        input_hash=input_hash(target, data),
        target=target,
        kind="http" if target.startswith("http:") else "function",
        input=data,
        output=output,
    )


def write_corpus(folder: Path, samples: Iterable[Sample]) -> Corpus:
    """A corpus holding the samples, in one segment."""
    corpus = Corpus(folder, create=True)
    corpus.write(list(samples))
    return corpus


@dataclass
class Change:
    """A base and a head commit in a real repository."""

    repo: RepoBuilder
    base: str
    head: str

    @property
    def root(self) -> Path:
        return self.repo.root

    def analyse(
        self,
        corpus: Corpus | None = None,
        *,
        config: AssumptionsConfig | None = None,
        ai_line_share: float | None = 1.0,
        pr_body: Path | None = None,
        check: bool = True,
    ) -> AssumptionsResult:
        return analyse(
            Inputs(
                git=Git(self.root),
                base=self.base,
                head=self.head,
                config=config or AssumptionsConfig(),
                store=corpus,
                store_why="no corpus in this test",
                ai_line_share=ai_line_share,
                pr_body=pr_body,
                check=check,
            )
        )


MakeChange = Callable[..., Change]


@pytest.fixture
def make_change(tmp_path: Path) -> MakeChange:
    """Commit `base` files, then `head` files over them (as Claude Code), in a new repository."""
    counter = [0]

    def make(
        base: Mapping[str, str],
        head: Mapping[str, str],
        *,
        remove: Iterable[str] = (),
        ai: bool = True,
    ) -> Change:
        counter[0] += 1
        repo = RepoBuilder(tmp_path / f"repo{counter[0]}")
        repo.write(dict(base) or {"README.md": "example\n"})
        base_sha = repo.commit("base")
        repo.write(dict(head))
        if remove:
            repo.remove(*remove)
        head_sha = repo.commit("change", extra_trailers=CLAUDE if ai else None)
        return Change(repo, base_sha, head_sha)

    return make
