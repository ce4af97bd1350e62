"""Capture never breaks, blocks or bloats its host: full and read-only disks, a missing corpus,
a stuck writer, unserializable values, and kill -9 in the middle of writing."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import realitycheck
from realitycheck.cli.main import main
from realitycheck.corpus import store
from realitycheck.corpus.capture.control import recording
from realitycheck.corpus.store import Corpus

LOGGER = "realitycheck.capture"


@realitycheck.record("work")
def work(i: int, blob: str) -> int:
    """A host function; its result must be right whatever capture goes through."""
    return i * 2


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[bool]:
    """A tiny tmpfs at `path` when this machine lets us mount one (root); False otherwise."""
    path.mkdir(parents=True, exist_ok=True)
    ok = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    try:
        yield ok
    finally:
        if ok:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def noise(i: int, n: int = 3000) -> str:
    """Text that compresses badly, so a small disk fills quickly."""
    return os.urandom(n // 2).hex() + str(i)


def test_full_disk(
    tmp_path: Path,
    key_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mount = tmp_path / "small"
    with tmpfs(mount, "300k") as mounted:
        if not mounted:  # simulate ENOSPC where mounting is not allowed
            real = store.write_segment
            calls = [0]

            def full(folder: Path, table: Any) -> Path:
                calls[0] += 1
                if calls[0] > 1:
                    raise OSError(errno.ENOSPC, "No space left on device")
                return real(folder, table)

            monkeypatch.setattr(store, "write_segment", full)
        corpus_dir = mount / "corpus"
        with (
            caplog.at_level(logging.WARNING, logger=LOGGER),
            recording(
                corpus_dir,
                key_file=key_file,
                dedup=False,
                max_per_hour=None,
                batch_size=20,
                writer="process" if mounted else "thread",  # a patch lives in this process only
            ) as recorder,
        ):
            results = [work(i, noise(i)) for i in range(400)]
        assert results == [i * 2 for i in range(400)]
        stats = recorder.stats()
        assert stats["dropped"].get("disk-full", 0) > 0
        assert stats["written"] + stats["dropped"]["disk-full"] == 400
        assert any("disk-full" in r.getMessage() for r in caplog.records)
        corpus = Corpus(corpus_dir)
        assert corpus.count() == stats["written"]
        for seg in corpus.segment_paths():
            assert pq.read_table(seg).num_rows > 0
        assert not list(corpus.segments_dir.glob(".tmp-*"))


def test_read_only_corpus(
    tmp_path: Path,
    key_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mount = tmp_path / "ro"
    with tmpfs(mount, "1m") as mounted:
        corpus_dir = mount / "corpus"
        Corpus(corpus_dir, create=True)
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        else:

            def read_only(folder: Path, table: Any) -> Path:
                raise OSError(errno.EROFS, "Read-only file system")

            monkeypatch.setattr(store, "write_segment", read_only)
        with (
            caplog.at_level(logging.WARNING, logger=LOGGER),
            recording(
                corpus_dir,
                key_file=key_file,
                max_per_hour=None,
                writer="process" if mounted else "thread",
            ) as recorder,
        ):
            assert [work(i, "x") for i in range(50)] == [i * 2 for i in range(50)]
        assert recorder.stats()["dropped"] == {"read-only": 50}
        assert Corpus(corpus_dir).count() == 0
        assert any("read-only" in r.getMessage() for r in caplog.records)


def test_missing_corpus_is_created_and_an_impossible_one_only_drops(
    tmp_path: Path, key_file: Path
) -> None:
    corpus_dir = tmp_path / "deep" / "corpus"
    with recording(corpus_dir, key_file=key_file, max_per_hour=None) as recorder:
        work(1, "a")
        recorder.flush()
        import shutil

        shutil.rmtree(tmp_path / "deep")  # someone deletes it while the app runs
        work(2, "b")
    assert Corpus(corpus_dir).count() == 1  # recreated for the second sample
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with recording(blocker / "corpus", key_file=key_file) as recorder:
        assert work(3, "c") == 6
    assert sum(recorder.stats()["dropped"].values()) == 1


def test_a_stuck_writer_never_blocks_or_grows_the_host(
    tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    real = store.write_segment

    def slow(folder: Path, table: Any) -> Path:
        gate.wait(60)
        return real(folder, table)

    monkeypatch.setattr(store, "write_segment", slow)
    corpus_dir = tmp_path / "corpus"
    from realitycheck.corpus.capture.control import configure, disable

    recorder = configure(
        corpus_dir,
        key_file=key_file,
        dedup=False,
        max_per_hour=None,
        batch_size=5,
        flush_seconds=0.01,
        writer="thread",  # the patched write lives in this process
    )
    assert recorder is not None
    recorder.settings.queue_size = 10
    recorder.settings.queue_bytes = 64 * 1024
    recorder._reset()
    try:
        peak = 0
        for i in range(300):  # would hang here if submit waited for the stuck disk
            assert work(i, noise(i, 4000)) == i * 2
            peak = max(peak, recorder._queued_bytes)
        assert peak <= recorder.settings.queue_bytes
        assert recorder.stats()["dropped"]["queue-full"] > 200
    finally:
        gate.set()
        disable()


WRITER = """
import sys, time, realitycheck
from realitycheck.corpus.capture.control import configure
configure(sys.argv[1], key_file=sys.argv[2], dedup=False, max_per_hour=None, batch_size=25,
          flush_seconds=0.02)

