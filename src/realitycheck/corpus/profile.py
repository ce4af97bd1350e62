"""`corpus profile`: for every JSON path of a target's inputs and outputs, what the data holds.

For each path: how often it is present, absent or null (never conflated), each JSON type
counted separately, distinct values, the most common values, numeric ranges, string lengths,
and common formats (uuid, email, date, url, base64), with Wilson 95% intervals for the rates.
The work is done in DuckDB: one pass discovers the paths (`json_group_structure`), one pass
extracts them all, and the statistics are aggregates over the extracted values.

A path outside arrays is counted per sample: absent means the path does not resolve (a missing
key or a parent that is missing or null). A path inside arrays (`$.items[*].sku`) is counted
per element of its innermost array.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb

from realitycheck.core.events import Events
from realitycheck.core.stats import rate, wilson_interval
from realitycheck.corpus.redact.paths import format_path
from realitycheck.corpus.store import Corpus

TYPES = {
    "OBJECT": "object",
    "ARRAY": "array",
    "VARCHAR": "string",
    "BIGINT": "integer",
    "UBIGINT": "integer",
    "DOUBLE": "number",
    "BOOLEAN": "boolean",
    "NULL": "null",
}
FORMATS = {
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "email": r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$",
    "date": r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$",
    "url": r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s]+$",
    "base64": r"^[A-Za-z0-9+/]{16,}={0,2}$",
}
TOP = 5
MAX_VALUE_CHARS = 80


@dataclass
class PathSpec:
    """A JSON path to profile: where it sits in the sample and how DuckDB addresses it."""

    part: str  # "input" or "output"
    components: list[str | int]  # "[*]" marks an array element
    sql: str

    @property
    def name(self) -> str:
        """The path as the corpus writes it, e.g. `$.input.items[*].sku`."""
        text = format_path([self.part, *self.components])
        return text.replace("['[*]']", "[*]")

    @property
    def in_array(self) -> bool:
        """Whether the path runs through an array."""
        return "[*]" in self.components

    @property
    def unit_sql(self) -> str:
        """The DuckDB path of the innermost array's elements (the counting unit)."""
        last = max(i for i, c in enumerate(self.components) if c == "[*]")
        return _sql_path(self.components[: last + 1])


