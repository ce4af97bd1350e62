"""Turning a host's live values into JSON bytes at call time, whatever they are.

Values are serialized when they are captured (a function may change its arguments later), with
orjson. Bytes are set aside for the blob store and replaced by a placeholder; values JSON cannot
hold become `{"$unserializable": "<type>", "repr": "..."}` instead of an error.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import orjson

PENDING_KEY = "$pending_blob"
UNSERIALIZABLE_KEY = "$unserializable"
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
MAX_REPR = 200
MAX_DEPTH = 200


class Snapshot:
    """The JSON bytes of one value, the bytes set aside, and whether anything was lost."""

    __slots__ = ("blobs", "data", "lossy")

    def __init__(self) -> None:
        self.blobs: list[bytes] = []
        self.lossy = False
        self.data = b"null"

    def _default(self, value: Any) -> Any:
        if isinstance(value, (bytes, bytearray, memoryview)):
            self.blobs.append(bytes(value))
            return {PENDING_KEY: len(self.blobs) - 1}
        if isinstance(value, (set, frozenset)):
            try:
                return sorted(value)
            except TypeError:
                return list(value)
        if isinstance(value, (Decimal, PurePath)):
            return str(value)
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, tuple):
            return list(value)
        dump = getattr(value, "model_dump", None)  # pydantic models
        if callable(dump):
            try:
                return dump(mode="json")
            except Exception:
                pass
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: getattr(value, f.name, None) for f in dataclasses.fields(value)}
        return self._marker(value)

    def _plain(self, value: Any, path: set[int], depth: int) -> Any:
        """Plain containers and scalars, with cycles and odd values replaced by markers."""
        if depth > MAX_DEPTH:
            return self._marker(value)
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        if isinstance(value, (dict, list, tuple)):
            if id(value) in path:
                return self._marker(value)
            path.add(id(value))
            try:
                if isinstance(value, dict):
                    return {str(k): self._plain(v, path, depth + 1) for k, v in value.items()}
                return [self._plain(v, path, depth + 1) for v in value]
            finally:
                path.discard(id(value))
        try:
            orjson.dumps(value, option=_OPTIONS)
            return orjson.loads(orjson.dumps(value, option=_OPTIONS))
        except (TypeError, orjson.JSONEncodeError):
            converted = self._default(value)
            if converted is value or (
                isinstance(converted, dict) and UNSERIALIZABLE_KEY in converted
            ):
                return converted
            return self._plain(converted, path, depth + 1)

    def _marker(self, value: Any) -> dict[str, str]:
        self.lossy = True
        try:
            text = repr(value)
        except Exception:
            text = "?"
        kind = type(value)
        return {
            UNSERIALIZABLE_KEY: f"{kind.__module__}.{kind.__qualname__}",
            "repr": text[:MAX_REPR],
        }


def snapshot(value: Any) -> Snapshot:
    """Serialize `value` now; never raises."""
    snap = Snapshot()
    try:
        # a copy at its own size: orjson's result keeps a large allocation behind it
        snap.data = memoryview(
            orjson.dumps(value, default=snap._default, option=_OPTIONS)
        ).tobytes()
        return snap
    except (TypeError, orjson.JSONEncodeError):
        pass  # integers beyond 64 bits, cycles, lone surrogates, a failing default
    snap.blobs.clear()
    try:
        plain = snap._plain(value, set(), 0)
        try:
            snap.data = orjson.dumps(plain, option=_OPTIONS)
        except (TypeError, orjson.JSONEncodeError):
            snap.data = json.dumps(plain, ensure_ascii=False).encode("utf-8", "replace")
    except (TypeError, ValueError, RecursionError):
        snap.blobs.clear()
        snap.data = orjson.dumps(snap._marker(value))
    return snap


def resolve_pending(value: Any, blobs: list[bytes], put: Any) -> Any:
    """Replace blob placeholders with references from `put(data, media_type)`, in place."""
    if isinstance(value, dict):
        if len(value) == 1 and PENDING_KEY in value:
            index = value[PENDING_KEY]
            if isinstance(index, int) and 0 <= index < len(blobs):
                return put(blobs[index], "application/octet-stream")
        for k, v in value.items():
            value[k] = resolve_pending(v, blobs, put)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            value[i] = resolve_pending(v, blobs, put)
    return value
