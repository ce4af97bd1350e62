"""What a stage is given: the repository, the range, the configuration and earlier results."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from realitycheck.core.config import Config
from realitycheck.core.diff import FileDiff
from realitycheck.core.events import Events
from realitycheck.core.git import Commit, Git
from realitycheck.core.report import StageReport
from realitycheck.corpus.store import is_remote

T = TypeVar("T")


@dataclass
class VerifyOptions:
    """What the caller of `verify` asked for, beyond the configuration file."""

    repo: Path = Path()
    base: str | None = None
    head: str = "HEAD"
    config_path: Path | None = None
    corpus: Path | None = None
    pr_labels: list[str] = field(default_factory=list)
    pr_body: Path | None = None
    event_path: Path | None = None
    debug: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """The change under test, shared by all stages of one `verify` run."""

    git: Git
    config: Config
    options: VerifyOptions
    base: str | None
    head: str
    base_ref: str | None
    head_ref: str
    commits: list[Commit]
    events: Events = field(default_factory=Events)
    results: dict[str, object] = field(default_factory=dict)
    reports: list[StageReport] = field(default_factory=list)

    @cached_property
    def diff(self) -> list[FileDiff]:
        """The files the change touches, base to head."""
        return self.git.diff(self.base, self.head)

    def result(self, name: str, kind: type[T]) -> T | None:
        """The result object an earlier stage left, if it ran and has that type."""
        value = self.results.get(name)
        return value if isinstance(value, kind) else None

    @property
    def corpus_dir(self) -> Path:
        """Where the corpus lives: --corpus, then configuration, then the default folder."""
        if self.options.corpus is not None:
            corpus = self.options.corpus
            return corpus if is_remote(corpus) else corpus.absolute()
        url = getattr(self.config.corpus, "url", None)
        if url:  # a remote corpus (corpus/remote/); travels as a Path, read back as the URL
            return Path(str(url))
        configured = getattr(self.config.corpus, "dir", None)
        if configured:
            path = Path(str(configured))
            return path if path.is_absolute() else self.git.root / path
        return self.git.root / ".realitycheck" / "corpus"