@dataclass
class PathProfile:
    """What one path holds."""

    path: str
    unit: str
    n: int
    present: int
    null: int
    part: str = "input"
    query_path: str = "$"
    types: dict[str, int] = field(default_factory=dict)
    distinct: int | None = None
    top: list[dict[str, Any]] = field(default_factory=list)
    numbers: dict[str, float] | None = None
    lengths: dict[str, int] | None = None
    formats: dict[str, int] = field(default_factory=dict)

    @property
    def absent(self) -> int:
        """Units where the path does not resolve."""
        return self.n - self.present

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready profile with rates and Wilson 95% intervals."""

        def share(k: int) -> dict[str, Any]:
            low, high = wilson_interval(k, self.n)
            return {"count": k, "rate": rate(k, self.n), "ci": [low, high]}

        return {
            "path": self.path,
            "part": self.part,
            "query_path": self.query_path,
            "unit": self.unit,
            "n": self.n,
            "present": share(self.present),
            "absent": share(self.absent),
            "null": share(self.null),
            "types": {t: share(k) for t, k in sorted(self.types.items()) if k},
            "distinct": self.distinct,
            "top": self.top,
            "numbers": self.numbers,
            "lengths": self.lengths,
            "formats": {f: share(k) for f, k in self.formats.items() if k},
        }


def _quote(key: str) -> str:
    return '"' + key + '"'


def _sql_path(components: list[str | int]) -> str:
    out = "$"
    for comp in components:
        out += "[*]" if comp == "[*]" else "." + _quote(str(comp))
    return out


def paths_from_structure(
    structure: Any, part: str, prefix: list[str | int] | None = None
) -> Iterator[PathSpec]:
    """Every path in a `json_group_structure` result (mixed-type paths are yielded as-is)."""
    prefix = prefix or []
    if isinstance(structure, dict):
        for key, sub in structure.items():
            if '"' in key:
                continue  # DuckDB cannot address keys holding a double quote
            comps = [*prefix, key]
            yield PathSpec(part, comps, _sql_path(comps))
            yield from paths_from_structure(sub, part, comps)
    elif isinstance(structure, list) and structure:
        comps = [*prefix, "[*]"]
        yield PathSpec(part, comps, _sql_path(comps))
        yield from paths_from_structure(structure[0], part, comps)


NUMERIC = "('BIGINT', 'UBIGINT', 'DOUBLE')"


def _derived(value: str, i: int) -> list[str]:
    """Per-row columns computed once per path: the value, its type, its text, its number."""
    t = f"json_type({value})"
    return [
        f"{value} AS v{i}",
        f"{t} AS t{i}",
        f"CASE WHEN {t} = 'VARCHAR' THEN json_extract_string({value}, '$') END AS s{i}",
        f"CASE WHEN {t} IN {NUMERIC} THEN TRY_CAST({value} AS DOUBLE) END AS d{i}",
    ]


def _stats(i: int) -> list[str]:
    """Aggregate expressions over the derived columns of path `i`."""
    v, t, s, d = f"v{i}", f"t{i}", f"s{i}", f"d{i}"
    out = [f"count({v})", f"count_if({t} = 'NULL')"]
    out += [f"count_if({t} = '{k}')" for k in TYPES]
    out += [
        f"count(DISTINCT {v})",
        f"min({d})",
        f"max({d})",
        f"min(length({s}))",
        f"max(length({s}))",
    ]
    out += [f"count_if({_format_test(name, s)})" for name in FORMATS]
    return out


def _format_test(name: str, s: str) -> str:
    test = f"regexp_full_match({s}, '{FORMATS[name]}')"
    if name == "base64":  # plain words are valid base64 too: ask for digits and mixed case
        test += (
            f" AND length({s}) % 4 = 0 AND regexp_matches({s}, '[0-9+/=]')"
            f" AND regexp_matches({s}, '[a-z]') AND regexp_matches({s}, '[A-Z]')"
        )
    return test


def _from_row(spec: PathSpec, unit: str, n: int, row: list[Any]) -> PathProfile:
    present, null = int(row[0]), int(row[1])
    types: dict[str, int] = {}
    for i, raw in enumerate(TYPES):
        name = TYPES[raw]
        types[name] = types.get(name, 0) + int(row[2 + i] or 0)
    k = 2 + len(TYPES)
    distinct, nmin, nmax, lmin, lmax = row[k : k + 5]
    formats = dict(zip(FORMATS, (int(v or 0) for v in row[k + 5 :]), strict=True))
    return PathProfile(
        path=spec.name,
        part=spec.part,
        query_path=spec.sql,
        unit=unit,
        n=n,
        present=present,
        null=null,
        types=types,
        distinct=int(distinct) if distinct is not None else None,
        numbers={"min": nmin, "max": nmax} if nmin is not None else None,
        lengths={"min": int(lmin), "max": int(lmax)} if lmin is not None else None,
        formats=formats,
    )


def discover(con: duckdb.DuckDBPyConnection, part: str) -> list[PathSpec]:
    """The paths of `input` or `output` in the table `rows`, through mixed-type paths too."""
    row = con.execute(f"SELECT json_group_structure({part}) FROM rows").fetchone()
    if row is None or row[0] is None:
        return []
    specs = list(paths_from_structure(json.loads(row[0]), part))
    mixed = [s for s in list(specs) if not s.in_array and _structure_at(row[0], s) == "JSON"]
    for spec in mixed:  # a path that is an object in some samples and a scalar in others
        sub = con.execute(
            f"SELECT json_group_structure(v) FROM (SELECT json_extract({part}, ?) AS v FROM rows) "
            "WHERE json_type(v) IN ('OBJECT', 'ARRAY')",
            [spec.sql],
        ).fetchone()
        if sub and sub[0] is not None:
            specs += list(paths_from_structure(json.loads(sub[0]), part, spec.components))
    return specs


def _structure_at(structure_text: str, spec: PathSpec) -> Any:
    node: Any = json.loads(structure_text)
    for comp in spec.components:
        node = node.get(comp) if isinstance(node, dict) else None
    return node


def profile_target(
    corpus: Corpus, target: str, *, events: Events | None = None, top: int = TOP
) -> dict[str, Any]:
    """The profile of every input and output path of one target."""
    events = events or Events()
    con = corpus.connect()
    con.execute(
        "CREATE TEMP TABLE rows AS SELECT input::JSON AS input, output::JSON AS output "
        "FROM samples WHERE target = ?",
        [target],
    )
    row = con.execute("SELECT count(*) FROM rows").fetchone()
    n = int(row[0]) if row else 0
    if n == 0:
        return {"target": target, "samples": 0, "paths": []}
    with events.task(f"profiling {target}", total=4) as task:
        specs = discover(con, "input") + discover(con, "output")
        task.advance()
        plain = [s for s in specs if not s.in_array]
        arrays = [s for s in specs if s.in_array]
        profiles = _profile_plain(con, plain, n, top)
        task.advance()
        profiles += _profile_arrays(con, arrays, top)
        task.advance()
        order = {s.name: i for i, s in enumerate(specs)}
        profiles.sort(key=lambda p: order.get(p.path, 0))
        task.advance()
    return {"target": target, "samples": n, "paths": [p.as_dict() for p in profiles]}


def _profile_plain(
    con: duckdb.DuckDBPyConnection, specs: list[PathSpec], n: int, top: int
) -> list[PathProfile]:
    if not specs:
        return []
    columns = []
    for part in ("input", "output"):
        mine = [s for s in specs if s.part == part]
        if mine:
            listing = ", ".join("'" + s.sql.replace("'", "''") + "'" for s in mine)
            columns.append(f"json_extract({part}, [{listing}]) AS {part}_v")
    con.execute(f"CREATE TEMP TABLE vals AS SELECT {', '.join(columns)} FROM rows")
    index = {"input": 0, "output": 0}
    refs: list[str] = []
    for spec in specs:
        index[spec.part] += 1
        refs.append(f"{spec.part}_v[{index[spec.part]}]")
    derived = [c for i, ref in enumerate(refs) for c in _derived(ref, i)]
    exprs = [e for i in range(len(refs)) for e in _stats(i)]
    query = f"SELECT {', '.join(exprs)} FROM (SELECT {', '.join(derived)} FROM vals)"
    row: Any = con.execute(query).fetchone() or []
    width = len(exprs) // len(specs)
    profiles = [
        _from_row(spec, "sample", n, list(row[i * width : (i + 1) * width]))
        for i, spec in enumerate(specs)
    ]
    tops = _top_values(con, refs, top)
    for i, prof in enumerate(profiles):
        prof.top = tops.get(i, [])
    return profiles


def _top_values(
    con: duckdb.DuckDBPyConnection, refs: list[str], top: int
) -> dict[int, list[dict[str, Any]]]:
    """The most common scalar values of each extracted column."""
    if not refs or top <= 0:
        return {}
    cases = " ".join(f"WHEN {i} THEN {ref}" for i, ref in enumerate(refs))
    rows = con.execute(
        f"""
        WITH v AS (
            SELECT i, CASE i {cases} END AS value
            FROM vals, range({len(refs)}) r(i)
        ), counted AS (
            SELECT i, value, count(*) AS c FROM v
            WHERE value IS NOT NULL AND json_type(value) NOT IN ('OBJECT', 'ARRAY')
            GROUP BY i, value
        )
        SELECT i, value, c FROM counted
        QUALIFY row_number() OVER (PARTITION BY i ORDER BY c DESC, value) <= {top}
        ORDER BY i, c DESC, value
        """
    ).fetchall()
    out: dict[int, list[dict[str, Any]]] = {}
    for i, value, count in rows:
        out.setdefault(int(i), []).append({"value": _short(value), "count": int(count)})
    return out


def _short(value: str) -> Any:
    parsed = json.loads(value)
    if isinstance(parsed, str) and len(parsed) > MAX_VALUE_CHARS:
        return parsed[: MAX_VALUE_CHARS - 1] + "…"
    return parsed


def _profile_arrays(
    con: duckdb.DuckDBPyConnection, specs: list[PathSpec], top: int
) -> list[PathProfile]:
    profiles = []
    for spec in specs:
        units = con.execute(
            f"SELECT coalesce(sum(len(json_extract({spec.part}, ?))), 0) FROM rows",
            [spec.unit_sql],
        ).fetchone()
        n = int(units[0]) if units else 0
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE vals AS SELECT unnest(json_extract({spec.part}, ?)) "
            "AS x FROM rows",
            [spec.sql],
        )
        row = con.execute(
            f"SELECT {', '.join(_stats(0))} FROM (SELECT {', '.join(_derived('x', 0))} FROM vals)"
        ).fetchone()
        prof = _from_row(spec, "element", n, list(row or []))
        prof.top = _top_values(con, ["x"], top).get(0, [])
        profiles.append(prof)
    return profiles
