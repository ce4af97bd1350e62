"""The bulk JSONL import: worker processes, the column scan, hashes and ids, and its refusals."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realitycheck.core.errors import InputError
from realitycheck.corpus.importers import bulk, import_paths
from realitycheck.corpus.importers.bulk import QUERY, import_jsonl
from realitycheck.corpus.importers.bulkbatch import input_hashes, long_numbers, sample_ids, scan
from realitycheck.corpus.model import input_hash
from realitycheck.corpus.redact import Redactor
from realitycheck.corpus.redact.redactor import anchors_of
from realitycheck.corpus.store import Corpus

from .planted import Planter, requests
from .test_planted import assert_nothing_leaked
from .writers import write_jsonl

KEY = b"k" * 32
ODD = [
    "plain",
    "jane.doe@acme-corp.io",
    "Bearer abcdefghijklmnop0123",
    "naïve café 日本語 ✓",
    'quote " and \\ backslash',
    "tab\tnew\nline\u0007bell",
    "\u2028 line separator",
    "ghp_" + "aB3" * 12,
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC",  # no END line
]


def odd_sample(i: int) -> dict[str, Any]:
    """A sample with something awkward in it: secrets, escapes, big and small numbers."""
    text = ODD[i % len(ODD)]
    return {
        "target": f"fn:m:f{i % 3}",
        "input": {
            "args": {
                "i": i,
                "text": text,
                "nested": {"z": [1.5, -0.0, 10**20, {"b": None, "a": text}], "y": 1e-7},
                "password" if i % 5 == 0 else "note": f"hunter{i}",
            }
        },
        "output": None if i % 4 == 0 else {"return": {"echo": text, "n": i * 2}},
        "tags": ["batch", text] if i % 7 == 0 else [],
        "recorded_at": "2024-05-01T00:00:00Z",
    }


def write(path: Path, samples: list[dict[str, Any]], ascii_only: bool = True) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for sample in samples:
            fh.write(json.dumps(sample, ensure_ascii=ascii_only) + "\n")
    return path


def rows(root: Path) -> list[tuple[Any, ...]]:
    query = (
        "SELECT input_hash, target, kind, input, output, duration_ms, recorded_at, source, "
        "tags, redactions FROM samples ORDER BY input_hash, input"
    )
    out = []
    for row in Corpus(root).connect().execute(query).fetchall():
        parsed = [json.loads(row[i]) if row[i] is not None else None for i in (3, 4, 8, 9)]
        out.append((*row[:3], *parsed[:2], *row[5:8], *parsed[2:]))
    return out


def careful(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise bulk.NeedsCarefulImport

    monkeypatch.setattr(bulk, "_bulk", refuse)


def test_worker_processes_import_what_the_careful_importer_does(
    tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "s.jsonl", [odd_sample(i) for i in range(3000)], ascii_only=False)
    result = import_jsonl(tmp_path / "pool", [path], key_file=key_file, workers=2)
    assert result.imported == result.entries == 3000
    assert result.targets == {"fn:m:f0": 1000, "fn:m:f1": 1000, "fn:m:f2": 1000}
    assert len(result.segments) >= 1 and not list((tmp_path / "pool").rglob(".batch-*"))
    careful(monkeypatch)
    import_jsonl(tmp_path / "careful", [path], key_file=key_file)
    pooled, reference = rows(tmp_path / "pool"), rows(tmp_path / "careful")
    assert pooled == reference
    redacted = [r for r in pooled if r[-1]]
    assert len(redacted) > 1500  # emails, tokens, passwords, private keys
    ids = Corpus(tmp_path / "pool").connect().execute("SELECT id FROM samples").fetchall()
    assert len({i for (i,) in ids}) == 3000
    assert all(re.fullmatch(r"s_[0-9a-f]{20}", i) for (i,) in ids)


def test_planted_secrets_never_leave_the_workers(
    tmp_path: Path, corpus_dir: Path, key_file: Path
) -> None:
    planter = Planter(31)
    path = write_jsonl(requests(planter, 24), tmp_path / "samples.jsonl")
    result = import_jsonl(corpus_dir, [path], key_file=key_file, workers=2, strict=True)
    assert result.imported == 24
    assert_nothing_leaked(planter, corpus_dir, 24)


BAD_FIELDS = [
    ("target", 5),
    ("target", ""),
    ("kind", "rpc"),
    ("input", [1]),
    ("input", "text"),
    ("output", [1]),
    ("output", 3),
    ("duration_ms", "slow"),
    ("duration_ms", True),
    ("recorded_at", "yesterday"),
    ("recorded_at", True),
    ("id", 5),
    ("source", ["a"]),
    ("tags", "x"),
    ("tags", [1]),
    ("redactions", [{"a": 1}]),
]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
def test_a_field_of_the_wrong_type_is_named_by_the_careful_importer(
    field: str, value: object, tmp_path: Path, key_file: Path
) -> None:
    good = {"target": "fn:m:f", "input": {"args": {"x": 1}}}
    path = write(tmp_path / "s.jsonl", [good, {**good, field: value}, good])
    result = import_paths(tmp_path / "c", "jsonl", [path], key_file=key_file)
    assert (result.imported, result.skipped) == (2, 1)
    assert result.problems[0].startswith(f"{path}:2 (entry 1)")


def test_a_line_without_a_target_needs_one_given(tmp_path: Path, key_file: Path) -> None:
    path = write(tmp_path / "s.jsonl", [{"input": {"args": {}}}] * 3)
    with pytest.raises(InputError, match="names no target"):
        import_paths(tmp_path / "c", "jsonl", [path], key_file=key_file)
    given = import_paths(tmp_path / "d", "jsonl", [path], key_file=key_file, target="fn:m:g")
    assert given.imported == 3 and given.targets == {"fn:m:g": 3}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=4),
    max_leaves=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.dictionaries(st.text(max_size=6), json_values, max_size=5), min_size=1))
def test_hashes_of_duckdb_texts_equal_the_model_hash(values: list[dict[str, Any]]) -> None:
    """Whatever DuckDB's JSON text looks like, the hash is `model.input_hash` of the value."""
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / "s.jsonl", [{"target": "fn:m:f", "input": v} for v in values])
        params = [str(path), None, datetime.now(timezone.utc)]
        table = duckdb.connect().sql(QUERY, params=params).to_arrow_table()
    column = table.column("input").combine_chunks()
    inputs = column.to_pylist()
    hashes = input_hashes(["fn:m:f"] * len(inputs), inputs, (), long_numbers(column))
    assert hashes == [input_hash("fn:m:f", json.loads(json.dumps(v))) for v in values]


