"""Replay a whole change: pick its targets, materialise base and head, replay, measure coverage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.core.config import Config
from realitycheck.core.diff import FileDiff
from realitycheck.core.errors import CorpusError
from realitycheck.core.events import Events
from realitycheck.core.git import Git
from realitycheck.core.ranges import to_ranges
from realitycheck.corpus.store import Corpus, is_remote
from realitycheck.replay import reality
from realitycheck.replay.executor import backend_for
from realitycheck.replay.function import FunctionReplay, Revision, replay_functions
from realitycheck.replay.model import RealityCoverage, ReplayResult, TargetReplay
from realitycheck.replay.service_change import ServiceRun, replay_service
from realitycheck.replay.sufficiency import assess
from realitycheck.replay.targets import (
    callable_name,
    changed_function_targets,
    function_name,
    http_targets,
)
from realitycheck.replay.trees import Trees, source_roots


class NothingToReplay(Exception):
    """The change has no target with recorded samples."""


@dataclass
class ChangeReplay:
    """What a replay of one change needs beyond the configuration."""

    git: Git
    config: Config
    base: str | None
    head: str
    corpus_dir: Path
    diffs: list[FileDiff]
    expected: list[ExpectedChange] | None = None
    test_origin: reality.Origin | None = None
    environ: Mapping[str, str] = field(default_factory=dict)
    executor: str | None = None
    address: str | None = None
    functions: Sequence[str] | None = None
    events: Events = field(default_factory=Events)


def plan(job: ChangeReplay, corpus: Corpus | None) -> tuple[list[str], dict[str, list[str]]]:
    """The function targets and, per configured service, the HTTP targets to replay."""
    recorded = corpus.targets() if corpus is not None else {}
    cfg = job.config.replay
    if job.functions is not None:
        return [function_name(t) for t in job.functions], {}
    functions = [function_name(f.target) for f in cfg.functions]
    if cfg.discover:
        changed = [d.path for d in job.diffs]
        for target in changed_function_targets(recorded, changed, cfg.source_roots):
            if target not in functions:
                functions.append(target)
    services = {s.name: http_targets(recorded, s.targets) for s in cfg.services}
    return functions, {k: v for k, v in services.items() if v}


def open_corpus(path: Path) -> Corpus | None:
    """The corpus at `path`, or None when there is none yet."""
    if not path.is_dir() and not is_remote(path):
        return None
    return Corpus(path)


def replay_change(job: ChangeReplay) -> ReplayResult:
    """Replay the corpus through base and head, judge divergences, and measure reality coverage."""
    cfg = job.config.replay
    corpus = open_corpus(job.corpus_dir)
    functions, services = plan(job, corpus)
    if corpus is None and (functions or cfg.services):
        return _without_corpus(job, functions)
    if corpus is None or (not functions and not services):
        why = f"no corpus at {job.corpus_dir}"
        if corpus is not None:
            empty = not corpus.targets()
            why = (
                f"the corpus at {job.corpus_dir} holds no samples"
                if empty
                else ("no recorded target in the corpus belongs to the changed code")
            )
        raise NothingToReplay(why)
    result = ReplayResult(
        base=job.base,
        head=job.head,
        executor=job.executor or cfg.executor,
        expected_changes=job.expected is not None,
    )
    result.changed = {
        d.path: to_ranges(d.added_lines)
        for d in job.diffs
        if d.path.endswith(".py") and d.added_lines and not reality.is_test_file(d.path)
    }
    if job.expected is None:
        result.warnings.append(
            "expected_changes unavailable (no ledger found): every divergence counts as unexpected"
        )
    expected = job.expected or []
    with Trees(job.git) as trees:
        head_tree = trees.get(job.head)
        head = Revision(head_tree, source_roots(head_tree, cfg.source_roots))
        base = None
        if job.base is not None:
            base_tree = trees.get(job.base)
            base = Revision(base_tree, source_roots(base_tree, cfg.source_roots))
        run = FunctionReplay()
        if functions:
            backend = backend_for(result.executor, job.address or cfg.address)
            try:
                run = replay_functions(
                    corpus,
                    functions,
                    base,
                    head,
                    cfg,
                    backend,
                    expected=expected,
                    comparator_roots=[job.git.root / r for r in cfg.source_roots],
                    events=job.events,
                )
            finally:
                backend.close()
            result.targets += run.targets
        served: dict[str, ServiceRun] = {}
        for name, targets in services.items():
            served[name] = replay_service(
                job, corpus, name, targets, base, head, expected, trees.scratch("services")
            )
            result.targets += served[name].targets
        if cfg.coverage:
            result.reality_coverage = _reality(job, run, head, trees, served)
    assess(result, cfg)
    return result


def _reality(
    job: ChangeReplay,
    run: FunctionReplay,
    head: Revision,
    trees: Trees,
    served: Mapping[str, ServiceRun],
) -> RealityCoverage:
    cfg = job.config.replay
    tests: reality.TestRunOutput | None = None
    if cfg.test_command:
        with job.events.task("tests under coverage"):
            tests = reality.run_tests(
                cfg.test_command,
                head.tree,
                head.roots,
                trees.scratch("tests"),
                timeout=cfg.test_timeout,
                environ=job.environ,
            )
    replay_lines = reality.lines_of(run.coverage, run.coverage.keys())
    for service in served.values():
        for path, lines in (service.lines or {}).items():
            replay_lines.setdefault(path, set()).update(lines)
    test_lines = tests.lines if tests else None
    names = {n for per in (test_lines or {}).values() for s in per.values() for n in s}
    origins = reality.test_origins(head.tree, names, job.test_origin)
    coverage = reality.analyse(
        head.tree,
        job.diffs,
        replay_lines,
        test_lines,
        origins,
        origins_known=job.test_origin is not None,
    )
    if tests is not None:
        coverage.tests = tests.run
        coverage.tests.ai_tests = sorted(n for n, o in origins.items() if o in ("ai", "unknown"))
    notes = []
    if not cfg.test_command:
        notes.append("no test_command configured, so no test was run")
    if job.test_origin is None:
        notes.append("provenance unavailable: which tests were written in AI commits is unknown")
    unmeasured = sorted(name for name, s in served.items() if s.lines is None)
    if unmeasured:
        coverage.mark_unmeasured(unmeasured)
        whys = "; ".join(f"{name}: {served[name].unmeasured}" for name in unmeasured)
        notes.append(
            f"HTTP service {', '.join(unmeasured)} was not measured ({whys}): changed lines "
            "nothing measured executed may have run there"
        )
    coverage.note = "; ".join(notes) or None
    _link_targets(job, run, head)
    _link_services(job, served, head)
    return coverage


def _link_services(job: ChangeReplay, served: Mapping[str, ServiceRun], head: Revision) -> None:
    """Per HTTP target: the changed lines its service executed (the whole service run)."""
    changed = {d.path: d.added_lines for d in job.diffs if d.path.endswith(".py")}
    for service in served.values():
        if service.lines is None:
            continue
        reached = reality.reached(head.tree, changed, service.lines)
        for target in service.targets:
            target.reached = reached


def _link_targets(job: ChangeReplay, run: FunctionReplay, head: Revision) -> None:
    """Per target: the changed lines its inputs executed, and those its diverging samples did."""
    changed = {d.path: d.added_lines for d in job.diffs if d.path.endswith(".py")}
    for target in run.targets:
        name = callable_name(target.target)
        own = [c for c in run.coverage if c == name or c.startswith(name + "|")]
        target.reached = reality.reached(head.tree, changed, reality.lines_of(run.coverage, own))
        diverged = run.diverged.get(target.target, set())
        if run.coverage_mode == "sample" and diverged:
            contexts = {f"{name}|{sample}" for sample in diverged}
            lines = reality.lines_of(run.coverage, contexts)
            target.reached_by_diverged = reality.reached(head.tree, changed, lines)
            agreeing = [c for c in own if c not in contexts and not c.endswith("|import")]
            others = reality.lines_of(run.coverage, agreeing)
            only = {p: ls - others.get(p, set()) for p, ls in lines.items()}
            target.reached_only_by_diverged = reality.reached(head.tree, changed, only)


def _without_corpus(job: ChangeReplay, functions: list[str]) -> ReplayResult:
    """Configured targets and no corpus: each target is an error, never a skipped stage."""
    why = f"no corpus at {job.corpus_dir}, so no recorded sample"
    result = ReplayResult(base=job.base, head=job.head, executor="none")
    for name in functions:
        comparator = job.config.replay.function(name).comparator
        result.targets.append(
            TargetReplay(target=name, kind="function", comparator=comparator, error=why)
        )
    for service in job.config.replay.services:
        for pattern in service.targets:
            result.targets.append(
                TargetReplay(target=pattern, kind="http", comparator=service.comparator, error=why)
            )
    assess(result, job.config.replay)
    return result


def corpus_or_error(path: Path) -> Corpus:
    """The corpus at `path`; a clear error when there is none."""
    corpus = open_corpus(path)
    if corpus is None:
        raise CorpusError(
            "no corpus here", path=path, hint="record or import samples first, or pass --corpus"
        )
    return corpus
