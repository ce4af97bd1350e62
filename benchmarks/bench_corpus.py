"""Corpus ingest and profile, against DuckDB doing the same work in the same run.

* import: `realitycheck corpus import --format jsonl` of N samples (redaction, hashing, atomic
  segments) versus DuckDB's own `COPY (SELECT * FROM read_json(...)) TO '...parquet'` of the
  same file. Ratio = DuckDB's time / ours (goal: at least 0.5).
* profile: `profile_target` over the largest target versus one hand-written DuckDB aggregate
  query computing present/null/type/distinct/range/length counts for the same paths.
  Ratio = ours / the query (goal: at most 2). A second figure compares with the fastest form
  of that query (all paths extracted at once), for information.
* memory: the peak resident memory of the import (largest process), against 2 GiB.
"""

from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from benchmarks.common import Figure, best_of, workdir

SIZES = {"full": 1_000_000, "quick": 50_000}
TARGETS = ["http:POST /orders", "http:GET /orders/{id}", "http:GET /customers/{id}"]


def generate(path: Path, n: int) -> None:
    """N realistic HTTP samples; about 5% carry an email or a token to redact."""
    rng = random.Random(42)
    with path.open("w") as fh:
        for i in range(n):
            target = TARGETS[i % 3]
            customer: dict[str, object] = {
                "id": rng.randint(1, 50_000),
                "name": f"Customer {rng.randint(1, 5000)}",
                "tier": rng.choice(["gold", "silver", "bronze", None]),
            }
            if rng.random() < 0.05:
                customer["email"] = f"user{i}@example.org"
            body = {
                "customer": customer,
                "items": [
                    {
                        "sku": f"SKU-{rng.randint(1, 999)}",
                        "qty": rng.randint(1, 5),
                        "price": round(rng.random() * 100, 2),
                    }
                    for _ in range(rng.randint(1, 3))
                ],
                "note": rng.choice(["", "leave at door", None]),
            }
            headers = {
                "content-type": "application/json",
                "user-agent": "shop-client/2.3",
                "x-request-id": f"req-{i:08d}",
            }
            if rng.random() < 0.02:
                headers["authorization"] = f"Bearer tok_{rng.getrandbits(64):016x}"
            sample = {
                "target": target,
                "kind": "http",
                "input": {
                    "method": target.split()[0][5:],
                    "path": f"/orders/{i}",
                    "query": {"page": str(i % 7)},
                    "headers": headers,
                    "body": body,
                },
                "output": {
                    "status": rng.choice([200, 201, 400]),
                    "headers": {"content-type": "application/json"},
                    "body": {"ok": True, "order_id": i},
                },
                "duration_ms": round(rng.random() * 50, 3),
                "recorded_at": "2024-05-01T12:00:00+00:00",
                "source": "bench",
            }
            fh.write(json.dumps(sample) + "\n")


def duckdb_copy(src: Path, out: Path) -> None:
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_json('{src}')) TO '{out}' (FORMAT parquet, COMPRESSION zstd)"
    )
    con.close()


def our_import(src: Path, corpus: Path, key: Path) -> tuple[float, float]:
    """Wall time of the CLI import, and the peak RSS (MiB) of its largest process."""
    shutil.rmtree(corpus, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "realitycheck",
            "corpus",
            "import",
            "--format",
            "jsonl",
            str(src),
            "--corpus",
            str(corpus),
            "--key-file",
            str(key),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def reference_query(con: duckdb.DuckDBPyConnection, paths: list[str], target: str) -> None:
    cols = []
    for p in paths:
        e = f"json_extract(input, '{p}')"
        cols += [
            f"count({e})",
            f"count_if(json_type({e}) = 'NULL')",
            f"count_if(json_type({e}) = 'VARCHAR')",
            f"count_if(json_type({e}) = 'BIGINT')",
            f"count(DISTINCT {e})",
            f"min(TRY_CAST({e} AS DOUBLE))",
            f"max(TRY_CAST({e} AS DOUBLE))",
            f"min(length(json_extract_string(input, '{p}')))",
            f"max(length(json_extract_string(input, '{p}')))",
        ]
    con.execute(f"SELECT {', '.join(cols)} FROM samples WHERE target = ?", [target]).fetchall()


def reference_list_query(con: duckdb.DuckDBPyConnection, paths: list[str], target: str) -> None:
    listing = ", ".join(f"'{p}'" for p in paths)
    cols = []
    for i in range(1, len(paths) + 1):
        v = f"v[{i}]"
        cols += [
            f"count({v})",
            f"count_if(json_type({v}) = 'NULL')",
            f"count_if(json_type({v}) = 'VARCHAR')",
            f"count_if(json_type({v}) = 'BIGINT')",
            f"count(DISTINCT {v})",
            f"min(TRY_CAST({v} AS DOUBLE))",
            f"max(TRY_CAST({v} AS DOUBLE))",
            f"min(length(json_extract_string({v}, '$')))",
            f"max(length(json_extract_string({v}, '$')))",
        ]
    con.execute(
        f"SELECT {', '.join(cols)} FROM (SELECT json_extract(input, [{listing}]) AS v "
        "FROM samples WHERE target = ?)",
        [target],
    ).fetchall()


def run(scale: str) -> list[Figure]:
    from realitycheck.corpus.profile import profile_target
    from realitycheck.corpus.redact import load_key
    from realitycheck.corpus.store import Corpus

    n = SIZES[scale]
    work = workdir("corpus")
    src = work / f"samples-{n}.jsonl"
    if not src.exists():
        generate(src, n)
    key = work / "redaction.key"
    load_key(key)
    corpus = work / f"corpus-{n}"
    repeat = 1 if scale == "full" else 2
    reference = best_of(lambda: duckdb_copy(src, work / "duckdb.parquet"), repeat)
    timings = [our_import(src, corpus, key) for _ in range(repeat)]
    ours = min(t for t, _ in timings)
    peak = max(m for _, m in timings)
    store = Corpus(corpus)
    assert store.count() == n, f"imported {store.count()} of {n}"
    target = TARGETS[0]
    profiled = profile_target(store, target)
    paths = [
        p["query_path"] for p in profiled["paths"] if p["part"] == "input" and p["unit"] == "sample"
    ]
    con = store.connect()
    query = best_of(lambda: reference_query(con, paths, target), repeat)
    list_query = best_of(lambda: reference_list_query(con, paths, target), repeat)
    profile = best_of(lambda: profile_target(store, target), repeat)
    size_mib = src.stat().st_size / (1 << 20)
    return [
        Figure(
            name="corpus import vs DuckDB COPY (speed)",
            ratio=reference / ours,
            goal=">= 0.5",
            met=reference / ours >= 0.5,
            detail=f"{n:,} samples ({size_mib:.0f} MiB): ours {ours:.1f}s, DuckDB {reference:.1f}s",
        ),
        Figure(
            name="corpus profile vs one aggregate query",
            ratio=profile / query,
            goal="<= 2.0",
            met=profile / query <= 2.0,
            detail=f"{profiled['samples']:,} samples, {len(profiled['paths'])} paths profiled "
            f"({len(paths)} in the query): ours {profile:.1f}s, query {query:.1f}s",
        ),
        Figure(
            name="corpus profile vs the list-extract query",
            ratio=profile / list_query,
            goal="info",
            met=None,
            detail=f"the same query with all paths extracted at once: {list_query:.1f}s",
        ),
        Figure(
            name="corpus import peak memory / 2 GiB",
            ratio=peak / 2048,
            goal="< 1.0",
            met=peak < 2048,
            detail=f"largest process peaked at {peak:.0f} MiB",
        ),
    ]
