"""`corpus stats` and `corpus ls`: what a corpus holds, where it came from, what capture dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realitycheck.corpus.capture.counters import read_counters
from realitycheck.corpus.segments import quarantined
from realitycheck.corpus.store import Corpus

COUNTED = ("queued", "written", "duplicates", "sampled_out", "capped", "unserializable")


def source_kind(source: str) -> str:
    """`import:har:chrome.har` → `import:har`; `capture:asgi` stays as it is."""
    parts = (source or "unknown").split(":")
    return ":".join(parts[:2])


def _folder_size(folder: Path) -> tuple[int, int]:
    count = size = 0
    if folder.is_dir():
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith(".tmp-"):
                count += 1
                size += path.stat().st_size
    return count, size


def corpus_stats(corpus: Corpus) -> dict[str, Any]:
    """Samples per target, sources, time span, sizes, and capture's counts (drops included)."""
    con = corpus.connect()
    targets = []
    rows = con.execute(
        """
        SELECT target, any_value(kind), count(*), min(recorded_at), max(recorded_at),
               count_if(redactions <> '[]'), count(DISTINCT input_hash)
        FROM samples GROUP BY target ORDER BY target
        """
    ).fetchall()
    sources: dict[str, dict[str, int]] = {}
    for target, source, n in con.execute(
        "SELECT target, source, count(*) FROM samples GROUP BY ALL"
    ).fetchall():
        kind = source_kind(source)
        per = sources.setdefault(target, {})
        per[kind] = per.get(kind, 0) + int(n)
    for target, kind, n, first, last, redacted, distinct in rows:
        targets.append(
            {
                "target": target,
                "kind": kind,
                "samples": int(n),
                "distinct_inputs": int(distinct),
                "redacted_samples": int(redacted),
                "first": first.isoformat() if first else None,
                "last": last.isoformat() if last else None,
                "sources": dict(sorted(sources.get(target, {}).items())),
            }
        )
    totals: dict[str, int] = {}
    for per in sources.values():
        for kind, n in per.items():
            totals[kind] = totals.get(kind, 0) + n
    span = con.execute(
        "SELECT min(recorded_at), max(recorded_at), count(*) FROM samples"
    ).fetchone()
    sizes = corpus.segment_sizes()
    blob_count, blob_bytes = _folder_size(corpus.blobs.root)
    staging = list(corpus.segments_dir.glob(".staging-*")) if corpus.segments_dir.is_dir() else []
    return {
        "corpus": getattr(corpus, "url", str(corpus.root)),
        "samples": int(span[2]) if span else 0,
        "first": span[0].isoformat() if span and span[0] else None,
        "last": span[1].isoformat() if span and span[1] else None,
        "segments": len(sizes),
        "segment_bytes": sum(sizes),
        "blobs": {"count": blob_count, "bytes": blob_bytes},
        "sources": dict(sorted(totals.items())),
        "targets": targets,
        "capture": capture_totals(corpus.root),
        "unfinished_imports": len(staging),
        "quarantined_segments": len(quarantined(corpus.root)),
        "problems": list(corpus.problems),
    }


def capture_totals(root: Path) -> dict[str, Any]:
    """Capture's counts summed over every process that recorded into the corpus."""
    processes = read_counters(root)
    totals: dict[str, Any] = dict.fromkeys(COUNTED, 0)
    dropped: dict[str, int] = {}
    last = None
    for proc in processes:
        for name in COUNTED:
            value = proc.get(name, 0)
            totals[name] += int(value) if isinstance(value, int) else 0
        for reason, n in (proc.get("dropped") or {}).items():
            if isinstance(n, int):
                dropped[reason] = dropped.get(reason, 0) + n
        updated = proc.get("updated")
        if isinstance(updated, (int, float)) and (last is None or updated > last):
            last = updated
    totals["dropped"] = dict(sorted(dropped.items()))
    totals["dropped_total"] = sum(dropped.values())
    totals["processes"] = len(processes)
    totals["last_update"] = last
    aside = [p for p in processes if p.get("persisted") is False]
    # counts the corpus could not hold (it was read-only): kept in the temporary folder
    totals["not_persisted"] = len(aside)
    totals["kept_in"] = sorted({str(Path(str(p["kept_in"])).parent) for p in aside})
    return totals


def list_samples(
    corpus: Corpus, *, target: str | None = None, limit: int = 20, offset: int = 0
) -> list[dict[str, Any]]:
    """A page of samples, newest first: id, target, time, source, outcome, duration."""
    sql = """
        SELECT id, target, recorded_at, source, duration_ms,
               coalesce(CAST(json_extract(output, '$.status') AS VARCHAR),
                        json_extract_string(output, '$.raised.type')) AS outcome,
               json_array_length(redactions) AS redacted
        FROM samples
    """
    params: list[Any] = []
    if target is not None:
        sql += " WHERE target = ?"
        params.append(target)
    sql += " ORDER BY recorded_at DESC, id DESC LIMIT ? OFFSET ?"
    params += [limit, offset]
    out = []
    for sid, tgt, at, source, duration, outcome, redacted in (
        corpus.connect().execute(sql, params).fetchall()
    ):
        out.append(
            {
                "id": sid,
                "target": tgt,
                "recorded_at": at.isoformat() if at else None,
                "source": source,
                "duration_ms": duration,
                "outcome": outcome,
                "redacted": int(redacted or 0),
            }
        )
    return out
