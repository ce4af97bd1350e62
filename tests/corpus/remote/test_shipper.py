"""Capture ships to a remote corpus; a remote that is down costs only a counted, bounded backlog."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from pathlib import Path

import pytest

from realitycheck.core.errors import RealityCheckError
from realitycheck.corpus.capture import record
from realitycheck.corpus.capture.control import flush, recording
from realitycheck.corpus.capture.counters import read_counters
from realitycheck.corpus.remote.shipper import Shipper
from realitycheck.corpus.store import Corpus


@record("tests-double")
def double(x: int) -> int:
    return x * 2


def _capture(url: str, spool: Path, n: int, *, shipped: int = 0, **options: object) -> None:
    with recording(
        url, spool=spool, key_file=spool.parent / "redaction.key", max_per_hour=None,
        batch_size=10, flush_seconds=0.2, dedup=False, **options,
    ):  # fmt: skip
        for i in range(n):
            assert double(i) == i * 2
        flush()
        deadline = time.monotonic() + 60  # the shipper works in the background, while we run
        while shipped and time.monotonic() < deadline:
            with contextlib.suppress(RealityCheckError):
                if Corpus(url).count() >= shipped:
                    break
            time.sleep(0.2)


@pytest.mark.parametrize("writer", ["process", "thread"])
def test_capture_ships_and_empties_the_spool(remote_url: str, tmp_path: Path, writer: str) -> None:
    spool = tmp_path / "spool"
    _capture(remote_url, spool, 50, shipped=50, writer=writer)
    corpus = Corpus(remote_url)
    assert corpus.count() == 50
    assert not list((spool / "segments").glob("*.parquet"))
    counts = read_counters(spool)
    assert counts and counts[0]["written"] == 50
    assert counts[0]["shipping"]["shipped_samples"] == 50
    assert counts[0]["shipping"]["backlog_segments"] == 0
    key = (tmp_path / "redaction.key").read_bytes()
    store = corpus.store
    assert all(key not in store.fs.cat_file(p) for p in store.fs.find(store.loc.path))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_remote_that_is_down_leaves_a_counted_backlog(
    s3_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = s3_env["AWS_ENDPOINT_URL"]
    from .conftest import make_bucket

    make_bucket("rc-down")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    spool = tmp_path / "spool"
    _capture("s3://rc-down/c", spool, 30, writer="thread")  # the host never notices
    left = sorted((spool / "segments").glob("*.parquet"))
    assert left and Corpus(spool).count() == 30
    counts = read_counters(spool)[0]
    assert counts["written"] == 30 and counts["shipping"]["ship_failures"] >= 1
    assert counts["shipping"]["backlog_segments"] == len(left)
    assert "testing" not in json.dumps(counts)  # no credentials in the counters
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)  # the remote is back: the backlog ships
    shipper = Shipper(spool, "s3://rc-down/c", max_backlog_bytes=1 << 30)
    assert shipper.ship_once()
    assert Corpus("s3://rc-down/c").count() == 30
    assert not list((spool / "segments").glob("*.parquet"))


def test_the_backlog_is_bounded(
    s3_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    spool = tmp_path / "spool"
    config = tmp_path / "realitycheck.toml"
    config.write_text("[corpus.capture]\nship_backlog_mb = 0.001\n")
    _capture("s3://rc-never/c", spool, 40, writer="thread", config=config)
    counts = read_counters(spool)[0]
    kept = Corpus(spool).count()
    assert counts["dropped"].get("backlog-full", 0) > 0
    assert kept + counts["dropped"]["backlog-full"] == 40  # every sample accounted for
    assert counts["written"] == kept
