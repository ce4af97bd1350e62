"""Function replay: recorded calls through the base and the head, each in its own worker processes.

Three pools run side by side: the head, the base, and (to measure noise) the base again. Samples
stream from the corpus in batches; every pool gets every batch; outcomes are compared per sample
as the batches come back, so memory stays flat however large the corpus is.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.core.config.replay import ReplayConfig
from realitycheck.core.events import Events
from realitycheck.corpus.store import Corpus
from realitycheck.replay import values
from realitycheck.replay.compare import (
    Comparator,
    comparator_for,
    compare_outcomes,
    head_failures,
    recorded_status,
)
from realitycheck.replay.executor import Backend, Pool, PoolSpec, Ticket
from realitycheck.replay.model import Baseline, TargetReplay
from realitycheck.replay.noise import Thresholds
from realitycheck.replay.preflight import failure, preflight_error, recorded_names
from realitycheck.replay.tally import Tally
from realitycheck.replay.targets import callable_name, function_name
from realitycheck.replay.worker import Item, Result

SAMPLE_CONTEXT_LIMIT = 2000  # per-sample coverage contexts up to this many samples (auto)
PREFLIGHT_SAMPLES = 20  # recorded inputs checked against the signature before the batch
Row = tuple[str, str, str | None]


@dataclass
class Revision:
    """A materialised revision and the source roots inside it."""

    tree: Path
    roots: tuple[str, ...]


@dataclass
class FunctionReplay:
    """What function replay produced: per-target results and the head's measured lines."""

    targets: list[TargetReplay] = field(default_factory=list)
    coverage: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    coverage_mode: str | None = None
    diverged: dict[str, set[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read_rows(corpus: Corpus, target: str, limit: int | None, batch: int) -> Iterator[list[Row]]:
    """(id, input JSON, output JSON) of a target's samples, in batches, in recording order."""
    con = corpus.connect()
    sql = "SELECT id, input, output FROM samples WHERE target = ?"
    params: list[Any] = [target]
    if limit is not None:
        sql += " ORDER BY hash(id), id LIMIT ?"
        params.append(limit)
    else:
        sql += " ORDER BY recorded_at, id"
    cur = con.execute(sql, params)
    while rows := cur.fetchmany(batch):
        yield [(str(r[0]), str(r[1]), r[2]) for r in rows]


def coverage_mode(config: ReplayConfig, total_samples: int) -> str | None:
    """None (not measured), "target" or "sample" contexts for the head's coverage."""
    if not config.coverage:
        return None
    if config.coverage_contexts == "auto":
        return "sample" if total_samples <= SAMPLE_CONTEXT_LIMIT else "target"
    return config.coverage_contexts


def replay_functions(
    corpus: Corpus,
    targets: Sequence[str],
    base: Revision | None,
    head: Revision,
    config: ReplayConfig,
    backend: Backend,
    *,
    expected: Sequence[ExpectedChange] = (),
    comparator_roots: Sequence[Path] = (),
    events: Events | None = None,
) -> FunctionReplay:
    """Replay each function target's samples through base and head and judge the divergences."""
    events = events or Events()
    names = [function_name(t) for t in targets]
    counts = {t: _count(corpus, t, _limit(config, t)) for t in names}
    run = FunctionReplay(coverage_mode=coverage_mode(config, sum(counts.values())))
    if not any(counts.values()):
        run.targets = [_empty(t, config, "no recorded samples") for t in names]
        return run
    blob_root = corpus.root.resolve() / "blobs"
    roles: dict[str, Revision] = {"head": head}
    if base is not None:
        roles["base"] = base
        if config.noise:
            roles["base-2"] = base
    pools: dict[str, Pool] = {}
    try:
        size = backend.pool_size(len(roles), config.workers)
        for role, rev in roles.items():
            spec = PoolSpec(
                name=role,
                tree=rev.tree,
                roots=rev.roots,
                timeout=config.timeout,
                import_timeout=config.import_timeout,
                blob_root=blob_root,
                coverage=run.coverage_mode if role == "head" else None,
            )
            pools[role] = Pool(backend, spec, size)
        for target in names:
            if not counts[target]:
                run.targets.append(_empty(target, config, "no recorded samples"))
                continue
            settings = config.function(target)
            compare = comparator_for(settings.comparator, settings.text_threshold, comparator_roots)
            result = _replay_target(corpus, target, counts[target], pools, config, compare, events)
            replayed = result.finish(config, expected)
            run.targets.append(replayed)
            reported = {(d.path, d.category) for d in replayed.reported}
            run.diverged[target] = {
                sample for sample, keys in result.tally.by_sample.items() if keys & reported
            }
    finally:
        for role, pool in pools.items():
            measured = pool.close()
            if role == "head":
                run.coverage = measured
    return run


def _limit(config: ReplayConfig, target: str) -> int | None:
    return config.function(target).max_samples or config.max_samples


def _count(corpus: Corpus, target: str, limit: int | None) -> int:
    n = corpus.count(target)
    return min(n, limit) if limit is not None else n


def _empty(target: str, config: ReplayConfig, why: str) -> TargetReplay:
    return TargetReplay(
        target=target, kind="function", comparator=config.function(target).comparator, error=why
    )


@dataclass
class _TargetRun:
    tally: Tally
    note: str | None = None
    restarts: int = 0
    error: str | None = None

    def finish(self, config: ReplayConfig, expected: Sequence[ExpectedChange]) -> TargetReplay:
        thresholds = Thresholds(config.relative_threshold, config.absolute_threshold)
        result = self.tally.result(thresholds, expected)
        result.note = self.note
        result.restarts = self.restarts
        result.error = self.error
        return result


def _replay_target(
    corpus: Corpus,
    target: str,
    count: int,
    pools: dict[str, Pool],
    config: ReplayConfig,
    compare: Comparator,
    events: Events,
) -> _TargetRun:
    settings = config.function(target)
    name = callable_name(target)
    first = next(read_rows(corpus, target, PREFLIGHT_SAMPLES, PREFLIGHT_SAMPLES), [])
    inputs = [row[1] for row in first]
    head_state, head_why = pools["head"].probe(name, inputs)
    base_state, base_why = ("absent", "")
    if "base" in pools:
        base_state, base_why = pools["base"].probe(name, inputs)
    failed = preflight_error(name, (head_state, head_why), (base_state, base_why))
    if failed is not None:
        if head_state == "signature":
            failed += f" (recorded arguments: {recorded_names(inputs)})"
        tally = Tally(target, "function", settings.comparator, "none")
        for _ in range(count):
            tally.skip("not run: the target failed its pre-flight")
        return _TargetRun(tally, error=failed)
    baseline: Baseline = "base"
    note = None
    active = dict(pools)
    if base_state == "missing":
        baseline = "recorded"
        note = f"new in the head ({base_why}); compared with the recorded outputs"
        active = {"head": pools["head"]}
    elif base_state == "absent":
        baseline = "recorded"
        note = "no base revision; compared with the recorded outputs"
    tally = Tally(
        target,
        "function",
        settings.comparator,
        baseline,
        noise_measured="base-2" in active,
        ignore=[*config.ignore, *settings.ignore],
    )
    restarts_before = sum(p.restarts for p in pools.values())
    window = 2 * max(len(p.slots) for p in active.values())
    pending: deque[tuple[list[Row], dict[str, Ticket]]] = deque()
    seen_recorded = False
    with events.task(f"replay {target}", total=count) as task:
        for rows in read_rows(corpus, target, _limit(config, target), config.batch_size):
            items: list[Item] = [(r[0], r[1]) for r in rows]
            pending.append((rows, {role: p.submit(name, items) for role, p in active.items()}))
            while len(pending) >= window:
                task.advance(len(pending[0][0]))
                seen_recorded |= _settle(pending.popleft(), active, tally, compare)
        while pending:
            task.advance(len(pending[0][0]))
            seen_recorded |= _settle(pending.popleft(), active, tally, compare)
    if baseline == "recorded" and not seen_recorded:
        tally.baseline = "none"
        note = (note or "").replace(
            "compared with the recorded outputs",
            "no recorded outputs either, so only the head's own failures are reported",
        )
    run = _TargetRun(tally, note=note)
    run.restarts = sum(p.restarts for p in pools.values()) - restarts_before
    return run


def _settle(
    entry: tuple[list[Row], dict[str, Ticket]],
    pools: dict[str, Pool],
    tally: Tally,
    compare: Comparator,
) -> bool:
    """Compare one batch's outcomes; True when a recorded output served as the baseline."""
    rows, tickets = entry
    results: dict[str, list[Result]] = {role: pools[role].collect(t) for role, t in tickets.items()}
    head, base, second = results["head"], results.get("base"), results.get("base-2")
    used_recorded = False
    for i, row in enumerate(rows):
        sample_id, _, output = row
        h = head[i]
        if h[1] == "input-error":
            tally.skip(f"cannot read the recorded input ({failure('raised', h[2])})")
            continue
        tally.head_ms.append(h[3])
        if base is not None:
            b = base[i]
            if b[1] == "input-error":
                tally.skip(f"cannot read the recorded input ({failure('raised', b[2])})")
                continue
            tally.base_ms.append(b[3])
            found = compare_outcomes(b[1], b[2], h[1], h[2], compare)
            noise = []
            if second is not None:
                noise = compare_outcomes(b[1], b[2], second[i][1], second[i][2], compare)
            tally.add(sample_id, found, noise, b[2], h[2], errored=failure(b[1], b[2]))
            continue
        recorded = _recorded(output)
        if recorded is None:
            tally.add(sample_id, head_failures(h[1], h[2]), (), "", h[2])
            continue
        used_recorded = True
        status, text = recorded
        found = compare_outcomes(status, text, h[1], h[2], compare)
        tally.add(sample_id, found, (), text, h[2], errored=failure(h[1], h[2]))
    return used_recorded


def _recorded(output: str | None) -> tuple[str, str] | None:
    if not output:
        return None
    try:
        doc = json.loads(output)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    status = recorded_status(doc)
    if status is None:
        return None
    return status, values.canonical({status: doc[status]})
