"""HTTP replay's wire format: recorded requests rebuilt, responses as documents, and compared.

A recorded request keeps only its method, path, query, headers and body; its host and scheme are
replaced by the service's. `replay.sender` sends them; this module decides what is sent and how
the answers compare.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from realitycheck.core.errors import ConfigError
from realitycheck.replay import values
from realitycheck.replay.compare import Comparator, Found, compare_json, is_empty
from realitycheck.replay.noise import Thresholds

if TYPE_CHECKING:  # sender processes import this module, and need no configuration
    from realitycheck.core.config.replay import Comparison, HttpService, ReplayConfig

DROP_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "content-encoding",
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


def _host(host: str) -> str:
    return host.strip("[]").lower()


def check_url(url: str, allowed: Iterable[str], *, option: str) -> httpx.URL:
    """A service URL the user gave, refused unless its host is on the allow-list."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigError(f"{url!r} is not a URL: {exc}", place=option) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(f"{url!r} is not an http:// or https:// URL", place=option)
    if _host(parsed.host) not in {_host(h) for h in allowed}:
        raise ConfigError(
            f"{parsed.host} is not an allowed host; replay contacts only "
            f"{', '.join(sorted(allowed))}",
            place=option,
            hint="add the host to replay.allowed_hosts or pass --allow-host",
        )
    return parsed


@dataclass(frozen=True)
class Endpoints:
    """Where the base (twice, for noise) and the head service answer."""

    baseline: httpx.URL
    candidate: httpx.URL
    secondary: httpx.URL | None = None


@dataclass(frozen=True)
class HttpSettings:
    """How one service's targets are replayed and compared."""

    comparison: Comparison
    methods: frozenset[str]
    compare_headers: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    concurrency: int
    rate: float | None
    timeout: float
    thresholds: Thresholds
    ignore: tuple[str, ...]
    senders: int | None = None


def settings_for(
    config: ReplayConfig,
    service: HttpService | None = None,
    *,
    allow_methods: Iterable[str] = (),
    allow_hosts: Iterable[str] = (),
) -> HttpSettings:
    """The settings of a configured service (or of URLs given on the command line)."""
    from realitycheck.core.config.replay import SAFE_METHODS, Comparison

    comparison = Comparison() if service is None else service
    extra = [m.upper() for m in allow_methods] + (service.allow_methods if service else [])
    headers = service.compare_headers if service else ["content-type"]
    return HttpSettings(
        comparison=Comparison(
            comparator=comparison.comparator,
            text_threshold=comparison.text_threshold,
            ignore=list(comparison.ignore),
        ),
        methods=frozenset([*SAFE_METHODS, *extra]),
        compare_headers=tuple(h.lower() for h in headers),
        allowed_hosts=(*config.allowed_hosts, *allow_hosts),
        concurrency=config.concurrency,
        rate=config.rate,
        timeout=config.timeout,
        thresholds=Thresholds(config.relative_threshold, config.absolute_threshold),
        ignore=(*config.ignore, *comparison.ignore),
        senders=config.senders,
    )


@dataclass(frozen=True)
class Request:
    """A recorded request, ready to send to any service."""

    method: str
    target: bytes
    headers: list[tuple[str, str]]
    content: bytes | None


def build_request(recorded: dict[str, Any], blob: Callable[[dict[str, Any]], bytes]) -> Request:
    """The method, request target (path and query), headers and body of a recorded request."""
    method = str(recorded.get("method") or "GET").upper()
    path = str(recorded.get("path") or "/")
    if "\r" in path or "\n" in path:
        raise ValueError("the recorded path holds a line break")
    if not path.startswith("/"):
        path = "/" + path
    if not path.isascii() or " " in path:
        path = urllib.parse.quote(path, safe=_PATH_SAFE)
    path = path.replace("#", "%23")  # a fragment is never sent: a recorded '#' is part of the path
    query = _query(recorded.get("query"))
    if query and "?" not in path:
        path += "?" + query
    headers = _headers(recorded.get("headers"))
    content = _content(recorded.get("body"), headers, blob)
    return Request(method, path.encode("ascii"), headers, content)


