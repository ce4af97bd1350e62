"""Python values as the JSON the corpus stores; standard library only, because workers import it.

The encoding, which the corpus's own samples follow:
- JSON types stay as they are; tuples, sets and frozensets become arrays (sets sorted);
- bytes become a blob reference `{"$blob": "sha256:<hex>", "size": n, "media_type": ...}`
  (replay keeps the digest, not the bytes: equal bytes give equal references);
- dataclasses, pydantic models (`model_dump`), named tuples, enums (their value), dates and
  times (ISO 8601), decimals, UUIDs and paths (their text) are converted;
- anything else becomes `{"$repr": repr(value), "$type": "module.Class"}`.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import hashlib
import json
import math
import pathlib
import uuid
from typing import Any

BLOB_KEY = "$blob"
MAX_DEPTH = 64


def blob_ref(data: bytes, media_type: str = "application/octet-stream") -> dict[str, Any]:
    """The reference the corpus's blob store gives these bytes."""
    digest = hashlib.sha256(data).hexdigest()
    return {BLOB_KEY: f"sha256:{digest}", "size": len(data), "media_type": media_type}


def type_name(value: object) -> str:
    """`module.Qualname` of a value's type (`ValueError` for built-ins)."""
    kind = type(value)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def to_json(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy of a Python value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if depth > MAX_DEPTH:
        return {"$repr": "...", "$type": type_name(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if isinstance(value, tuple) and hasattr(value, "_asdict"):
            return to_json(value._asdict(), depth + 1)
        return [to_json(v, depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        items = [to_json(v, depth + 1) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, bytes | bytearray | memoryview):
        return blob_ref(bytes(value))
    if isinstance(value, enum.Enum):
        return to_json(value.value, depth + 1)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | pathlib.PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json(dataclasses.asdict(value), depth + 1)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return to_json(dump(mode="json"), depth + 1)
        except Exception:  # a model that cannot dump itself is shown by repr
            pass
    return {"$repr": _safe_repr(value), "$type": type_name(value)}


def _safe_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # repr itself may fail on broken objects
        text = f"<unrepresentable: {type(exc).__name__}>"
    return text[:2000]


def canonical(value: Any) -> str:
    """Sorted, compact JSON text: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def returned(value: Any) -> str:
    """The canonical output document of a call that returned `value`."""
    return canonical({"return": to_json(value)})


def raised(exc: BaseException) -> str:
    """The canonical output document of a call that raised `exc`."""
    return canonical({"raised": {"type": type_name(exc), "message": _message(exc)}})


def _message(exc: BaseException) -> str:
    try:
        return str(exc)[:2000]
    except Exception:  # __str__ of a broken exception
        return "<unprintable message>"
