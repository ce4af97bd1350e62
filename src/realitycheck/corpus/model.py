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
