"""The corpus's unit: one recorded sample. Assumption checks and replay read these.

On disk a sample is one row of a Parquet segment, with `input`, `output`, `tags` and `redactions`
stored as JSON text, so DuckDB can query them with its JSON functions. Bytes (a PDF, an image)
live in the blob store and appear in the JSON as a reference:
`{"$blob": "sha256:<hex>", "size": 1234, "media_type": "application/pdf"}`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, Field

SEGMENT_FORMAT_VERSION = 1  # Format versions: 1 (first). Kept in each segment's metadata.
BLOB_KEY = "$blob"

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


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal values give equal text."""
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def input_hash(target: str, input: dict[str, Any]) -> str:
    """The content hash of a target and an input, for deduplication and base/head matching."""
    import hashlib

    return hashlib.sha256(canonical_json([target, input]).encode()).hexdigest()


def new_sample_id() -> str:
    """A unique, roughly time-ordered sample id (`s_` + 20 hex digits)."""
    import os
    import time

    return f"s_{time.time_ns() // 1000:013x}{os.urandom(4).hex()[:7]}"
