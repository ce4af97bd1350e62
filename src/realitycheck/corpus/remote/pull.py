"""`corpus pull`: a local cache of a remote corpus, keyed by segment name.

The cache is an ordinary local corpus folder. A pull downloads only the live segments the cache
does not hold yet (segments never change once written, so a name is a version), removes cached
segments the remote no longer lists (compacted or pruned), and fetches the blobs the new
segments point to. New segments are downloaded aside first and moved in together at the end, so
a pull that fails leaves the cache as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from realitycheck.corpus.remote.corpus import RemoteCorpus
from realitycheck.corpus.remote.layout import SEGMENTS
from realitycheck.corpus.store import Corpus, fsync_dir

_BLOB = re.compile(r'"\$blob":\s*"sha256:([0-9a-f]{64})"')
STATE = "pull.json"


@dataclass
class PullResult:
    """What a pull did."""

    downloaded: list[str] = field(default_factory=list)
    bytes: int = 0
    removed: list[str] = field(default_factory=list)
    cached: int = 0  # live segments already in the cache
    skipped: int = 0  # new segments outside --target/--since
    blobs: int = 0
    seconds: float = 0.0


def _wanted(
    corpus: RemoteCorpus, keys: list[str], target: str | None, since: timedelta | None
) -> set[str]:
    """Which of these segments hold samples of `target` recorded within `since`."""
    if not keys or (target is None and since is None):
        return set(keys)
    loc = corpus.store.loc
    by_url = {corpus.direct_url(k): k for k in keys}
    con = duckdb.connect()
    if loc.protocol != "file":
        con.register_filesystem(corpus.store.fs)
    clauses: list[str] = []
    params: list[object] = []
    if target is not None:
        clauses.append("target = ?")
        params.append(target)
    if since is not None:
        clauses.append("recorded_at >= ?")
        params.append(datetime.now(timezone.utc) - since)
    listing = ", ".join("'" + u.replace("'", "''") + "'" for u in by_url)
    rows = con.execute(
        f"SELECT DISTINCT filename FROM read_parquet([{listing}], filename = true, "
        f"union_by_name = true) WHERE {' AND '.join(clauses)}",
        params,
    ).fetchall()
    return {by_url[str(r[0])] for r in rows}


def pull(
    corpus: RemoteCorpus,
    to: Path,
    *,
    target: str | None = None,
    since: timedelta | None = None,
) -> PullResult:
    """Bring the cache at `to` up to date with the remote corpus's live segments."""
    started = time.perf_counter()
    result = PullResult()
    cache = Corpus(to, create=True)
    live = corpus.segment_keys()
    by_name = {k.rsplit("/", 1)[-1]: k for k in live}
    have = {p.name for p in cache.segment_paths()}
    result.cached = len(have & by_name.keys())
    new = [k for name, k in by_name.items() if name not in have]
    wanted = _wanted(corpus, new, target, since)
    result.skipped = len(new) - len(wanted)
    aside = cache.segments_dir / f".pull-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        todo = [k for k in new if k in wanted]
        fetched = corpus.store.fetch(todo, aside) if todo else []
        result.downloaded = todo
        result.bytes = sum(p.stat().st_size for p in fetched)
        result.blobs = _blobs(corpus, cache, fetched)
        for local in fetched:
            local.replace(cache.segments_dir / local.name)
        fsync_dir(cache.segments_dir)
    finally:
        if aside.is_dir():
            for leftover in aside.iterdir():
                leftover.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                aside.rmdir()
    for path in cache.segment_paths():
        if path.name not in by_name:  # compacted or pruned on the remote
            path.unlink(missing_ok=True)
            result.removed.append(path.name)
    state = {"url": corpus.url, "pulled_at": time.time(), "segments": len(by_name)}
    tmp = cache.root / f".tmp-{os.urandom(4).hex()}-{STATE}"
    tmp.write_text(json.dumps(state))
    tmp.replace(cache.root / STATE)
    result.seconds = time.perf_counter() - started
    return result


def _blobs(corpus: RemoteCorpus, cache: Corpus, segments: list[Path]) -> int:
    """Download the blobs new segments point to that the cache lacks."""
    if not segments:
        return 0
    listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in segments)
    rows = duckdb.execute(
        f"SELECT input, output FROM read_parquet([{listing}]) "
        "WHERE contains(input, '\"$blob\"') OR contains(output, '\"$blob\"')"
    ).fetchall()
    digests = {d for row in rows for text in row if text for d in _BLOB.findall(text)}
    count = 0
    for digest in sorted(digests):
        local = cache.blobs.path(digest)
        if not local.exists():
            corpus.store.get_file(corpus.store.blob_key(digest), local)
            count += 1
    return count


__all__ = ["SEGMENTS", "PullResult", "pull"]
