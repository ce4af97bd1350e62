"""Assumption checks over a large corpus, and mining over a large real diff.

Checks: 1,000,000 recorded webhook samples at full scale (50,000 quick), pull_request deliveries
shaped like GitHub's (about 3 KB of JSON each; real ones are larger), written once as Parquet
segments under benchmarks/.work, and 20 checks on nested paths (present, not_null, type, in,
range, matches, max_length). Three ways to get the same numbers, timed side by side:

- realitycheck: `CheckRunner.run`, which compiles every check into one DuckDB pass that parses
  each sample once;
- by hand: the same checks written as one DuckDB query over the same Parquet files, each
  check with its own `json_extract` calls (what a careful person writes);
- plain Python: a loop over the decoded samples (pyarrow reads the column, `json.loads`
  decodes each sample, dictionary look-ups evaluate the checks).

The peak memory of a check run is measured in a child process that does nothing else.

Mining: the last 200 commits of a real project's history (pallets/flask), as one diff and as
200 single-commit diffs, against `ast.parse` of the same changed files. Put a clone at
benchmarks/.work/assumptions/flask first (`git clone https://github.com/pallets/flask`); the
figure is reported as not run without it.
"""

from __future__ import annotations

import ast
import itertools
import json
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.common import Figure, best_of, workdir
from realitycheck.assumptions.checks.plan import Check
from realitycheck.assumptions.checks.run import CheckRunner
from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.core.config.assumptions import AssumptionsConfig
from realitycheck.core.git import Git
from realitycheck.corpus.model import input_hash
from realitycheck.corpus.store import SCHEMA, Corpus

