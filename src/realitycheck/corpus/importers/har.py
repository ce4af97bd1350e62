"""`har`: HAR 1.2 archives from browsers, mitmproxy, Charles, Insomnia, Playwright.

Entries are streamed with ijson, so a large archive never sits in memory whole. A byte-order mark
is skipped; base64 bodies are decoded; a truncated file yields the entries before the cut and
reports the cut as a bad entry.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlencode, urlsplit

import ijson  # type: ignore[import-untyped]

from realitycheck.core.errors import InputError
from realitycheck.corpus.http import BlobPut, http_input, http_output, http_target, template_path
from realitycheck.corpus.importers.base import BadEntry, Entry, Item, Progress
from realitycheck.corpus.importers.validate import har_problem
from realitycheck.corpus.ingest import parse_time

BOM = b"\xef\xbb\xbf"


def open_skipping_bom(path: Path) -> BinaryIO:
    """The file, opened in binary and positioned after a UTF-8 byte-order mark if it has one."""
    fh = path.open("rb")
    if fh.read(3) != BOM:
        fh.seek(0)
    return fh


def _headers(items: Any) -> list[tuple[str, str]]:
    if not isinstance(items, list):
        return []
    out = []
    for h in items:
        name = str(h.get("name", ""))
        if name and not name.startswith(":"):  # HTTP/2 pseudo-headers
            out.append((name, str(h.get("value", ""))))
    return out


def _content(content: Any) -> bytes | str | None:
    if not isinstance(content, dict) or content.get("text") is None:
        return None
    text = content["text"]
    if content.get("encoding") == "base64":
        return base64.b64decode(text)
    return str(text)


def entry_from_har(raw: Any, index: int, blob: BlobPut) -> Entry:
    """One HAR entry as an Entry; raises KeyError, TypeError or ValueError when malformed."""
    request = raw["request"]
    url = urlsplit(str(request["url"]))
    method = str(request["method"])
    post = request.get("postData") or {}
    headers = _headers(request.get("headers"))
    body: bytes | str | None = None
    if post.get("text") not in (None, ""):
        body = _content(post)
    elif post.get("params"):
        body = urlencode([(p.get("name", ""), p.get("value", "")) for p in post["params"]])
    if (
        body is not None
        and post.get("mimeType")
        and not any(k.lower() == "content-type" for k, _ in headers)
    ):
        headers.append(("content-type", str(post["mimeType"])))
    sample_input = http_input(method, url.path, url.query, headers, body, blob)
    response = raw.get("response") or {}
    status = int(response.get("status") or 0)
    output = None
    tags = [f"host:{url.hostname}"] if url.hostname else []
    if status:
        content = response.get("content") or {}
        rheaders = _headers(response.get("headers"))
        if content.get("mimeType") and not any(k.lower() == "content-type" for k, _ in rheaders):
            rheaders.append(("content-type", str(content["mimeType"])))
        output = http_output(status, rheaders, _content(content), blob)
    else:
        tags.append("no-response")
    if raw.get("_webSocketMessages"):
        tags.append("websocket")
    time_ms = raw.get("time")
    return Entry(
        index=index,
        target=http_target(method, template_path(url.path)),
        kind="http",
        input=sample_input,
        output=output,
        duration_ms=float(time_ms) if isinstance(time_ms, (int, float)) and time_ms >= 0 else None,
        recorded_at=parse_time(raw.get("startedDateTime")),
        tags=tags,
    )


def read_har(path: Path, blob: BlobPut, progress: Progress) -> Iterator[Item]:
    """Every entry of a HAR file, streamed, each checked against the HAR 1.2 schema first."""
    _check_entries(path)
    index = 0
    with open_skipping_bom(path) as fh:
        try:
            for raw in ijson.items(fh, "log.entries.item", use_float=True):
                problem = har_problem(raw)
                if problem is not None:
                    yield BadEntry(index, f"not a HAR 1.2 entry: {problem}")
                    index += 1
                    continue
                try:
                    yield entry_from_har(raw, index, blob)
                except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as exc:
                    yield BadEntry(index, f"not a HAR entry: {_why(exc)}")
                index += 1
                progress.at(fh.tell())
        except ijson.JSONError as exc:
            if isinstance(exc, ijson.IncompleteJSONError) and "premature" in str(exc).lower():
                yield BadEntry(index, "the file ends early (truncated HAR)")
            else:
                yield BadEntry(index, f"not valid JSON: {str(exc).splitlines()[0]}")
            return
    if index == 0 and not _has_entries(path):
        yield BadEntry(0, "not a HAR file: it has no log.entries")


def _check_entries(path: Path) -> None:
    """Refuse a file whose `log` or `log.entries` has the wrong type (a truncated or invalid
    JSON file is left to the entry loop, which names where it breaks)."""
    with open_skipping_bom(path) as fh:
        try:
            for prefix, event, _ in ijson.parse(fh):
                if prefix == "" and event not in ("start_map", "map_key", "end_map"):
                    kind = _JSON_KINDS.get(event, event)
                    raise InputError(f"not a HAR file: it is {kind}, not an object", path=path)
                if prefix == "log" and event not in ("start_map", "map_key", "end_map"):
                    kind = _JSON_KINDS.get(event, event)
                    raise InputError(f"log is {kind}, not an object", path=path, place="log")
                if prefix == "log.entries":
                    if event == "start_array":
                        return
                    kind = _JSON_KINDS.get(event, event)
                    raise InputError(
                        f"log.entries is {kind}, not a list", path=path, place="log.entries"
                    )
        except ijson.JSONError:
            return


_JSON_KINDS = {
    "start_map": "an object",
    "start_array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "a number",
    "double": "a number",
    "boolean": "a boolean",
    "null": "null",
}


def _has_entries(path: Path) -> bool:
    with open_skipping_bom(path) as fh:
        try:
            for _ in ijson.items(fh, "log.entries"):
                return True
        except ijson.JSONError:
            return False
    return False


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    return str(exc) or type(exc).__name__
