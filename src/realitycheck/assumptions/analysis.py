"""The assumptions capability end to end: load the ledger, mine the change, check both."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from realitycheck.assumptions.checks import builtin
from realitycheck.assumptions.checks.plan import Check, Cond
from realitycheck.assumptions.checks.probes import ProbeRunner
from realitycheck.assumptions.checks.results import SampleStore
from realitycheck.assumptions.checks.run import CheckRunner
from realitycheck.assumptions.checks.tree import revision_tree
from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.assumptions.ledger import load_change_ledger
from realitycheck.assumptions.matching import declared_target, match_declared
from realitycheck.assumptions.mining.miner import mine
from realitycheck.assumptions.mining.sources import changed_sources, route_files
from realitycheck.assumptions.mining.targets import django_route_index
from realitycheck.assumptions.model import (
    AssumptionsResult,
    CheckResult,
    CheckSpec,
    DeclaredOutcome,
    Ledger,
    MinedAssumption,
)
from realitycheck.assumptions.worktree import uncommitted_ledger_files, worktree_ledgers
from realitycheck.core.config.assumptions import AssumptionsConfig
from realitycheck.core.errors import InputError
from realitycheck.core.events import Events
from realitycheck.core.git import Git


@dataclass
class Inputs:
    """Everything the analysis reads: the change, the configuration and the corpus."""

    git: Git
    base: str | None
    head: str
    config: AssumptionsConfig = field(default_factory=AssumptionsConfig)
    store: SampleStore | None = None
    store_why: str = "no corpus"
    ai_line_share: float | None = None
    pr_body: Path | None = None
    events: Events = field(default_factory=Events)
    check: bool = True
    worktree: bool = False  # the head is the checkout: uncommitted ledger files count
    head_label: str = "the head commit"


def analyse(inputs: Inputs) -> AssumptionsResult:
    """Load, mine, match and (unless `check` is off) check every assumption of the change."""
    cfg = inputs.config
    result = AssumptionsResult(ai_line_share=inputs.ai_line_share)
    if inputs.ai_line_share is None:
        result.warnings.append(
            "provenance did not run, so the change counts as AI-written (fail closed)"
        )
    share = 1.0 if inputs.ai_line_share is None else inputs.ai_line_share
    result.ledger_required = share > cfg.require_ledger_above
    result.ledger = load_ledger(inputs, result)
    result.mined = mine_change(inputs, result.warnings)
    if result.ledger is not None:
        match_declared(result.ledger, result.mined, cfg.source_roots)
    if inputs.check:
        check_all(inputs, result)
    elif result.ledger is not None:
        result.declared = [
            DeclaredOutcome(assumption=a, result=CheckResult(status="unchecked", why="not run"))
            for a in result.ledger.assumptions
        ]
    return result


def load_ledger(inputs: Inputs, result: AssumptionsResult) -> Ledger | None:
    """The change's ledger; with the checkout as head, uncommitted ledger files count too."""
    git = inputs.git
    local = worktree_ledgers(git) if inputs.worktree else []
    ledger = load_change_ledger(git, inputs.base, inputs.head, pr_body=inputs.pr_body, local=local)
    if local:
        names = ", ".join((x.source or "").split(" ", 1)[0] for x in local)
        result.warnings.append(
            f"the ledger {names} was read from the working tree, not from a commit: "
            "commit it with the change so that CI reads it too"
        )
    elif ledger is None:
        result.ledger_uncommitted = uncommitted_ledger_files(git)
        result.ledger_head = inputs.head_label
    return ledger


