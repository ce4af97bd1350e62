"""Recorded arguments back into a call: bound to parameters by name, blobs read back as bytes.

Runs inside replay workers, so it imports only the standard library and `replay.values`.
"""

from __future__ import annotations

import base64
import inspect
from pathlib import Path
from typing import Any

from realitycheck.replay import values

_PARAM = inspect.Parameter


def bind(params: list[tuple[str, Any]], args: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments from arguments recorded by parameter name."""
    if not params:
        return [], dict(args)
    star = next((n for n, k in params if k is _PARAM.VAR_POSITIONAL), None)
    by_position = star is not None and bool(args.get(star))
    pos: list[Any] = []
    kw: dict[str, Any] = {}
    known = set()
    for name, kind in params:
        known.add(name)
        if name not in args:
            continue
        value = args[name]
        if kind is _PARAM.POSITIONAL_ONLY or (kind is _PARAM.POSITIONAL_OR_KEYWORD and by_position):
            pos.append(value)
        elif kind is _PARAM.VAR_POSITIONAL:
            pos.extend(value or [])
        elif kind is _PARAM.VAR_KEYWORD:
            kw.update(value or {})
        else:
            kw[name] = value
    for name, value in args.items():
        if name not in known:
            kw[name] = value
    return pos, kw


def load_blobs(value: Any, blobs: dict[str, bytes] | None, blob_root: Path | None) -> Any:
    """Recorded arguments with blob references and `$bytes` turned back into bytes."""
    if isinstance(value, dict):
        ref = value.get(values.BLOB_KEY)
        if isinstance(ref, str):
            return _blob(ref, blobs, blob_root)
        if "$bytes" in value and len(value) == 1:
            return base64.b64decode(value["$bytes"])
        return {k: load_blobs(v, blobs, blob_root) for k, v in value.items()}
    if isinstance(value, list):
        return [load_blobs(v, blobs, blob_root) for v in value]
    return value


def _blob(ref: str, blobs: dict[str, bytes] | None, blob_root: Path | None) -> bytes:
    if blobs is not None and ref in blobs:
        return blobs[ref]
    algo, _, digest = ref.partition(":")
    if blob_root is None or algo != "sha256" or len(digest) != 64:
        raise LookupError(f"blob {ref} is not available to the worker")
    try:
        return (blob_root / "sha256" / digest[:2] / digest[2:]).read_bytes()
    except FileNotFoundError:
        raise LookupError(f"blob {ref} is missing from the corpus") from None
