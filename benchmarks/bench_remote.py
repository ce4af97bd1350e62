"""Remote corpus: checks on S3 vs local disk, `corpus pull` of 1 % new, capture shipping on/off.

S3 is moto's server on loopback (a real S3 API, in a process of its own), so the figures
measure realitycheck's own work plus a loopback store, not a network. Every figure is a ratio
of two timings taken side by side in the same run.

- checks: the 20 assumption checks of bench_assumptions over the same corpus (1,000,000
  samples; --quick: 50,000) read from S3 (a fresh reader: listing, concurrent fetch, scan),
  from S3 again (segments already in the reader's cache), and from local disk.
- pull: a corpus of many small segments where 1 % are new since the last pull: bytes and time
  of that pull against a full copy into an empty folder.
- capture: the host's time for N recorded calls with shipping to S3 on, against capture to a
  local folder (the helper process does the shipping, so the host should not see it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks import bench_assumptions as ba
from benchmarks.common import Figure, best_of, workdir

SIZES = ba.SIZES
PULL = {"full": (400, 500), "quick": (100, 200)}  # segments, samples per segment
CALLS = {"full": 20_000, "quick": 5_000}


def _moto() -> subprocess.Popen[str]:
    """moto's S3 server in its own process (in this one it would take the host's GIL)."""
    script = (
        "import sys, logging\n"
        "from moto.server import ThreadedMotoServer\n"
        "logging.getLogger('werkzeug').setLevel(logging.ERROR)\n"
        "s = ThreadedMotoServer(ip_address='127.0.0.1', port=0, verbose=False); s.start()\n"
        "print(s.get_host_and_port()[1], flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    port = proc.stdout.readline().strip()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
    )
    return proc


def _bucket() -> str:
    import fsspec

    name = f"bench-{uuid.uuid4().hex[:10]}"
    fsspec.filesystem("s3", skip_instance_cache=True).mkdir(name)
    return f"s3://{name}/corpus"


def _checks(scale: str) -> list[Figure]:
    from realitycheck.corpus.remote.corpus import RemoteCorpus
    from realitycheck.corpus.remote.ship import push
    from realitycheck.corpus.remote.store import RemoteStore

    n = SIZES[scale]
    local = ba.corpus(n)
    url = _bucket()
    push(local.root, RemoteStore(url, create=True))
    ref = ba._ours(local)
    if ba._ours(RemoteCorpus(url)) != ref:
        raise AssertionError("checks over S3 and over local disk disagree")
    t_local = best_of(lambda: ba._ours(local), 3)
    t_cold = best_of(lambda: ba._ours(RemoteCorpus(url)), 2)
    warm = RemoteCorpus(url)
    ba._ours(warm)
    t_warm = best_of(lambda: ba._ours(warm), 3)
    direct = RemoteCorpus(url, direct=True)
    t_direct = best_of(lambda: ba._ours(direct), 1)
    segments = len(local.segment_paths())
    return [
        Figure(
            "remote: checks on S3, fresh reader / local disk",
            t_cold / t_local,
            "<= 3",
            t_cold / t_local <= 3,
            f"{n:,} samples in {segments} segments; {t_cold:.2f}s vs {t_local:.2f}s",
        ),
        Figure(
            "remote: checks on S3, cached segments / local",
            t_warm / t_local,
            "<= 1.2",
            t_warm / t_local <= 1.2,
            f"listing + commits read each time; {t_warm:.2f}s vs {t_local:.2f}s",
        ),
        Figure(
            "remote: checks, DuckDB through fsspec / local",
            t_direct / t_local,
            "-",
            None,
            f"register_filesystem, ranged reads (direct=True): {t_direct:.2f}s",
        ),
    ]


def _pull(scale: str) -> list[Figure]:
    from realitycheck.corpus.remote.corpus import RemoteCorpus
    from realitycheck.corpus.remote.pull import pull
    from realitycheck.corpus.remote.ship import ship
    from realitycheck.corpus.remote.store import RemoteStore
    from realitycheck.corpus.store import Corpus

    count, per = PULL[scale]
    url = _bucket()
    store = RemoteStore(url, create=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-remote-", dir=workdir("remote")))
    try:
        source = ba.corpus(count * per)  # the same generated payloads, cut into small segments
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.concat_tables(pq.read_table(p) for p in source.segment_paths())
        spool = Corpus(tmp / "spool", create=True)
        for i in range(count):
            spool.write_table(table.slice(i * per, per))
        new = max(1, count // 100)
        held = sorted(spool.segment_paths())[-new:]
        aside = tmp / "held"
        aside.mkdir()
        for path in held:
            path.replace(aside / path.name)
        ship(spool.root, store, delete=True)
        corpus = RemoteCorpus(url)
        pull(corpus, tmp / "ci-cache")
        for path in held:
            path.parent.mkdir(parents=True, exist_ok=True)
            (aside / path.name).replace(spool.segments_dir / path.name)
        ship(spool.root, store, delete=True)
        reader = RemoteCorpus(url)  # opened once: the client's start-up is the same for both
        start = time.perf_counter()
        incremental = pull(reader, tmp / "ci-cache")
        t_inc = time.perf_counter() - start
        start = time.perf_counter()
        full = pull(reader, tmp / "fresh")
        t_full = time.perf_counter() - start
        assert len(incremental.downloaded) == new and len(full.downloaded) == count
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [
        Figure(
            "remote: pull of 1% new, bytes / full copy",
            incremental.bytes / full.bytes,
            "<= 0.02",
            incremental.bytes / full.bytes <= 0.02,
            f"{new} of {count} segments; {incremental.bytes:,} vs {full.bytes:,} bytes",
        ),
        Figure(
            "remote: pull of 1% new, time / full copy",
            t_inc / t_full,
            "<= 0.2",
            t_inc / t_full <= 0.2,
            f"{t_inc:.2f}s vs {t_full:.2f}s (both list the remote; the client opened before)",
        ),
    ]


def _host_calls(target: str, spool: Path, n: int) -> float:
    from realitycheck.corpus.capture import record
    from realitycheck.corpus.capture.control import recording

    @record("bench-remote")
    def handler(order: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "total": sum(i["price"] for i in order["items"])}

    order = {"id": 1, "items": [{"sku": f"s{i}", "price": 1.5} for i in range(10)]}
    with recording(
        target, spool=spool, key_file=spool.parent / "redaction.key", max_per_hour=None,
        dedup=False, batch_size=1000, flush_seconds=0.5,
    ):  # fmt: skip
        start = time.perf_counter()
        for i in range(n):
            handler({**order, "id": i})
        return time.perf_counter() - start


def _capture(scale: str) -> list[Figure]:
    n = CALLS[scale]
    url = _bucket()
    tmp = Path(tempfile.mkdtemp(prefix="bench-remote-", dir=workdir("remote")))
    off: list[float] = []
    on: list[float] = []
    try:
        for i in range(3):
            off.append(_host_calls(str(tmp / f"local-{i}" / "corpus"), tmp / f"local-{i}" / "c", n))
            on.append(_host_calls(url, tmp / f"ship-{i}" / "spool", n))
        from realitycheck.corpus.store import Corpus

        shipped = Corpus(url).count()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ratio = min(on) / min(off)
    return [
        Figure(
            "remote: capture host time, shipping on / off",
            ratio,
            "<= 1.10",
            ratio <= 1.10,
            f"{n:,} recorded calls x3 rounds, best of each; {shipped:,} samples reached S3",
        )
    ]


def run(scale: str) -> list[Figure]:
    server = _moto()
    try:
        return _checks(scale) + _pull(scale) + _capture(scale)
    finally:
        server.kill()
        server.wait()
