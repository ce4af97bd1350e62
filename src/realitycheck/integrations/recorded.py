"""Recorded reality as test cases: the samples of a target, and the current code checked against
the outputs recorded with them (the pytest plugin's library half).

The corpus is found as every command finds it: an explicit folder (`--realitycheck-corpus`, or
`REALITYCHECK_CORPUS` read by the plugin), then `corpus.dir` of the configuration, then
`.realitycheck/corpus` at the repository root. Outputs are compared with replay's comparators
(`replay/compare.py`) and the target's `[[replay.functions]]` settings, so a test and a replay
of the same sample agree on what a divergence is.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realitycheck.core.config import Config, load_config
from realitycheck.core.errors import CorpusError, GitError, RealityCheckError
from realitycheck.core.git import Git
from realitycheck.corpus.model import Sample
from realitycheck.corpus.store import Corpus, open_corpus
from realitycheck.replay import values
from realitycheck.replay.binding import bind, load_blobs
from realitycheck.replay.compare import Found, comparator_for, compare_outcomes, recorded_status
from realitycheck.replay.jsondiff import is_under


@dataclass(frozen=True)
class Project:
    """The repository a test session runs in, its configuration, and its corpus folder."""

    root: Path
    config: Config
    corpus_dir: Path

    @classmethod
    def find(cls, start: Path, corpus: Path | None = None) -> Project:
        """The project around `start`; `corpus` (a flag or the environment) wins when given."""
        try:
            root = Git(start).root
        except GitError:
            root = start
        config = load_config(None, start=start, stop=root)
        if corpus is not None:
            folder = corpus if corpus.is_absolute() else root / corpus
        elif getattr(config.corpus, "dir", None):
            configured = Path(str(config.corpus.dir))
            folder = configured if configured.is_absolute() else root / configured
        else:
            folder = root / ".realitycheck" / "corpus"
        return cls(root=root, config=config, corpus_dir=folder)

    def corpus(self) -> Corpus:
        """The corpus, opened for reading (an error that says where when there is none)."""
        return open_corpus(self.corpus_dir)

    def samples(
        self, target: str, limit: int | None = None, where: str | None = None
    ) -> list[Sample]:
        """The recorded samples of `target` (oldest first), at most `limit`, filtered by `where`.

        `where` is a DuckDB condition over the corpus's `samples` view, e.g.
        `json_extract_string(input, '$.args.payload.action') = 'opened'`.
        """
        corpus = self.corpus()
        out: list[Sample] = []
        try:
            for sample in corpus.iter_samples(full_target(target), where=where):
                out.append(sample)
                if limit is not None and len(out) >= limit:
                    break
        except RealityCheckError:
            raise
        except Exception as exc:  # DuckDB's errors for a bad `where` (duckdb.Error)
            raise CorpusError(
                f"cannot read the samples of {target}: {type(exc).__name__}: {exc}",
                path=self.corpus_dir,
                place=f"where={where!r}" if where else None,
            ) from None
        return out

    def source_roots(self) -> list[Path]:
        """The folders replay puts on sys.path, where they exist."""
        roots = [self.root / r for r in self.config.replay.source_roots]
        return [r for r in roots if r.is_dir()]


def full_target(target: str) -> str:
    """`fn:module:qualname` for a function named with or without the `fn:` prefix."""
    if target.startswith(("fn:", "http:")):
        return target
    return f"fn:{target}"


def import_target(target: str, roots: list[Path]) -> Callable[..., Any]:
    """The function `fn:module:qualname` of the current code, importable from `roots`."""
    name = full_target(target)
    if not name.startswith("fn:"):
        raise RealityCheckError(
            f"{target} is not a function target",
            hint="the plugin checks fn:module:qualname targets; replay HTTP targets with "
            "`realitycheck replay http`",
        )
    module_name, _, qualname = name.removeprefix("fn:").partition(":")
    for root in reversed(roots):
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception as exc:
        raise RealityCheckError(
            f"cannot import {name}: {type(exc).__name__}: {exc}",
            hint="check the target's name, and replay.source_roots",
        ) from None
    if not callable(obj):
        raise RealityCheckError(f"{name} is not callable")
    fn: Callable[..., Any] = obj
    return fn


def call_recorded(fn: Callable[..., Any], sample: Sample, corpus: Corpus) -> tuple[str, str]:
    """Call `fn` on a sample's recorded arguments: (`return` | `raised`, canonical output)."""
    args = load_blobs(sample.input.get("args", {}), None, corpus.blobs.root)
    params = [(p.name, p.kind) for p in _signature(fn)]
    pos, kw = bind(params, args)
    try:
        value = fn(*pos, **kw)
        if inspect.iscoroutine(value):
            value = asyncio.run(value)
    except Exception as exc:
        return "raised", values.raised(exc)
    return "return", values.returned(value)


def _signature(fn: Callable[..., Any]) -> Iterator[inspect.Parameter]:
    try:
        yield from inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return


@dataclass(frozen=True)
class Outcome:
    """How the current code's output of one sample compares with the recorded one."""

    recorded: str
    current: str
    divergences: list[Found]


def check_sample(
    project: Project, fn: Callable[..., Any], sample: Sample, corpus: Corpus
) -> Outcome | None:
    """Compare the current output with the recorded one; None when nothing was recorded."""
    recorded = sample.output or {}
    status = recorded_status(recorded)
    if status is None:
        return None
    recorded_text = values.canonical({status: recorded[status]})
    settings = project.config.replay.function(sample.target)
    comparator = comparator_for(
        settings.comparator, settings.text_threshold, [project.root, *project.source_roots()]
    )
    now_status, now_text = call_recorded(fn, sample, corpus)
    found = compare_outcomes(status, recorded_text, now_status, now_text, comparator)
    ignore = [*project.config.replay.ignore, *settings.ignore]
    kept = [f for f in found if not any(is_under(f.path, p) for p in ignore)]
    return Outcome(recorded=recorded_text, current=now_text, divergences=kept)