@realitycheck.record("loop")
def step(i, text):
    return len(text)

i = 0
while True:
    step(i, "x" * (i % 97))
    i += 1
    if i % 50 == 0:
        time.sleep(0.001)
"""


def test_kill_9_while_writing_loses_only_what_was_in_flight(tmp_path: Path, key_file: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(WRITER))
    corpus_dir = tmp_path / "corpus"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(corpus_dir), str(key_file)], start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while len(list((corpus_dir / "segments").glob("seg-*.parquet"))) < 8:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the app and its capture helper, mid-write
        proc.wait(30)
    corpus = Corpus(corpus_dir)
    segments = corpus.segment_paths()
    rows = [pq.read_table(seg).num_rows for seg in segments]
    assert len(segments) >= 8 and all(n > 0 for n in rows)
    assert corpus.count() == sum(rows)
    inputs = [s.input["args"]["i"] for s in corpus.iter_samples("fn:loop")]
    assert len(set(inputs)) == len(inputs)


def test_kill_9_during_an_import_leaves_nothing_half_imported(
    tmp_path: Path, key_file: Path
) -> None:
    path = tmp_path / "big.jsonl"
    line = {"target": "fn:m:f", "input": {"args": {"text": "y" * 300}}}
    with path.open("w") as fh:
        for i in range(200_000):
            line["input"]["args"]["i"] = i  # type: ignore[index]
            fh.write(json.dumps(line) + "\n")
    corpus_dir = tmp_path / "corpus"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "realitycheck",
            "corpus",
            "import",
            "--format",
            "jsonl",
            str(path),
            "--corpus",
            str(corpus_dir),
            "--key-file",
            str(key_file),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not list((corpus_dir / "segments").glob(".staging-*/seg-*.parquet")):
            assert proc.poll() is None, "the import finished before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    assert Corpus(corpus_dir).count() == 0  # staged segments are invisible


def test_drops_show_in_corpus_stats(
    tmp_path: Path,
    key_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real = store.write_segment
    calls = [0]

    def flaky(folder: Path, table: Any) -> Path:
        calls[0] += 1
        if calls[0] == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(folder, table)

    monkeypatch.setattr(store, "write_segment", flaky)
    corpus_dir = tmp_path / "corpus"
    with recording(
        corpus_dir,
        key_file=key_file,
        max_per_hour=None,
        dedup=False,
        batch_size=10,
        writer="thread",  # the patched write lives in this process
    ) as recorder:
        for i in range(10):
            work(i, "first batch")
        recorder.flush()
        for i in range(10):
            work(i, "second batch")
    assert main(["corpus", "stats", "--corpus", str(corpus_dir), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["samples"] == 10
    assert data["capture"]["dropped"] == {"disk-full": 10}
    assert data["capture"]["written"] == 10
    assert main(["corpus", "stats", "--corpus", str(corpus_dir)]) == 0
    assert "disk-full 10" in capsys.readouterr().out


def test_a_helper_that_dies_has_its_unwritten_samples_counted(
    tmp_path: Path, key_file: Path
) -> None:
    corpus_dir = tmp_path / "corpus"
    with recording(
        corpus_dir, key_file=key_file, dedup=False, max_per_hour=None, batch_size=10
    ) as recorder:
        for i in range(20):
            work(i, "first")
        assert recorder.flush(30)
        helper = recorder._helper
        assert helper is not None and helper.proc is not None
        first = helper.proc
        first.send_signal(signal.SIGSTOP)  # it receives batches but never answers
        for i in range(30):
            work(i, "held")
        assert not recorder.flush(1.0)
        first.kill()
        first.wait()
        for i in range(10):  # the next batch finds the helper dead and starts another
            work(i, "after")
        assert recorder.flush(30)
        assert helper.proc is not None and helper.proc.pid != first.pid
        stats = recorder.stats()
    assert stats["dropped"] == {"helper-died": 30}
    assert stats["written"] == 30  # 20 by the first helper, 10 by the second
    assert Corpus(corpus_dir).count() == 30
    [saved] = (tmp_path / "corpus" / "capture").glob("*.json")
    on_disk = json.loads(saved.read_text())
    assert on_disk["written"] == 30 and on_disk["dropped"] == {"helper-died": 30}