PIECES = [
    '"a":"x"',
    '"password":"p"',
    '"n":12',
    '"e":"jane@x.io"',
    '"k":"-----BEGIN PRIVATE KEY-----',
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=4), min_size=1, max_size=12))
def test_the_column_scan_misses_no_row_the_prefilter_flags(rows_of: list[list[str]]) -> None:
    redactor = Redactor(KEY)
    texts = ["{" + ",".join(parts) + "}" for parts in rows_of]
    found = scan(redactor, pa.array(texts, pa.string()))
    for i, text in enumerate(texts):
        alone = redactor._anchors([text.encode()])
        if alone is None:
            assert i not in found
            continue
        assert i in found
        together = anchors_of(found[i])
        assert together is not None and set(alone) <= set(together)


def test_fresh_ids_are_consecutive_and_shaped_like_sample_ids() -> None:
    ids = sample_ids("s_0123456789abc", 0xFFFFFFE, 4).to_pylist()
    assert ids == [
        "s_0123456789abcffffffe",
        "s_0123456789abcfffffff",
        "s_0123456789abc0000000",
        "s_0123456789abc0000001",
    ]


def _stat(pid: int) -> list[str] | None:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) and int(stat[1]) == pid:
            out.append(int(entry.name))
    return out


def _running(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")  # a zombie has already exited


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_the_importer_alone_leaves_no_workers_behind(
    tmp_path: Path, key_file: Path
) -> None:
    path = tmp_path / "big.jsonl"
    write(path, [odd_sample(i) for i in range(60_000)])
    script = (
        "import sys; from pathlib import Path\n"
        "from realitycheck.corpus.importers.bulk import import_jsonl\n"
        "import_jsonl(Path(sys.argv[1]), [Path(sys.argv[2])], key_file=Path(sys.argv[3]),"
        " workers=2)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "c"), str(path), str(key_file)]
    )
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(proc.pid)) < 2:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)  # the importer only, not its process group
    finally:
        proc.wait(30)
    deadline = time.monotonic() + 20
    while any(_running(w) for w in workers):
        assert time.monotonic() < deadline, "a worker outlived the import"
        time.sleep(0.05)
    assert Corpus(tmp_path / "c").count() == 0