def _query(query: Any) -> str:
    if not query:
        return ""
    if isinstance(query, str):
        return query.lstrip("?")
    pairs: list[tuple[str, str]] = []
    items = query.items() if isinstance(query, dict) else query
    for key, value in items:
        for one in value if isinstance(value, list) else [value]:
            pairs.append((str(key), "" if one is None else str(one)))
    return urllib.parse.urlencode(pairs)


def _headers(headers: Any) -> list[tuple[str, str]]:
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    out: list[tuple[str, str]] = []
    for name, value in items:
        if str(name).lower() in DROP_HEADERS or str(name).startswith(":"):
            continue
        for one in value if isinstance(value, list) else [value]:
            out.append((str(name), str(one)))
    return out


def _content(
    body: Any, headers: list[tuple[str, str]], blob: Callable[[dict[str, Any]], bytes]
) -> bytes | None:
    if body is None or body == "":
        return None
    if isinstance(body, dict) and values.BLOB_KEY in body:
        return blob(body)
    if isinstance(body, dict) and set(body) == {"$bytes"}:
        return base64.b64decode(body["$bytes"])
    if isinstance(body, str):
        return body.encode("utf-8")
    ctype = next((v.lower() for n, v in headers if n.lower() == "content-type"), "")
    if isinstance(body, dict) and "x-www-form-urlencoded" in ctype:
        return _query(body).encode("ascii")
    if "multipart/" in ctype:
        raise ValueError("multipart bodies are not replayed")
    if not ctype:
        headers.append(("content-type", "application/json"))
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def response_doc(response: httpx.Response, compare_headers: Sequence[str]) -> dict[str, Any]:
    """A response as a JSON document: status, the compared headers, and the body."""
    ctype = response.headers.get("content-type", "").lower()
    raw = response.content
    body: Any
    if not raw:
        body = ""
    elif "json" in ctype:
        try:
            body = json.loads(raw)
        except ValueError:
            body = response.text
    elif ctype.startswith("text/") or "xml" in ctype or "charset=" in ctype:
        body = response.text
    else:
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            body = values.blob_ref(raw, ctype or "application/octet-stream")
    headers = {h: response.headers[h] for h in compare_headers if h in response.headers}
    return {"status": response.status_code, "headers": headers, "body": body}


def compare_responses(
    base_state: str,
    base: dict[str, Any],
    head_state: str,
    head: dict[str, Any],
    compare: Comparator,
    *,
    texts: tuple[str, str] | None = None,
) -> list[Found]:
    """How the head's answer to one request differs from the base's (`texts`: their canonical)."""
    if base_state == "ok" and head_state == "ok":
        base_text, head_text = texts or (values.canonical(base), values.canonical(head))
        if base_text == head_text:
            return []
        b_status, h_status = base["status"], head["status"]
        if h_status >= 500 > b_status:
            return [Found("$.status", "exception", f"HTTP {b_status} → {h_status}")]
        out: list[Found] = []
        if b_status != h_status:
            out.append(Found("$.status", "value-changed", f"HTTP {b_status} → {h_status}"))
        out += compare_json(base["headers"], head["headers"], "$.headers")
        if not is_empty(base["body"]) and is_empty(head["body"]):
            out.append(Found("$.body", "empty", "an empty body where the base sent one"))
        else:
            out += compare(base["body"], head["body"], "$.body")
        return out
    if base_state == head_state:
        return []
    if head_state == "timeout":
        return [Found("$", "timeout", f"no answer within the timeout ({head.get('error', '')})")]
    if head_state == "raised":
        return [Found("$", "exception", str(head.get("error", "")))]
    if base_state != "ok":
        return [Found("$", "base-failed", f"the base request failed: {base.get('error', '')}")]
    return [Found("$", "changed", f"base {base_state}, head {head_state}")]
