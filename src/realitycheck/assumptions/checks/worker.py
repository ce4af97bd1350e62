"""The probe worker: imports probes from the head tree and maps values to what they return.

Run as a script by `probes.py`, never imported by realitycheck itself, so it needs only the
standard library in the interpreter that runs it. Protocol on stdin/stdout, one request at a time:
a JSON line {"id", "probe", "value", "sizes"} followed by the raw bytes of each blob the value
refers to as {"$bytes": i}; the answer is a JSON line {"id", "value"} or {"id", "error"}.
Anything a probe prints goes to standard error, never into the protocol.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

BYTES_KEY = "$bytes"


def _restore(value: Any, blobs: list[bytes]) -> Any:
    if isinstance(value, dict):
        if set(value) == {BYTES_KEY}:
            return blobs[int(value[BYTES_KEY])]
        return {k: _restore(v, blobs) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v, blobs) for v in value]
    return value


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return str(value)


def _read_exact(stream: Any, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the parent closed the pipe in the middle of a blob")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _load(spec: str, cache: dict[str, Any]) -> Any:
    if spec not in cache:
        module, _, attr = spec.partition(":")
        obj: Any = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        if not callable(obj):
            raise TypeError(f"{spec} is not callable")
        cache[spec] = obj
    return cache[spec]


def main() -> int:
    """Serve probe requests until standard input closes."""
    for root in reversed(sys.argv[1:]):
        sys.path.insert(0, root)
    channel = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    source = sys.stdin.buffer
    cache: dict[str, Any] = {}
    channel.write(b'{"ready": true}\n')
    while True:
        line = source.readline()
        if not line:
            return 0
        request = json.loads(line)
        blobs = [_read_exact(source, int(n)) for n in request.get("sizes", [])]
        answer: dict[str, Any] = {"id": request["id"]}
        try:
            probe = _load(request["probe"], cache)
            answer["value"] = _plain(probe(_restore(request["value"], blobs)))
        except Exception as exc:  # a probe's failure is data about that sample
            frame = traceback.extract_tb(exc.__traceback__)[-1:]
            at = f" at {Path(frame[0].filename).name}:{frame[0].lineno}" if frame else ""
            answer["error"] = f"{type(exc).__name__}: {exc}{at}"
        channel.write(json.dumps(answer, ensure_ascii=False).encode() + b"\n")


if __name__ == "__main__":
    sys.exit(main())
