"""SIGKILL the shipper and the compactor at random points: nothing lost, nothing counted twice.

Each round starts the real code in a child process, kills it with SIGKILL after a random delay
(somewhere in its imports, listing, uploads, commit or deletions), and then checks what a reader
sees: every listed segment is readable by DuckDB, no sample appears twice, and every sample
ever written is either in the remote corpus or still in the local spool.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from realitycheck.corpus.remote.compact import compact
from realitycheck.corpus.remote.corpus import RemoteCorpus
from realitycheck.corpus.remote.ship import ship
from realitycheck.corpus.remote.store import RemoteStore
from realitycheck.corpus.store import Corpus

from .conftest import local_corpus, samples

ROUNDS = 20
SHIPPER = (
    "import sys; from pathlib import Path\n"
    "from realitycheck.corpus.remote.store import RemoteStore\n"
    "from realitycheck.corpus.remote.ship import ship\n"
    "store = RemoteStore(sys.argv[2], create=True); print('go', flush=True)\n"
    "ship(Path(sys.argv[1]), store, delete=True)\n"
)
COMPACTOR = (
    "import sys\n"
    "from realitycheck.corpus.remote.store import RemoteStore\n"
    "from realitycheck.corpus.remote.compact import compact\n"
    "store = RemoteStore(sys.argv[1]); print('go', flush=True)\n"
    "compact(store, grace=0, small=1 << 30, target=int(sys.argv[2]))\n"
)


def ids_of(location: str | Path, cache: Path | None = None) -> list[str]:
    corpus = RemoteCorpus(str(location), cache=cache) if cache else Corpus(location)
    count = corpus.count()  # DuckDB opens every listed segment (and checks its version)
    ids = [s.id for s in corpus.iter_samples()]
    assert len(ids) == count
    return ids


def kill_at_random(args: list[str], rng: random.Random) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdout is not None
    with proc.stdout:
        proc.stdout.readline()  # imports done, store opened: the work starts now
        time.sleep(rng.uniform(0.0, 0.8))
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.slow
def test_shipper_killed(remote_url: str, tmp_path: Path) -> None:
    rng = random.Random(15)
    spool = tmp_path / "spool"
    expected: set[str] = set()
    for round_ in range(ROUNDS):
        batch = [samples(5, start=(round_ * 8 + i) * 5) for i in range(8)]
        local_corpus(spool, batch)
        expected |= {s.id for b in batch for s in b}
        kill_at_random([SHIPPER, str(spool), remote_url], rng)
        remote = ids_of(remote_url, tmp_path / "read-cache")
        assert len(remote) == len(set(remote)), f"round {round_}: a sample counted twice"
        assert set(remote) | set(ids_of(spool)) == expected, f"round {round_}: a sample lost"
    ship(spool, RemoteStore(remote_url), delete=True)
    remote = ids_of(remote_url)
    assert sorted(remote) == sorted(expected)
    assert not list((spool / "segments").glob("*.parquet"))


@pytest.mark.slow
def test_compactor_killed(remote_url: str, tmp_path: Path) -> None:
    rng = random.Random(11)
    store = RemoteStore(remote_url, create=True)
    expected: set[str] = set()
    for round_ in range(ROUNDS):
        spool = tmp_path / f"spool-{round_}"
        batch = [samples(5, start=(round_ * 6 + i) * 5) for i in range(6)]
        local_corpus(spool, batch)
        ship(spool, store, delete=True)
        expected |= {s.id for b in batch for s in b}
        size = min(int(v["size"]) for v in store.listing("segments").values())
        kill_at_random([COMPACTOR, remote_url, str(size * 3)], rng)
        remote = ids_of(remote_url, tmp_path / "read-cache")
        assert len(remote) == len(set(remote)), f"round {round_}: a sample counted twice"
        assert set(remote) == expected, f"round {round_}: a sample lost"
    done = compact(store, grace=0, small=1 << 30, target=1 << 30)
    assert sorted(ids_of(remote_url)) == sorted(expected)
    assert len(Corpus(remote_url).segment_keys()) == 1 and done.rejected == 0
    assert store.listing("segments") == {}  # everything replaced was collected