def mine_change(inputs: Inputs, warnings: list[str]) -> list[MinedAssumption]:
    """Mined assumptions of the change's Python files (none when mining is off)."""
    cfg = inputs.config
    if not cfg.mine:
        return []
    sources = changed_sources(
        inputs.git, inputs.base, inputs.head, roots=cfg.source_roots, exclude=cfg.exclude
    )
    if not sources:
        return []
    recorded = inputs.store.targets() if inputs.store is not None else {}
    routes = {}
    if any("django" in s.text for s in sources):
        routes = django_route_index(route_files(inputs.git, inputs.head), cfg.source_roots)
    with inputs.events.task(f"mining {len(sources)} changed Python files"):
        outcome = mine(sources, cfg, recorded=recorded, django_routes=routes)
    warnings += outcome.warnings
    return outcome.mined


def conditions(spec: CheckSpec) -> list[Cond]:
    """A check's `when` conditions, ready to compile."""
    return [Cond(JsonPath.parse(c.path), dict(c.expect), c.negate) for c in spec.when]


def declared_checks(ledger: Ledger, roots: list[str]) -> tuple[list[Check], dict[str, str]]:
    """Checks for the declared assumptions, and why the others have none."""
    checks: list[Check] = []
    missing: dict[str, str] = {}
    for a in ledger.assumptions:
        if a.check is None:
            missing[a.id] = "the ledger gives no check for it"
            continue
        target = a.check.target or declared_target(a.where, roots)
        if target is None:
            missing[a.id] = "the check names no target (add check.target)"
            continue
        try:
            path = JsonPath.parse(a.check.path) if a.check.path else None
        except InputError as exc:
            origin = a.origin
            raise InputError(
                f"assumption {a.id}: {exc.message}",
                path=origin[0] if origin else None,
                line=origin[1] if origin else None,
            ) from None
        checks.append(
            Check(
                key=a.id,
                target=target,
                expect=dict(a.check.expect),
                path=path,
                mostly=a.check.mostly,
                probe=a.check.probe,
                origin=a.origin,
                when=conditions(a.check),
            )
        )
    return checks, missing


def check_all(inputs: Inputs, result: AssumptionsResult) -> None:
    """Run declared and mined checks against the corpus, in as few passes as possible."""
    cfg = inputs.config
    declared: list[Check] = []
    missing: dict[str, str] = {}
    if result.ledger is not None:
        declared, missing = declared_checks(result.ledger, cfg.source_roots)
    mined = [
        Check(
            key=m.id,
            target=m.check.target or "",
            expect=dict(m.check.expect),
            path=JsonPath.parse(m.check.path) if m.check.path else None,
            mostly=m.check.mostly,
            probe=m.check.probe,
            when=conditions(m.check),
        )
        for m in result.mined
        if m.check is not None
    ]
    with _probes(inputs, any(c.probe for c in declared + mined)) as probes:
        runner = CheckRunner(
            inputs.store,
            missing_why=inputs.store_why,
            probes=probes,
            probe_limit=cfg.probe_max_samples,
            min_samples=cfg.min_samples,
            events=inputs.events,
        )
        results = runner.run(declared + mined)
    for m in result.mined:
        if m.check is not None:
            m.result = results[m.id]
        else:
            m.result = CheckResult(status="unchecked", why=m.why_unchecked)
    if result.ledger is not None:
        for a in result.ledger.assumptions:
            outcome = results.get(a.id) or CheckResult(status="unchecked", why=missing.get(a.id))
            covers = [m.id for m in result.mined if m.declared_by == a.id]
            result.declared.append(DeclaredOutcome(assumption=a, result=outcome, covers=covers))


@contextlib.contextmanager
def _probes(inputs: Inputs, needed: bool) -> Iterator[ProbeRunner | None]:
    if not needed or inputs.store is None:
        yield None
        return
    cfg = inputs.config
    with revision_tree(inputs.git, inputs.head) as tree:
        roots = [tree / r for r in cfg.source_roots if (tree / r).is_dir()]
        yield ProbeRunner(
            [*(roots or [tree]), builtin.FOLDER],
            cwd=tree,
            python=cfg.probe_python,
            timeout=cfg.probe_timeout,
            workers=cfg.probe_workers,
        )
