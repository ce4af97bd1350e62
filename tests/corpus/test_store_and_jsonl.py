"""Staged segments, the parallel JSONL import, and samples written by every path reading back."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from realitycheck.core.errors import InputError
from realitycheck.corpus.importers import bulk, import_paths
from realitycheck.corpus.model import Sample, input_hash, new_sample_id
from realitycheck.corpus.store import Corpus, samples_to_table


def write_lines(path: Path, n: int, bad_at: int | None = None) -> None:
    with path.open("w") as fh:
        for i in range(n):
            if i == bad_at:
                fh.write("{oops\n")
                continue
            sample = {
                "target": f"fn:m:f{i % 3}",
                "input": {"args": {"i": i, "who": f"person{i}@example.org", "pad": "z" * 50}},
                "output": {"return": i * 2},
                "recorded_at": "2024-05-01T00:00:00Z",
                "tags": ["batch"],
            }
            fh.write(json.dumps(sample) + "\n")


def hashes(root: Path) -> Counter[str]:
    rows = Corpus(root).connect().execute("SELECT input_hash FROM samples").fetchall()
    return Counter(r[0] for r in rows)


def test_bulk_import_equals_the_careful_one(
    tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.jsonl"
    write_lines(path, 3000)
    with path.open("a") as fh:
        fh.write("\n")  # a blank line is not an entry
    bulk_result = import_paths(tmp_path / "bulk", "jsonl", [path], key_file=key_file)

    def refuse(*args: object, **kwargs: object) -> None:
        raise bulk.NeedsCarefulImport

    monkeypatch.setattr(bulk, "_bulk", refuse)
    careful = import_paths(tmp_path / "careful", "jsonl", [path], key_file=key_file)
    assert bulk_result.imported == careful.imported == 3000
    assert bulk_result.targets == careful.targets
    assert hashes(tmp_path / "bulk") == hashes(tmp_path / "careful")
    one = {s.input["args"]["i"]: s for s in Corpus(tmp_path / "bulk").iter_samples()}
    other = {s.input["args"]["i"]: s for s in Corpus(tmp_path / "careful").iter_samples()}
    for i in (0, 1, 2999):
        a, b = one[i], other[i]
        assert (a.input, a.output, a.tags, a.redactions, a.recorded_at, a.kind) == (
            b.input,
            b.output,
            b.tags,
            b.redactions,
            b.recorded_at,
            b.kind,
        )
    assert one[0].input["args"]["who"] != "person0@example.org"  # redacted in bulk too
    assert one[0].redactions == ["$.input.args.who"]


def test_a_bad_line_sends_the_file_to_the_careful_importer(tmp_path: Path, key_file: Path) -> None:
    path = tmp_path / "s.jsonl"
    write_lines(path, 5000, bad_at=4321)
    result = import_paths(tmp_path / "c", "jsonl", [path], key_file=key_file)
    assert result.imported == 4999 and result.skipped == 1
    assert result.problems[0].startswith(f"{path}:4322 (entry 4321): not valid JSON")
    with pytest.raises(InputError) as failed:
        import_paths(tmp_path / "strict", "jsonl", [path], key_file=key_file, strict=True)
    assert failed.value.line == 4322
    assert Corpus(tmp_path / "strict").count() == 0
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text('{"target": "fn:m:f", "input": {"args": {}}, "tags": [1]}\n')
    with pytest.raises(InputError) as nothing:  # every entry malformed: an error, not "0 imported"
        import_paths(tmp_path / "w", "jsonl", [wrong], key_file=key_file)
    assert "'tags' and 'redactions'" in str(nothing.value)
    assert not (tmp_path / "w").exists() or Corpus(tmp_path / "w").count() == 0


def test_staging_is_invisible_until_published(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "c", create=True)
    staging = corpus.stage()
    sample_input = {"args": {"x": 1}}
    sample = Sample(
        id=new_sample_id(),
        input_hash=input_hash("fn:m:f", sample_input),
        target="fn:m:f",
        kind="function",
        input=sample_input,
    )
    staging.write_table(samples_to_table([sample]))
    assert corpus.count() == 0
    staging.publish()
    assert corpus.count() == 1 and corpus.get(sample.id) == sample
    other = corpus.stage()
    other.write_table(samples_to_table([sample]))
    other.discard()
    assert corpus.count() == 1 and not list(corpus.segments_dir.glob(".staging-*"))


def test_jsonl_round_trip_keeps_ids_and_recomputes_hashes(tmp_path: Path, key_file: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "s_given",
                "input_hash": "wrong",
                "target": "fn:m:f",
                "input": {"args": {"x": 1}},
                "output": None,
                "source": "prod-eu",
            }
        )
        + "\n"
    )
    import_paths(tmp_path / "c", "jsonl", [path], key_file=key_file)
    sample = Corpus(tmp_path / "c").get("s_given")
    assert sample.input_hash == input_hash("fn:m:f", {"args": {"x": 1}})
    assert sample.source == "prod-eu" and sample.kind == "function"
