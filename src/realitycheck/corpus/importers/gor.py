"""`gor`: GoReplay's `--output-file` recordings, plain or gzipped.

Each payload is a header line (`<type> <id> <timestamp ns> [<latency ns>]`; type 1 is a
request, 2 its original response, 3 a replayed response), the raw HTTP message, and the
separator line `🐵🙈🙉`. Requests are paired with their responses by id; a request whose
response never came is kept without output. Each message is checked as HTTP/1.1 (`wire.py`).
"""

from __future__ import annotations

import gzip
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from realitycheck.corpus.http import BlobPut, http_input, http_output, http_target, template_path
from realitycheck.corpus.importers.base import BadEntry, Entry, Item, Progress
from realitycheck.corpus.importers.wire import parse_request, parse_response

SEPARATOR = "\n🐵🙈🙉\n".encode()
MAX_PENDING = 10_000
CHUNK = 1 << 20


@dataclass
class Message:
    """One raw HTTP message with its GoReplay header line."""

    kind: str
    id: str
    timestamp: int
    latency: int | None
    start: str
    headers: list[tuple[str, str]]
    body: bytes
    raw: bytes = b""


def payloads(fh: BinaryIO) -> Iterator[bytes]:
    """The payloads of a .gor stream, split on the separator, read in chunks."""
    buf = b""
    while True:
        chunk = fh.read(CHUNK)
        if not chunk:
            break
        buf += chunk
        while True:
            cut = buf.find(SEPARATOR)
            if cut < 0:
                break
            yield buf[:cut]
            buf = buf[cut + len(SEPARATOR) :]
    if buf.strip():
        yield buf.rstrip(b"\n")


def parse_message(payload: bytes) -> Message:
    """A payload as a Message; raises ValueError when it is not one.

    A request is checked as HTTP at once; a response is kept raw until its request is known
    (a response to HEAD has no body), then checked by `_entry`.
    """
    meta, _, raw = payload.lstrip(b"\n").partition(b"\n")
    fields = meta.decode("ascii", "replace").split()
    if len(fields) < 3 or fields[0] not in ("1", "2", "3") or not fields[2].isdigit():
        raise ValueError(f"bad payload header line {meta[:60]!r}")
    if not raw.strip():
        raise ValueError("empty HTTP message")
    message = Message(
        kind=fields[0],
        id=fields[1],
        timestamp=int(fields[2]),
        latency=int(fields[3]) if len(fields) > 3 and fields[3].lstrip("-").isdigit() else None,
        start="",
        headers=[],
        body=b"",
        raw=raw,
    )
    if message.kind == "1":
        request = parse_request(raw)
        message.start, message.headers, message.body = request.start, request.headers, request.body
    return message


def _entry(index: int, request: Message, response: Message | None, blob: BlobPut) -> Entry:
    method, _, rest = request.start.partition(" ")
    target_uri = rest.rsplit(" ", 1)[0] if " HTTP/" in rest else rest
    url = urlsplit(target_uri)
    sample_input = http_input(method, url.path, url.query, request.headers, request.body, blob)
    output = None
    duration = None
    if response is not None:
        parsed = parse_response(response.raw, method)
        output = http_output(parsed.status, parsed.headers, parsed.body, blob)
        latency = response.latency if response.latency else response.timestamp - request.timestamp
        duration = latency / 1e6 if latency and latency > 0 else None
    host = next((v for k, v in request.headers if k.lower() == "host"), None)
    return Entry(
        index=index,
        target=http_target(method, template_path(url.path)),
        kind="http",
        input=sample_input,
        output=output,
        duration_ms=duration,
        recorded_at=datetime.fromtimestamp(request.timestamp / 1e9, timezone.utc),
        tags=[f"host:{host.split(':')[0]}"] if host else [],
    )


def read_gor(path: Path, blob: BlobPut, progress: Progress) -> Iterator[Item]:
    """Every request of a .gor file (with its response when recorded)."""
    pending: OrderedDict[str, tuple[int, Message]] = OrderedDict()
    index = 0
    with path.open("rb") as raw_fh:
        gzipped = raw_fh.read(2) == b"\x1f\x8b"
        raw_fh.seek(0)
        fh: BinaryIO = gzip.GzipFile(fileobj=raw_fh) if gzipped else raw_fh  # type: ignore[assignment]
        try:
            for payload in payloads(fh):
                try:
                    message = parse_message(payload)
                except ValueError as exc:
                    yield BadEntry(index, f"not a GoReplay payload: {exc}")
                    index += 1
                    continue
                if message.kind == "1":
                    pending[message.id] = (index, message)
                    index += 1
                    while len(pending) > MAX_PENDING:
                        _, (i, req) = pending.popitem(last=False)
                        yield _safe_entry(i, req, None, blob)
                elif message.kind == "2" and message.id in pending:
                    i, req = pending.pop(message.id)
                    yield _safe_entry(i, req, message, blob)
                progress.at(raw_fh.tell())
        except (OSError, EOFError) as exc:  # a cut or corrupt .gz
            yield BadEntry(index, f"cannot read further: {exc}")
    for i, req in pending.values():
        yield _safe_entry(i, req, None, blob)


def _safe_entry(index: int, request: Message, response: Message | None, blob: BlobPut) -> Item:
    try:
        return _entry(index, request, response, blob)
    except ValueError as exc:
        return BadEntry(index, f"not an HTTP exchange: {exc}")
