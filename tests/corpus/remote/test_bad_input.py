"""Bad URLs, missing buckets, wrong credentials, bad segments: one line, exit 2, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from realitycheck.cli.main import main
from realitycheck.corpus.remote.ship import ship
from realitycheck.corpus.remote.store import RemoteStore
from realitycheck.corpus.store import SCHEMA, Corpus

from .conftest import local_corpus, samples

Capsys = pytest.CaptureFixture[str]


def run(capsys: Capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("s3:///prefix", "no bucket named"),
        ("s3://", "nothing after the scheme"),
        ("s3://a/prefix", "no bucket named"),
        ("s3://key:secret@bucket/prefix", "credentials do not belong in the URL"),
        ("file://relative/dir", "absolute path"),
        ("s3://bucket/a//b", "empty, '.' or '..'"),
        ("nosuchproto://bucket/x", "cannot open a nosuchproto:// store"),
    ],
)
def test_malformed_urls(url: str, says: str, capsys: Capsys) -> None:
    code, _, err = run(capsys, "corpus", "stats", "--corpus", url)
    line = one_line(err)
    assert code == 2 and says in line
    assert "secret" not in line


def test_missing_bucket(s3_env: dict[str, str], capsys: Capsys) -> None:
    code, _, err = run(capsys, "corpus", "stats", "--corpus", "s3://rc-no-such-bucket/x")
    assert code == 2 and "s3://rc-no-such-bucket/x: the bucket does not exist" in one_line(err)


def test_no_corpus_at_the_url(remote_url: str, capsys: Capsys) -> None:
    code, _, err = run(capsys, "corpus", "stats", "--corpus", remote_url + "/empty")
    assert code == 2 and "no corpus here" in one_line(err)


@pytest.fixture
def strict_s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A second moto server that checks credentials (IAM auth on), in its own process."""
    script = (
        "import sys, time\n"
        "from moto.server import ThreadedMotoServer\n"
        "s = ThreadedMotoServer(ip_address='127.0.0.1', port=0, verbose=False); s.start()\n"
        "print(s.get_host_and_port()[1], flush=True)\n"
        "sys.stdin.read()\n"
    )
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    port = proc.stdout.readline().strip()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-do-not-print")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    yield "s3://rc-bucket/corpus"
    proc.kill()
    proc.wait()
    proc.stdout.close()
    assert proc.stdin is not None
    proc.stdin.close()


def test_wrong_credentials(strict_s3: str, tmp_path: Path, capsys: Capsys) -> None:
    code, _, err = run(capsys, "corpus", "stats", "--corpus", strict_s3)
    line = one_line(err)
    assert code == 2 and strict_s3 in line
    assert "wrong-secret" not in err and "AKIAWRONG" not in err
    local = tmp_path / "local"
    local_corpus(local, [samples(3)])
    code, _, err = run(capsys, "corpus", "push", "--corpus", strict_s3, "--from", str(local))
    assert code == 2 and "wrong-secret" not in err
    assert len(list((local / "segments").glob("*.parquet"))) == 1  # nothing lost locally


def _garbage(store: RemoteStore, name: str, data: bytes) -> None:
    store.put_bytes(f"segments/{name}", data)


def _versioned(path: Path, version: str) -> bytes:
    table = pa.table({f.name: pa.array([], f.type) for f in SCHEMA}).replace_schema_metadata(
        {b"realitycheck.format_version": version.encode()}
    )
    pq.write_table(table, path)
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["not-parquet", "version-99"])
def test_bad_segment_is_named(remote_url: str, tmp_path: Path, kind: str, capsys: Capsys) -> None:
    local = tmp_path / "local"
    local_corpus(local, [samples(5)])
    store = RemoteStore(remote_url, create=True)
    ship(local, store, delete=True)
    name = "seg-20990101T000000000000-deadbeef.parquet"
    data = b"this is not parquet" if kind == "not-parquet" else _versioned(tmp_path / "v", "99")
    _garbage(store, name, data)
    code, _, err = run(capsys, "corpus", "stats", "--corpus", remote_url)
    line = one_line(err)
    assert code == 2 and name in line
    assert ("not a Parquet segment" if kind == "not-parquet" else "format version '99'") in line
    cache = tmp_path / "cache"
    code, _, err = run(capsys, "corpus", "pull", "--corpus", remote_url, "--to", str(cache))
    assert code == 2 and name in one_line(err)
    assert Corpus(cache).segment_paths() == []  # the good segment was not moved in either
    assert not [p for p in (cache / "segments").rglob("*") if p.is_file()]


def test_push_checks_every_segment_first(remote_url: str, tmp_path: Path, capsys: Capsys) -> None:
    local = tmp_path / "local"
    local_corpus(local, [samples(5)])
    (local / "segments" / "seg-20990101T000000000000-deadbeef.parquet").write_bytes(b"junk")
    code, _, err = run(capsys, "corpus", "push", "--corpus", remote_url, "--from", str(local))
    assert code == 2 and "deadbeef" in one_line(err)
    store = RemoteStore(remote_url)
    assert store.listing("compacted") == {} and store.commits() == []