SIZES = {"full": 1_000_000, "quick": 50_000}
SEGMENT = 100_000
RECORDED = datetime(2024, 6, 1, tzinfo=timezone.utc)
FORMAT_VERSION = 4  # bump when the samples change (3: GitHub-shaped, ~3 KB; 4: row groups)
TARGET = "fn:hooks:handle"
P = "$.args.payload."
CHECKS: list[tuple[str, dict[str, Any]]] = [
    ("pull_request.head.repo", {"present": True}),
    ("pull_request.head.repo", {"not_null": True}),
    ("pull_request.user.login", {"present": True}),
    ("pull_request.title", {"type": "string"}),
    ("action", {"in": ["opened", "closed", "synchronize", "reopened"]}),
    ("pull_request.state", {"in": ["open", "closed"]}),
    ("pull_request.additions", {"range": {"min": 0, "max": 10000}}),
    ("pull_request.head.sha", {"matches": "^[0-9a-f]{40}$"}),
    ("pull_request.title", {"max_length": 80}),
    ("number", {"type": "integer"}),
    ("pull_request.head.repo.full_name", {"not_null": True}),
    ("pull_request.draft", {"type": "boolean"}),
    ("pull_request.user.type", {"in": ["User", "Bot"]}),
    ("repository.full_name", {"present": True}),
    ("repository.stargazers_count", {"range": {"min": 0}}),
    ("sender.login", {"not_null": True}),
    ("pull_request.created_at", {"matches": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T"}),
    ("pull_request.labels", {"max_length": 5}),
    ("pull_request.head.repo.private", {"type": "boolean"}),
    ("pull_request.base.ref", {"present": True}),
]


# -- the corpus --------------------------------------------------------------------------------


def _user(rng: random.Random) -> dict[str, Any]:
    """A GitHub user object (the fields webhooks carry, shortened URLs)."""
    login = f"dev{rng.randrange(5000)}"
    user: dict[str, Any] = {
        "login": login,
        "id": rng.randrange(10**7),
        "node_id": f"MDQ6VXNlcj{rng.getrandbits(40):x}",
        "avatar_url": f"https://avatars.example.com/u/{rng.randrange(10**7)}?v=4",
        "gravatar_id": "",
        "url": f"https://api.example.com/users/{login}",
        "html_url": f"https://example.com/{login}",
        "followers_url": f"https://api.example.com/users/{login}/followers",
        "repos_url": f"https://api.example.com/users/{login}/repos",
        "type": "Bot" if rng.random() < 0.05 else "User",
        "site_admin": False,
    }
    if rng.random() < 0.01:
        del user["login"]
    return user


def _repo(rng: random.Random, name: str) -> dict[str, Any]:
    """A GitHub repository object (a subset of its ~90 fields)."""
    return {
        "id": rng.randrange(10**8),
        "node_id": f"MDEwOlJlcG9zaXRvcnk{rng.getrandbits(40):x}",
        "name": name.split("/")[1],
        "full_name": name,
        "private": rng.random() < 0.2,
        "owner": {"login": name.split("/")[0], "id": rng.randrange(10**7), "type": "Organization"},
        "html_url": f"https://example.com/{name}",
        "description": rng.choice([None, "A service", "Tools for the team", "Docs"]),
        "fork": rng.random() < 0.3,
        "url": f"https://api.example.com/repos/{name}",
        "created_at": "2019-05-14T09:12:44Z",
        "updated_at": "2024-06-01T10:00:00Z",
        "pushed_at": "2024-06-01T10:00:00Z",
        "homepage": None,
        "size": rng.randrange(10**6),
        "stargazers_count": rng.randrange(-1, 9000),
        "watchers_count": rng.randrange(9000),
        "language": rng.choice(["Python", "Go", "TypeScript", None]),
        "has_issues": True,
        "has_wiki": False,
        "forks_count": rng.randrange(500),
        "open_issues_count": rng.randrange(300),
        "default_branch": "main",
        "topics": [f"t{k}" for k in range(rng.randrange(0, 5))],
        "visibility": "public",
    }


def _payload(rng: random.Random, i: int) -> dict[str, Any]:
    """A pull_request webhook delivery, shaped like GitHub's (about 3 KB of JSON)."""
    fork_gone = rng.random() < 0.03
    head_repo = (
        None if fork_gone else _repo(rng, f"org{rng.randrange(500)}/repo{rng.randrange(50)}")
    )
    pr: dict[str, Any] = {
        "url": f"https://api.example.com/repos/org/main/pulls/{i}",
        "id": 10**6 + i,
        "number": i,
        "state": rng.choice(["open", "closed"]),
        "locked": False,
        "title": "Fix "
        + " ".join(
            rng.choice(["parser", "cache", "docs", "tests"]) for _ in range(rng.randrange(1, 14))
        ),
        "user": _user(rng),
        "body": rng.choice([None, "Fixes the thing.", "See the linked issue for details."]),
        "created_at": f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T10:00:00Z",
        "updated_at": "2024-06-01T10:00:00Z",
        "merged_at": None,
        "labels": [{"name": f"l{k}", "color": "ededed"} for k in range(rng.randrange(0, 8))],
        "draft": rng.random() < 0.1,
        "head": {
            "label": f"org:feature-{i}",
            "ref": f"feature-{i}",
            "sha": f"{rng.getrandbits(160):040x}",
            "repo": head_repo,
        },
        "base": {
            "label": "org:main",
            "ref": "main",
            "sha": f"{rng.getrandbits(160):040x}",
            "repo": {"full_name": "org/main", "id": 7},
        },
        "author_association": rng.choice(["MEMBER", "CONTRIBUTOR", "NONE"]),
        "merged": False,
        "comments": rng.randrange(20),
        "commits": rng.randrange(1, 30),
        "additions": rng.randrange(-2, 12000),
        "deletions": rng.randrange(5000),
        "changed_files": rng.randrange(1, 80),
    }
    return {
        "action": rng.choice(["opened", "closed", "synchronize", "reopened", "labeled"]),
        "number": i,
        "pull_request": pr,
        "repository": _repo(rng, "org/main"),
        "sender": {**_user(rng), "login": None} if rng.random() < 0.002 else _user(rng),
    }


def corpus(n: int) -> Corpus:
    """The benchmark corpus with n samples, generated once."""
    folder = workdir("assumptions") / f"corpus-{n}-v{FORMAT_VERSION}"
    store = Corpus(folder, create=True)
    if store.count() == n:
        return store
    for old in store.segment_paths():
        old.unlink()
    rng = random.Random(20240601)
    for start in range(0, n, SEGMENT):
        rows: dict[str, list[Any]] = {f.name: [] for f in SCHEMA}
        for i in range(start, min(n, start + SEGMENT)):
            data = {"args": {"payload": _payload(rng, i)}}
            rows["id"].append(f"s{i:08d}")
            rows["input_hash"].append(input_hash(TARGET, data))
            rows["target"].append(TARGET)
            rows["kind"].append("function")
            rows["input"].append(json.dumps(data))
            rows["output"].append(None)
            rows["duration_ms"].append(1.0)
            rows["recorded_at"].append(RECORDED + timedelta(seconds=i))
            rows["source"].append("bench")
            rows["tags"].append("[]")
            rows["redactions"].append("[]")
        store.write_table(pa.table(rows, schema=SCHEMA))
    return store


def checks() -> list[Check]:
    return [
        Check(f"c{i}", TARGET, expect, JsonPath.parse(P + path))
        for i, (path, expect) in enumerate(CHECKS)
    ]


# -- the references ----------------------------------------------------------------------------


def _hand_sql(paths: list[Path]) -> str:
    def j(path: str) -> str:
        return f"json_extract(input, '{P}{path}')"

    def s(path: str) -> str:
        return f"json_extract_string(input, '{P}{path}')"

    def t(path: str) -> str:
        return f"json_type(input, '{P}{path}')"

    parts: list[str] = []
    for i, (path, expect) in enumerate(CHECKS):
        parent = path.rpartition(".")[0]
        if "present" in expect or "not_null" in expect:
            scope = f"{t(parent)} = 'OBJECT'" if parent else "true"
            bad = f"{j(path)} IS NULL" + (f" OR {t(path)} = 'NULL'" if "not_null" in expect else "")
        else:
            scope = f"{t(path)} NOT IN ('NULL') AND {j(path)} IS NOT NULL"
            key, spec = next(iter(expect.items()))
            if key == "type":
                allowed = {
                    "string": "('VARCHAR')",
                    "integer": "('BIGINT', 'UBIGINT')",
                    "boolean": "('BOOLEAN')",
                }[spec]
                bad = f"{t(path)} NOT IN {allowed}"
            elif key == "in":
                bad = f"{s(path)} NOT IN ({', '.join(repr(v) for v in spec)})"
            elif key == "range":
                num = f"TRY_CAST({j(path)} AS DOUBLE)"
                bad = " OR ".join(
                    [f"{num} IS NULL"]
                    + ([f"{num} < {spec['min']}"] if "min" in spec else [])
                    + ([f"{num} > {spec['max']}"] if "max" in spec else [])
                )
            elif key == "matches":
                bad = f"NOT regexp_matches({s(path)}, '{spec}')"
            else:
                bad = (
                    f"CASE {t(path)} WHEN 'ARRAY' THEN json_array_length({j(path)}) > {spec} "
                    f"ELSE length({s(path)}) > {spec} END"
                )
        parts.append(f"count(*) FILTER (WHERE {scope}) AS n{i}")
        parts.append(f"count(*) FILTER (WHERE ({scope}) AND ({bad})) AS v{i}")
    files = ", ".join(f"'{p}'" for p in paths)
    return f"SELECT {', '.join(parts)} FROM read_parquet([{files}]) WHERE target = '{TARGET}'"


def by_hand(store: Corpus) -> list[int]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    row = con.execute(_hand_sql(store.segment_paths())).fetchone()
    return list(row or [])


def _get(doc: Any, parts: list[str]) -> tuple[bool, Any, Any]:
    parent = doc
    for key in parts[:-1]:
        parent = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(parent, dict):
        return False, None, None
    return True, parent, parent.get(parts[-1], _MISSING)


_MISSING = object()


def lean_docs(store: Corpus) -> Iterator[Any]:
    """Each sample's input, decoded the leanest way: pyarrow reads the column, json.loads."""
    for segment in store.segment_paths():
        for batch in pq.ParquetFile(segment).iter_batches(columns=["target", "input"]):
            targets, texts = batch.column(0).to_pylist(), batch.column(1).to_pylist()
            for target, text in zip(targets, texts, strict=True):
                if target == TARGET:
                    yield json.loads(text)


def sample_docs(store: Corpus) -> Iterator[Any]:
    """Each sample's input, from the library's decoded samples (`Corpus.iter_samples`)."""
    for sample in store.iter_samples(TARGET):
        yield sample.input


def plain_python(docs: Iterable[Any]) -> list[int]:
    """The same counts, looping over decoded samples."""
    compiled = [(("args.payload." + path).split("."), expect) for path, expect in CHECKS]
    patterns = {i: re.compile(e["matches"]) for i, (_, e) in enumerate(CHECKS) if "matches" in e}
    counts = [0] * (2 * len(CHECKS))
    for doc in docs:
        for i, (parts, expect) in enumerate(compiled):
            has_parent, _, value = _get(doc, parts)
            if "present" in expect or "not_null" in expect:
                if not has_parent:
                    continue
                counts[2 * i] += 1
                counts[2 * i + 1] += value is _MISSING or ("not_null" in expect and value is None)
                continue
            if value is _MISSING or value is None:
                continue
            counts[2 * i] += 1
            key, spec = next(iter(expect.items()))
            if key == "type":
                ok = {
                    "string": isinstance(value, str),
                    "boolean": isinstance(value, bool),
                    "integer": isinstance(value, int) and not isinstance(value, bool),
                }[spec]
            elif key == "in":
                ok = value in spec
            elif key == "range":
                ok = isinstance(value, int | float) and spec.get("min", value) <= value <= spec.get(
                    "max", value
                )
            elif key == "matches":
                ok = isinstance(value, str) and patterns[i].search(value) is not None
            else:
                ok = isinstance(value, str | list | dict) and len(value) <= spec
            counts[2 * i + 1] += not ok
    return counts


def _ours(store: Corpus) -> list[int]:
    results = CheckRunner(store).run(checks())
    return [
        x for i in range(len(CHECKS)) for x in (results[f"c{i}"].n, results[f"c{i}"].violations)
    ]


def _peak_memory(n: int) -> float:
    """Peak resident memory (MiB) of a process that only runs the checks.

    Read from /proc/self/status (VmHWM): ru_maxrss would carry over the parent's peak
    through fork and exec.
    """
    code = (
        "import re; from pathlib import Path; "
        "from benchmarks.bench_assumptions import corpus, _ours; "
        f"_ours(corpus({n})); "
        "status = Path('/proc/self/status').read_text(); "
        "print(int(re.search(r'VmHWM:\\s+(\\d+)', status)[1]) / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    return float(out.stdout.strip().splitlines()[-1])


# -- mining --------------------------------------------------------------------------------------


def _mining_figures(scale: str) -> list[Figure]:
    from realitycheck.assumptions.mining.miner import mine
    from realitycheck.assumptions.mining.sources import changed_sources

    root = workdir("assumptions") / "flask"
    if not (root / ".git").exists():
        return [
            Figure(
                "mining: last 200 commits vs ast.parse",
                0.0,
                "report",
                None,
                f"not run: no clone at {root}",
            )
        ]
    git = Git(root)
    count = 200 if scale == "full" else 20
    cfg = AssumptionsConfig()
    shas = git.run("rev-list", "--first-parent", f"-{count + 1}", "HEAD").split()
    out: list[Figure] = []

    sources = changed_sources(git, shas[-1], shas[0], roots=cfg.source_roots, exclude=cfg.exclude)
    lines = sum(len(s.changed) for s in sources)
    mined = best_of(lambda: mine(sources, cfg), 3)
    parsed = best_of(lambda: [ast.parse(s.text) for s in sources], 3)
    found = len(mine(sources, cfg).mined)
    out.append(
        Figure(
            f"mining: {count} commits as one diff / ast.parse",
            mined / parsed,
            "report",
            None,
            f"{len(sources)} files, {lines} changed lines, {found} assumptions; "
            f"mine {mined:.2f}s, parse {parsed:.2f}s",
        )
    )

    per_commit = [
        changed_sources(git, parent, sha, roots=cfg.source_roots, exclude=cfg.exclude)
        for parent, sha in ((b, a) for a, b in itertools.pairwise(shas))
    ]
    start = time.perf_counter()
    total = sum(len(mine(s, cfg).mined) for s in per_commit)
    mined_each = time.perf_counter() - start
    start = time.perf_counter()
    for s in per_commit:
        for f in s:
            ast.parse(f.text)
    parsed_each = time.perf_counter() - start
    files = sum(len(s) for s in per_commit)
    out.append(
        Figure(
            f"mining: {count} single-commit diffs / ast.parse",
            mined_each / max(parsed_each, 1e-9),
            "report",
            None,
            f"{files} changed files, {total} assumptions; mine {mined_each:.2f}s, "
            f"parse {parsed_each:.2f}s",
        )
    )
    return out


def run(scale: str) -> list[Figure]:
    n = SIZES[scale]
    store = corpus(n)
    ours = _ours(store)
    hand = by_hand(store)
    if ours != hand:
        raise AssertionError(f"realitycheck and the hand-written query disagree: {ours} vs {hand}")
    t_ours = best_of(lambda: _ours(store), 3)
    t_hand = best_of(lambda: by_hand(store), 1 if scale == "full" else 3)
    timed: dict[str, float] = {}
    for name, docs in (("lean", lean_docs), ("samples", sample_docs)):
        start = time.perf_counter()
        counts = plain_python(docs(store))
        timed[name] = time.perf_counter() - start
        if counts != ours:
            raise AssertionError(f"realitycheck and plain Python disagree: {ours} vs {counts}")
    peak = _peak_memory(n)
    over_samples, over_lean = timed["samples"] / t_ours, timed["lean"] / t_ours
    threads = store.connect().execute("SELECT current_setting('threads')").fetchone()
    figures = [
        Figure(
            "checks: realitycheck / hand-written DuckDB",
            t_ours / t_hand,
            "<= 1.5",
            t_ours / t_hand <= 1.5,
            f"{n:,} samples, 20 checks, DuckDB on {threads[0] if threads else '?'} threads; "
            f"{t_ours:.2f}s vs {t_hand:.2f}s",
        ),
        Figure(
            "checks: Python over iter_samples / realitycheck",
            over_samples,
            ">= 10",
            over_samples >= 10,
            f"a loop over Corpus.iter_samples(): {timed['samples']:.1f}s vs {t_ours:.2f}s",
        ),
        Figure(
            "checks: leanest Python loop / realitycheck",
            over_lean,
            ">= 10",
            over_lean >= 10,
            f"pyarrow column + json.loads + dict look-ups: {timed['lean']:.1f}s vs {t_ours:.2f}s",
        ),
        Figure("checks: peak memory / 2 GiB", peak / 2048, "< 1", peak < 2048, f"{peak:.0f} MiB"),
    ]
    return figures + _mining_figures(scale)
