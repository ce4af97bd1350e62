"""Run checks against the corpus: one DuckDB pass for JSON fields, one for probe values."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from realitycheck.assumptions.checks.plan import (
    Check,
    Columns,
    Plan,
    condition_sql,
    direct_value,
    fold,
    plan_probes,
    plan_samples,
)
from realitycheck.assumptions.checks.probes import ProbeFailure, ProbeRunner
from realitycheck.assumptions.checks.results import SampleStore, empty_why, judge, unchecked
from realitycheck.assumptions.checks.sqlexpr import check_expression, macro_sql
from realitycheck.assumptions.jsonpath import locate
from realitycheck.assumptions.model import CheckResult
from realitycheck.core.errors import InputError
from realitycheck.core.events import Events


class CheckRunner:
    """Runs a batch of checks over one corpus."""

    def __init__(
        self,
        store: SampleStore | None,
        *,
        missing_why: str = "no corpus",
        probes: ProbeRunner | None = None,
        probe_limit: int = 5000,
        min_samples: int = 1,
        events: Events | None = None,
    ) -> None:
        self.store = store
        self.missing_why = missing_why
        self.probes = probes
        self.probe_limit = probe_limit
        self.min_samples = min_samples
        self.events = events or Events()

    def run(self, checks: Sequence[Check]) -> dict[str, CheckResult]:
        """A result for every check, keyed by check key."""
        if self.store is None:
            return {c.key: unchecked(self.missing_why) for c in checks}
        counts = self.store.targets()
        results: dict[str, CheckResult] = {}
        ready: list[Check] = []
        for check in checks:
            why = self._precheck(check, counts)
            if why is not None:
                results[check.key] = unchecked(why)
            else:
                ready.append(check)
        con = self.store.connect()
        con.execute("SET enable_progress_bar = false")  # library code never prints
        ready = self._define_macros(con, ready, results)
        plain = [c for c in ready if c.probe is None]
        probed = [c for c in ready if c.probe is not None]
        if plain:
            results |= self._run_plain(con, plain)
        if probed:
            results |= self._run_probed(con, probed)
        return {c.key: results[c.key] for c in checks}

    # -- preparing -------------------------------------------------------------------------

    def _precheck(self, check: Check, counts: dict[str, int]) -> str | None:
        if check.target not in counts:
            known = ", ".join(sorted(counts)[:5]) or "none"
            return f"the corpus has no samples of {check.target} (it has: {known})"
        for path in [check.path, *(c.path for c in check.when)]:
            if path is None:
                continue
            try:
                path.duckdb()
            except InputError as exc:
                return exc.message
        if any(c.path.wildcards for c in check.when):
            return "a `when` condition cannot read a path with [*]"
        if check.probe is not None and self.probes is None:
            return "probes are not available here"
        return None

    def _define_macros(
        self, con: duckdb.DuckDBPyConnection, checks: list[Check], results: dict[str, CheckResult]
    ) -> list[Check]:
        kept: list[Check] = []
        for i, check in enumerate(checks):
            problem = None
            parts: list[tuple[str, Any, str]] = [("expect.sql", check, f"_rc_sql_{i}")]
            parts += [
                (f"when[{j}].expect.sql", c, f"_rc_sql_{i}_{j}") for j, c in enumerate(check.when)
            ]
            for where, holder, name in parts:
                expr = holder.expect.get("sql")
                if expr is None or problem is not None:
                    continue
                problem = check_expression(str(expr))
                if problem is None:
                    holder.macro = name
                    try:
                        con.execute(macro_sql(name, str(expr)))
                    except duckdb.Error as exc:
                        problem = _first_line(exc)
                if problem is not None:
                    problem = f"{where}: {problem}"
            if problem is not None:
                self._bad(check, problem, results)
                continue
            kept.append(check)
        return kept

    def _bad(self, check: Check, problem: str, results: dict[str, CheckResult]) -> None:
        if check.origin is not None:
            raise InputError(
                f"assumption {check.key}: {problem}", path=check.origin[0], line=check.origin[1]
            )
        results[check.key] = unchecked(problem)

    # -- JSON fields -----------------------------------------------------------------------

    def _run_plain(
        self, con: duckdb.DuckDBPyConnection, checks: list[Check]
    ) -> dict[str, CheckResult]:
        out: dict[str, CheckResult] = {}
        with self.events.task(f"checking {len(checks)} assumptions against the corpus"):
            try:
                plan = plan_samples(checks)
                row = _fetch(con, plan)
            except duckdb.Error:
                good: list[Check] = []
                for check in checks:  # find the checks DuckDB refuses, run the rest
                    try:
                        _fetch(con, plan_samples([check]))
                        good.append(check)
                    except duckdb.Error as exc:
                        self._bad(check, _first_line(exc), out)
                if not good:
                    return out
                plan = plan_samples(good)
                row = _fetch(con, plan)
                checks = good
        for check in checks:
            out[check.key] = self._result(check, plan.columns[check.key], row)
        return out

    def _result(self, check: Check, cols: Columns, row: dict[str, Any]) -> CheckResult:
        counts = {}
        if cols.absent:
            counts["absent"] = int(row[cols.absent])
        if cols.null:
            counts["null"] = int(row[cols.null])
        if cols.empty:
            counts["no_value"] = int(row[cols.empty])
        return judge(
            int(row[cols.n]),
            int(row[cols.violations]),
            row[cols.examples] or [],
            mostly=check.mostly,
            min_samples=self.min_samples,
            empty_why=empty_why(check),
            counts=counts,
        )

    # -- probes ----------------------------------------------------------------------------

    def _run_probed(
        self, con: duckdb.DuckDBPyConnection, checks: list[Check]
    ) -> dict[str, CheckResult]:
        assert self.probes is not None and self.store is not None
        out: dict[str, CheckResult] = {}
        rows: dict[str, list[Any]] = {"key": [], "id": [], "value": []}
        errors: dict[str, tuple[int, int, str]] = {}
        done: dict[tuple[str, str, str, str], list[Any]] = {}
        for check in checks:
            spec = (str(check.probe), check.target, str(check.path or "$"), repr(check.when))
            if spec not in done:
                try:
                    done[spec] = self._probe(con, check)
                except ProbeFailure as exc:
                    out[check.key] = unchecked(f"the probe {check.probe} could not run: {exc}")
                    continue
            outcomes = done[spec]
            failed = [o for o in outcomes if o.error is not None]
            if outcomes and len(failed) == len(outcomes):
                out[check.key] = unchecked(
                    f"the probe {check.probe} failed on all {len(outcomes)} samples: "
                    f"{failed[0].error}"
                )
                continue
            errors[check.key] = (len(failed), len(outcomes), failed[0].error if failed else "")
            for o in outcomes:
                if o.error is None:
                    rows["key"].append(check.key)
                    rows["id"].append(o.sample_id)
                    rows["value"].append(json.dumps(o.value))
        live = [c for c in checks if c.key not in out]
        if not live:
            return out
        con.register("_probe_rows", pa.table(rows, schema=_PROBE_SCHEMA))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _probe AS "
            "SELECT key, id, value::JSON AS value FROM _probe_rows"
        )
        plan = plan_probes(live)
        row = _fetch(con, plan)
        for check in live:
            result = self._result(check, plan.columns[check.key], row)
            n_failed, _total, first = errors.get(check.key, (0, 0, ""))
            if n_failed:
                result.counts["probe_errors"] = n_failed
                if result.status == "unchecked":
                    result.why = (result.why or "") + f"; the probe failed on {n_failed}: {first}"
            out[check.key] = result
        return out

    def _probe(self, con: duckdb.DuckDBPyConnection, check: Check) -> list[Any]:
        assert self.probes is not None and self.store is not None
        if check.path is None:
            select = (
                "json_object('id', id, 'target', target, 'input', input::JSON, "
                "'output', output::JSON)"
            )
            params: list[Any] = [check.target]
        else:
            column, path = locate(check.path)
            select = f"json_extract({column}, ?)"
            params = [path.duckdb(), check.target]
        when = "".join(f" AND {condition_sql(c, direct_value)}" for c in check.when)
        sql = (
            f"SELECT id, {select} FROM samples WHERE target = ?{when} "
            f"ORDER BY id LIMIT {int(self.probe_limit)}"
        )
        items = [
            (str(i), json.loads(v) if v is not None else None)
            for i, v in con.execute(sql, params).fetchall()
        ]
        with self.events.task(f"probe {check.probe} on {check.target}", total=len(items)) as task:
            return self.probes.run(str(check.probe), items, self.store.blobs.get, task.advance)


_PROBE_SCHEMA = pa.schema([("key", pa.string()), ("id", pa.string()), ("value", pa.string())])


def _fetch(con: duckdb.DuckDBPyConnection, plan: Plan) -> dict[str, Any]:
    return fold(con.execute(plan.sql).fetchall(), len(plan.columns))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
