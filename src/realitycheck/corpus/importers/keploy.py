"""`keploy`: Keploy test cases (`kind: Http`) and recorded mocks (`mocks.yaml`).

A test case is an HTTP request to the service and its response. A mock is a call the service
made: HTTP mocks become HTTP samples tagged `egress`; Redis mocks become function samples
`fn:redis:<COMMAND>` with the parsed command and reply; other kinds are counted as ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from realitycheck.corpus.http import BlobPut, http_input, http_output, http_target, template_path
from realitycheck.corpus.importers.base import BadEntry, Entry, Ignored, Item, Progress
from realitycheck.corpus.importers.validate import keploy_http_problem
from realitycheck.corpus.ingest import parse_time

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _pairs(header: Any) -> list[tuple[str, str]]:
    if not isinstance(header, dict):
        return []
    out = []
    for name, value in header.items():
        values = value if isinstance(value, list) else [value]
        out += [(str(name), str(v)) for v in values]
    return out


def _http(spec: dict[str, Any], index: int, blob: BlobPut, tags: list[str]) -> Entry:
    req, resp = spec["req"], spec.get("resp") or {}
    url = urlsplit(str(req["url"]))
    method = str(req["method"])
    sample_input = http_input(
        method, url.path, url.query, _pairs(req.get("header")), req.get("body") or None, blob
    )
    output = None
    if resp.get("status_code"):
        output = http_output(
            int(resp["status_code"]), _pairs(resp.get("header")), resp.get("body") or None, blob
        )
    started, ended = parse_time(req.get("timestamp")), parse_time(resp.get("timestamp"))
    duration = (ended - started).total_seconds() * 1000 if started and ended else None
    if url.hostname:
        tags = [*tags, f"host:{url.hostname}"]
    return Entry(
        index=index,
        target=http_target(method, template_path(url.path)),
        kind="http",
        input=sample_input,
        output=output,
        duration_ms=duration if duration is None or duration >= 0 else None,
        recorded_at=started,
        tags=tags,
    )


def parse_resp(data: str) -> list[Any]:
    """The values in a RESP (Redis protocol) message: arrays, strings, integers, errors."""
    values: list[Any] = []
    pos = 0
    while pos < len(data):
        value, pos = _resp_value(data, pos)
        values.append(value)
    return values


def _resp_value(data: str, pos: int) -> tuple[Any, int]:
    end = data.index("\r\n", pos)
    kind, text = data[pos], data[pos + 1 : end]
    pos = end + 2
    if kind in "+":
        return text, pos
    if kind == "-":
        return {"error": text}, pos
    if kind == ":":
        return int(text), pos
    if kind == "$":
        size = int(text)
        if size < 0:
            return None, pos
        return data[pos : pos + size], pos + size + 2
    if kind == "*":
        count = int(text)
        if count < 0:
            return None, pos
        items = []
        for _ in range(count):
            item, pos = _resp_value(data, pos)
            items.append(item)
        return items, pos
    raise ValueError(f"unknown RESP type {kind!r}")


def _messages(side: Any) -> str:
    parts = []
    for item in side or []:
        for message in item.get("message") or []:
            parts.append(str(message.get("data", "")))
    return "".join(parts)


def _redis(spec: dict[str, Any], index: int) -> Entry:
    request = parse_resp(_messages(spec.get("redisrequests")))
    reply = parse_resp(_messages(spec.get("redisresponses")))
    command = request[0] if request and isinstance(request[0], list) and request[0] else ["?"]
    name = str(command[0]).upper()
    output: dict[str, Any] = {"return": reply[0] if len(reply) == 1 else reply}
    if len(reply) == 1 and isinstance(reply[0], dict) and "error" in reply[0]:
        output = {"raised": {"type": "RedisError", "message": str(reply[0]["error"])}}
    started = parse_time(spec.get("reqtimestampmock"))
    ended = parse_time(spec.get("restimestampmock"))
    return Entry(
        index=index,
        target=f"fn:redis:{name}",
        kind="function",
        input={"args": {"command": name, "args": [str(a) for a in command[1:]]}},
        output=output,
        duration_ms=(ended - started).total_seconds() * 1000 if started and ended else None,
        recorded_at=started,
        tags=["egress", "keploy-mock"],
    )


def entry_from_document(doc: Any, index: int, blob: BlobPut, mock: bool = False) -> Item:
    """One Keploy document (a test, or a mock when `mock`) as an entry."""
    if not isinstance(doc, dict) or "kind" not in doc:
        return BadEntry(index, "not a Keploy document: no 'kind'")
    kind, spec = str(doc["kind"]), doc.get("spec")
    if not isinstance(spec, dict):
        return BadEntry(index, "not a Keploy document: no 'spec'")
    try:
        if kind == "Http":
            problem = keploy_http_problem(spec)
            if problem is not None:
                return BadEntry(index, f"not a Keploy Http document: spec.{problem}")
            tags = ["egress", "keploy-mock"] if mock else ["keploy-test"]
            return _http(spec, index, blob, tags)
        if kind == "Redis":
            return _redis(spec, index)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        why = f"missing {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
        return BadEntry(index, f"not a Keploy {kind} document: {why}")
    return Ignored(index, f"Keploy {kind} mocks are not imported")


def read_keploy(path: Path, blob: BlobPut, progress: Progress) -> Iterator[Item]:
    """Every document of a Keploy test or mocks file, streamed document by document."""
    index = 0
    mock = path.name.startswith("mock")
    with path.open("rb") as fh:
        try:
            for doc in yaml.load_all(fh, Loader=_Loader):
                if doc is None:
                    continue
                yield entry_from_document(doc, index, blob, mock)
                index += 1
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            yield BadEntry(index, f"not valid YAML: {getattr(exc, 'problem', exc)}", line)
    progress.finish_file()
