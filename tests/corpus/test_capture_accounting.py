"""Capture accounts for every sample: written, or counted with a reason, always.

The capture helper is killed with SIGKILL over and over while samples stream through it; a
read-only corpus keeps its counts readable; the default hourly cap is stated up front.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from pathlib import Path

import pytest

import realitycheck
from realitycheck.cli.main import main
from realitycheck.corpus.capture import counters as counters_module
from realitycheck.corpus.capture.control import capture_stats, configure, disable, recording
from realitycheck.corpus.capture.writer import CaptureSettings
from realitycheck.corpus.store import Corpus

Capsys = pytest.CaptureFixture[str]


@realitycheck.record()
def double(i: int) -> int:
    """A host function; its result must be right whatever capture goes through."""
    return i * 2


def test_every_sample_is_written_or_counted_across_kill_9_loops(
    corpus_dir: Path, key_file: Path
) -> None:
    rng = random.Random(11)
    total, kills = 0, 0
    with recording(
        corpus_dir,
        key_file=key_file,
        dedup=False,
        max_per_hour=None,
        batch_size=5,
        flush_seconds=0.01,
    ) as recorder:
        stop = threading.Event()

        def killer() -> None:
            nonlocal kills
            deadline = time.monotonic() + 30
            while not stop.is_set() and kills < 6 and time.monotonic() < deadline:
                time.sleep(rng.uniform(0.05, 0.4))
                helper = recorder._helper
                proc = helper.proc if helper is not None else None
                if proc is not None and proc.poll() is None:
                    proc.kill()  # SIGKILL, at whatever point it has reached
                    kills += 1

        thread = threading.Thread(target=killer)
        thread.start()
        deadline = time.monotonic() + 30
        while thread.is_alive() and time.monotonic() < deadline:
            for _ in range(20):
                assert double(total) == total * 2
                total += 1
            time.sleep(0.01)
        stop.set()
        thread.join()
        recorder.flush(30)
    stats = recorder.stats()  # after the last helper stopped: its last batches are in
    assert kills >= 5
    on_disk = Corpus(corpus_dir).count()
    died = stats["dropped"].get("helper-died", 0)
    assert set(stats["dropped"]) <= {"helper-died"}
    # every sample handed over is written or counted; a batch written in the instant between
    # its segment's rename and its counts file may be counted as well (never more than that)
    assert on_disk + died >= total
    assert on_disk + died - total <= 5 * kills
    # the same instant: such a batch is on disk but counted as helper-died, not as written
    assert 0 <= on_disk - stats["written"] <= 5 * kills
    [saved] = (corpus_dir / "capture").glob("*.json")
    persisted = json.loads(saved.read_text())
    assert persisted["written"] == stats["written"]
    assert persisted["dropped"].get("helper-died", 0) == died


def test_a_read_only_corpus_keeps_its_counts_readable(
    tmp_path: Path, key_file: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus_dir = tmp_path / "corpus"
    Corpus(corpus_dir, create=True)
    # root can write anywhere: a file where capture/ and the segments' folder belong makes
    # every write fail as a read-only corpus does
    (corpus_dir / "capture").write_text("")
    (corpus_dir / "segments").rmdir()
    (corpus_dir / "segments").write_text("")
    aside = tmp_path / "tmp"
    monkeypatch.setattr(counters_module.tempfile, "gettempdir", lambda: str(aside))
    with recording(
        corpus_dir, key_file=key_file, dedup=False, max_per_hour=None, writer="thread"
    ) as recorder:
        for i in range(12):
            double(i)
        recorder.flush()
        live = capture_stats()
    assert live is not None and sum(live["dropped"].values()) == 12
    (corpus_dir / "segments").unlink()  # so that stats can read the (empty) corpus
    assert main(["corpus", "stats", "--corpus", str(corpus_dir), "-f", "json"]) == 0
    cap = json.loads(capsys.readouterr().out)["capture"]
    assert cap["dropped_total"] == 12 and cap["not_persisted"] == 1
    assert cap["kept_in"] and cap["kept_in"][0].startswith(str(aside))
    assert main(["corpus", "stats", "--corpus", str(corpus_dir)]) == 0
    assert "could not be written into the corpus" in capsys.readouterr().out


def test_the_first_log_line_states_the_hourly_cap(
    corpus_dir: Path, key_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="realitycheck.capture"):
        configure(corpus_dir, key_file=key_file)
        disable()
    first = next(r.getMessage() for r in caplog.records if r.name == "realitycheck.capture")
    cap = CaptureSettings(corpus=corpus_dir).max_per_hour
    assert f"at most {cap} samples per target per hour" in first
    assert "max_per_hour" in first


def test_reaching_the_cap_is_logged(
    corpus_dir: Path, key_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="realitycheck.capture"),
        recording(corpus_dir, key_file=key_file, dedup=False, max_per_hour=3) as recorder,
    ):
        for i in range(10):
            double(i)
        recorder.flush(30)
        stats = recorder.stats()
    assert stats["capped"] == 7 and Corpus(corpus_dir).count() == 3
    assert any("cap of 3 samples per hour" in r.getMessage() for r in caplog.records)
