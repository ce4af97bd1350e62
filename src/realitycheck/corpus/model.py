"""The corpus's unit: one recorded sample. Assumption checks and replay read these.

On disk a sample is one row of a Parquet segment, with `input`, `output`, `tags` and `redactions`
stored as JSON text, so DuckDB can query them with its JSON functions. Bytes (a PDF, an image)
live in the blob store and appear in the JSON as a reference:
`{"$blob": "sha256:<hex>", "size": 1234, "media_type": "application/pdf"}`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any, Literal

import orjson
from pydantic import BaseModel, Field

SEGMENT_FORMAT_VERSION = 1  # Format versions: 1 (first). Kept in each segment's metadata.
BLOB_KEY = "$blob"
# Canonical JSON: sorted keys, compact, UTF-8; non-string keys as strings; odd values via str().
_CANONICAL = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)

SampleKind = Literal["http", "function"]


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


class Sample(BaseModel):
    """One recorded input, and the output it produced when known."""

    id: str
    input_hash: str
    target: str = Field(description="`http:GET /users/{id}` or `fn:module:qualname`")
    kind: SampleKind
    input: dict[str, Any]
    output: dict[str, Any] | None = None
    duration_ms: float | None = None
    recorded_at: datetime = Field(default_factory=utcnow)
    source: str = ""
    tags: list[str] = Field(default_factory=list)
    redactions: list[str] = Field(default_factory=list)


def is_blob_ref(value: object) -> bool:
    """Whether a JSON value is a reference into the blob store."""
    return isinstance(value, dict) and isinstance(value.get(BLOB_KEY), str)


def canonical_bytes(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no spaces: equal values give equal bytes."""
    try:
        return orjson.dumps(value, option=_CANONICAL, default=str)
    except (TypeError, orjson.JSONEncodeError):  # integers beyond 64 bits, lone surrogates
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        ).encode("utf-8", "surrogatepass")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal values give equal text."""
    return canonical_bytes(value).decode("utf-8", "surrogatepass")


def input_hash(target: str, input: dict[str, Any]) -> str:
    """The content hash of a target and an input, for deduplication and base/head matching."""
    return hashlib.sha256(canonical_bytes([target, input])).hexdigest()


def new_sample_id() -> str:
    """A unique, roughly time-ordered sample id (`s_` + 20 hex digits)."""
    import os
    import time

    return f"s_{time.time_ns() // 1000:013x}{os.urandom(4).hex()[:7]}"


class TargetSummary(BaseModel):
    """How much a corpus holds for one target, and whether the change touches its code."""

    target: str
    kind: SampleKind
    samples: int
    distinct_inputs: int
    touched: bool = False


class CorpusSummary(BaseModel):
    """What the corpus a change is checked against holds (the `corpus` stage's result)."""

    root: str
    samples: int
    targets: list[TargetSummary] = Field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None
    dropped: int = 0


def http_target(method: str, route: str) -> str:
    """`http:METHOD /route` as the corpus names it (for other capabilities: see corpus.http)."""
    from realitycheck.corpus.http import http_target as name

    return name(method, route)
