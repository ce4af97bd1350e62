"""A corpus at a URL: the same behaviour on a real S3 API (moto, loopback) and on file://."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from realitycheck.cli.main import main
from realitycheck.corpus.remote.compact import compact
from realitycheck.corpus.remote.corpus import RemoteCorpus
from realitycheck.corpus.remote.pull import pull
from realitycheck.corpus.remote.ship import push, ship
from realitycheck.corpus.remote.store import RemoteStore
from realitycheck.corpus.store import Corpus

from .conftest import local_corpus, samples

Capsys = pytest.CaptureFixture[str]


def run(capsys: Capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def seeded(remote_url: str, tmp_path: Path, batches: int = 5, per: int = 20) -> RemoteCorpus:
    """A remote corpus of `batches` shipped segments of `per` samples each."""
    local = tmp_path / "spool"
    local_corpus(local, [samples(per, start=i * per) for i in range(batches)])
    ship(local, RemoteStore(remote_url, create=True), delete=True)
    corpus = Corpus(remote_url)
    assert isinstance(corpus, RemoteCorpus)
    return corpus


def test_shipped_segments_are_read_in_place(remote_url: str, tmp_path: Path) -> None:
    corpus = seeded(remote_url, tmp_path)
    assert corpus.count() == 100
    assert corpus.targets() == {"fn:app:f": 100}
    assert len(corpus.segment_keys()) == 5
    assert not list((tmp_path / "spool" / "segments").glob("*.parquet"))  # deleted once confirmed
    ids = [s.id for s in corpus.iter_samples()]
    assert ids == sorted(ids) and len(set(ids)) == 100


def test_cli_reads_a_url(remote_url: str, tmp_path: Path, capsys: Capsys) -> None:
    seeded(remote_url, tmp_path)
    code, out, _ = run(capsys, "corpus", "stats", "--corpus", remote_url, "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["samples"] == 100 and data["segments"] == 5
    assert data["corpus"] == remote_url
    code, out, _ = run(capsys, "corpus", "profile", "--corpus", remote_url, "--target", "fn:app:f")
    assert code == 0 and "100 samples" in out
    code, out, _ = run(capsys, "corpus", "show", "s00000007", "--corpus", remote_url, "-f", "json")
    assert code == 0 and json.loads(out)["input"] == {"args": [7], "kwargs": {}}


def test_config_url(remote_url: str, tmp_path: Path, capsys: Capsys) -> None:
    seeded(remote_url, tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    (project / "realitycheck.toml").write_text(f'[corpus]\nurl = "{remote_url}"\n')
    code, out, _ = run(capsys, "corpus", "stats", "--repo", str(project), "-f", "json")
    assert code == 0 and json.loads(out)["samples"] == 100


def test_import_into_a_url_keeps_the_key_local(
    remote_url: str, tmp_path: Path, capsys: Capsys
) -> None:
    jsonl = tmp_path / "in.jsonl"
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    lines = [
        {"target": "fn:importer", "input": {"args": [i], "kwargs": {"token": token}}}
        for i in range(30)
    ]
    jsonl.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    key = tmp_path / "keys" / "redaction.key"
    code, out, err = run(
        capsys, "corpus", "import", "--format", "jsonl", str(jsonl), "--corpus", remote_url,
        "--key-file", str(key), "--repo", str(tmp_path),
    )  # fmt: skip
    assert code == 0, err
    assert "imported 30 samples" in out and remote_url in "".join(out.split())
    corpus = Corpus(remote_url)
    assert corpus.count() == 30
    store = corpus.store
    everything = b"".join(store.fs.cat_file(p) for p in store.fs.find(store.loc.path))
    assert key.read_bytes() not in everything and token.encode() not in everything
    assert not [p for p in store.fs.find(store.loc.path) if "redaction" in p]


def test_push_is_one_commit_and_idempotent(remote_url: str, tmp_path: Path) -> None:
    local = tmp_path / "local"
    local_corpus(local, [samples(10), samples(10, start=10)])
    store = RemoteStore(remote_url, create=True)
    first = push(local, store)
    assert (first.segments, first.samples) == (2, 20)
    assert len(store.commits()) == 1
    again = push(local, store)
    assert (again.segments, again.skipped) == (0, 2)
    assert Corpus(remote_url).count() == 20


def test_compact_merges_and_readers_never_double_count(remote_url: str, tmp_path: Path) -> None:
    corpus = seeded(remote_url, tmp_path, batches=8, per=10)
    store = corpus.store
    before = sorted(s.id for s in corpus.iter_samples())
    dry = compact(store, grace=0, dry_run=True)
    assert len(dry.groups) == 1 and len(dry.groups[0]) == 8
    assert len(corpus.segment_keys()) == 8
    done = compact(store, grace=3600)  # replaced segments stay (readers may have listed them)
    assert done.samples == 80 and len(corpus.segment_keys()) == 1
    assert len(store.listing("segments")) == 8  # still there, but no longer live
    assert sorted(s.id for s in corpus.iter_samples()) == before
    compact(store, grace=0)  # the grace is over: the replaced segments go
    assert store.listing("segments") == {}
    assert sorted(s.id for s in corpus.iter_samples()) == before


def test_two_compactors_racing_count_once(remote_url: str, tmp_path: Path) -> None:
    corpus = seeded(remote_url, tmp_path, batches=4, per=10)
    store = corpus.store
    keys = corpus.segment_keys()
    from realitycheck.corpus.remote.compact import merge_group

    work = tmp_path / "work"
    work.mkdir()
    out_a, _ = merge_group(store, keys[:3], work)
    out_b, _ = merge_group(store, keys[1:], work)
    store.commit([out_a], keys[:3])
    store.commit([out_b], keys[1:])  # overlaps: it is rejected
    assert corpus.count() == 40
    assert len({s.id for s in corpus.iter_samples()}) == 40
    compact(store, grace=0)
    assert corpus.count() == 40 and not store.exists(out_b)


def test_pull_downloads_only_what_is_new(remote_url: str, tmp_path: Path) -> None:
    corpus = seeded(remote_url, tmp_path, batches=10, per=10)
    cache = tmp_path / "cache"
    first = pull(corpus, cache)
    assert len(first.downloaded) == 10 and Corpus(cache).count() == 100
    again = pull(corpus, cache)
    assert (again.downloaded, again.cached, again.bytes) == ([], 10, 0)
    local_corpus(tmp_path / "more", [samples(10, start=100, target="fn:app:g")])
    ship(tmp_path / "more", corpus.store, delete=True)
    third = pull(corpus, cache)
    assert len(third.downloaded) == 1 and Corpus(cache).count() == 110
    compact(corpus.store, grace=0)
    fourth = pull(corpus, cache)
    assert len(fourth.downloaded) == 1 and len(fourth.removed) == 11
    assert Corpus(cache).count() == 110


def test_pull_target_and_since(remote_url: str, tmp_path: Path) -> None:
    local = tmp_path / "local"
    local_corpus(
        local,
        [samples(5, target="fn:a:x"), samples(5, start=5, target="fn:a:y", day=30)],
    )
    store = RemoteStore(remote_url, create=True)
    ship(local, store, delete=True)
    corpus = Corpus(remote_url)
    assert isinstance(corpus, RemoteCorpus)
    result = pull(corpus, tmp_path / "c1", target="fn:a:y")
    assert len(result.downloaded) == 1 and result.skipped == 1
    assert Corpus(tmp_path / "c1").targets() == {"fn:a:y": 5}
    from datetime import timedelta

    result = pull(corpus, tmp_path / "c2", since=timedelta(days=7))
    assert Corpus(tmp_path / "c2").targets() == {"fn:a:x": 5}


def test_prune(remote_url: str, tmp_path: Path, capsys: Capsys) -> None:
    local = tmp_path / "local"
    local_corpus(
        local,
        [samples(5, day=40), samples(5, start=5, day=35), samples(5, start=10)],
    )
    ship(local, RemoteStore(remote_url, create=True), delete=True)
    code, out, _ = run(
        capsys, "corpus", "prune", "--corpus", remote_url, "--older-than", "30d", "--dry-run",
        "-f", "json",
    )  # fmt: skip
    assert code == 0 and len(json.loads(out)["segments"]) == 2
    assert Corpus(remote_url).count() == 15
    code, out, _ = run(
        capsys, "corpus", "prune", "--corpus", remote_url, "--keep-per-target", "7", "--grace", "0"
    )
    assert code == 0 and "removed 1 segments (5 samples)" in out
    corpus = Corpus(remote_url)
    assert corpus.count() == 10
    code, out, _ = run(capsys, "corpus", "prune", "--corpus", remote_url, "--older-than", "30d")
    assert code == 0 and Corpus(remote_url).count() == 5


def test_cli_push_pull_compact(remote_url: str, tmp_path: Path, capsys: Capsys) -> None:
    local = tmp_path / "local"
    local_corpus(local, [samples(10, start=i * 10) for i in range(4)])
    code, out, err = run(capsys, "corpus", "push", "--corpus", remote_url, "--from", str(local))
    assert code == 0, err
    assert "pushed 4 segments (40 samples" in out
    code, out, _ = run(capsys, "corpus", "compact", "--corpus", remote_url, "--grace", "0")
    assert code == 0 and "merged 4 segments into 1" in out
    cache = tmp_path / "cache"
    code, out, _ = run(capsys, "corpus", "pull", "--corpus", remote_url, "--to", str(cache))
    assert code == 0 and "pulled 1 new segments" in out
    code, out, _ = run(capsys, "corpus", "stats", "--corpus", str(cache), "-f", "json")
    assert json.loads(out)["samples"] == 40


def test_a_compacted_local_folder_reads_the_same(tmp_path: Path, capsys: Capsys) -> None:
    folder = tmp_path / "corpus"
    local_corpus(folder, [samples(10, start=i * 10) for i in range(3)])
    code, out, _ = run(capsys, "corpus", "compact", "--corpus", str(folder), "--grace", "1h")
    assert code == 0 and "merged 3 segments into 1" in out
    corpus = Corpus(folder)
    assert corpus.count() == 30 and len(corpus.segment_paths()) == 1
    con = duckdb.connect()
    assert con.execute(
        "SELECT count(*) FROM read_parquet(?)", [str(corpus.segment_paths()[0])]
    ).fetchone() == (30,)
