"""HTTP exchanges as sample JSON: headers, query, bodies decoded by content type, and targets.

Input is `{"method", "path", "query", "headers", "body"}` and output `{"status", "headers",
"body"}`. Header names are lower-cased; a header or parameter given once is a string, one given
several times is a list. A body is JSON when its content type says so and it parses; a form
(urlencoded or multipart) is an object of its fields; other text is a string; bytes go to the
blob store and appear as a blob reference.
"""

from __future__ import annotations

import email.parser
import email.policy
import functools
import gzip
import re
import zlib
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote

import orjson

BlobPut = Callable[[bytes, str], dict[str, Any]]

_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)
_HEX = re.compile(r"^[0-9a-fA-F]{12,}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_~.=+-]{16,}$")
_NUMERIC = re.compile(r"^[0-9][0-9_.:-]*$")
_TEXT_TYPES = ("text/", "application/xml", "application/javascript", "application/x-ndjson")


def multi_dict(pairs: Iterable[tuple[str, str]], *, lower: bool = False) -> dict[str, Any]:
    """Pairs as an object: a name given once maps to a string, several times to a list."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        key = name.lower() if lower else name
        if key in out:
            prev = out[key]
            if isinstance(prev, list):
                prev.append(value)
            else:
                out[key] = [prev, value]
        else:
            out[key] = value
    return out


@functools.lru_cache(maxsize=2048)
def _pairs(query: str) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(query, keep_blank_values=True))


def query_dict(query: str) -> dict[str, Any]:
    """A query string (without `?`) as an object of its parameters."""
    if not query:
        return {}
    return multi_dict(_pairs(query))


def header_dict(pairs: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    """Header pairs (text, or ASGI's lower-case bytes) as an object with lower-case names."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        if type(name) is bytes:
            key, text = name.decode("latin-1"), value.decode("latin-1")
        else:
            key, text = str(name).lower(), str(value)
        prev = out.get(key)
        if prev is None:
            out[key] = text
        elif isinstance(prev, list):
            prev.append(text)
        else:
            out[key] = [prev, text]
    return out


def header_value(headers: dict[str, Any], name: str) -> str | None:
    """One header's value from a headers object (the first, when repeated)."""
    value = headers.get(name)
    if isinstance(value, list):
        return str(value[0]) if value else None
    return None if value is None else str(value)


def media_type(content_type: str | None) -> str:
    """The bare media type of a Content-Type value, lower-cased."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def decompress(body: bytes, encoding: str | None) -> bytes:
    """Undo gzip or deflate content encoding; other encodings are left as they are."""
    enc = (encoding or "").strip().lower()
    try:
        if enc in ("gzip", "x-gzip"):
            return gzip.decompress(body)
        if enc == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
    except (OSError, EOFError, zlib.error):
        return body
    return body


def decode_body(
    body: bytes | str | None, content_type: str | None, put_blob: BlobPut | None
) -> Any:
    """A body as JSON, a form object, text, or a blob reference (None when empty)."""
    if body is None or len(body) == 0:
        return None
    mtype = media_type(content_type)
    if isinstance(body, str):
        text: str | None = body
        raw = None
    else:
        raw = body
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    if mtype.startswith("multipart/form-data") and raw is not None:
        form = parse_multipart(raw, content_type or "", put_blob)
        if form is not None:
            return form
    if text is not None:
        if mtype == "application/json" or mtype.endswith("+json") or mtype == "text/json":
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError:
                return text
        if mtype == "application/x-www-form-urlencoded":
            return query_dict(text)
        if "\x00" not in text or mtype.startswith(_TEXT_TYPES):
            return text
    data = raw if raw is not None else (text or "").encode("utf-8")
    if put_blob is None:
        return {"$bytes": len(data), "media_type": mtype or "application/octet-stream"}
    return put_blob(data, mtype or "application/octet-stream")


def parse_multipart(body: bytes, content_type: str, put_blob: BlobPut | None) -> Any:
    """A multipart/form-data body as an object of its fields (None when it does not parse)."""
    if "boundary=" not in content_type:
        return None
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    try:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    except Exception:
        return None
    if not message.is_multipart():
        return None
    pairs: list[tuple[str, Any]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        raw = part.get_payload(decode=True)
        payload = raw if isinstance(raw, bytes) else b""
        filename = part.get_param("filename", header="content-disposition")
        ptype = part.get_content_type() if part.get("content-type") else None
        value = decode_body(payload, ptype or "text/plain", put_blob) if payload else ""
        if filename is not None or part.get("content-type"):
            value = {"filename": filename, "content_type": ptype, "content": value}
        pairs.append((str(name), value))
    return multi_dict(pairs)


def http_input(
    method: str,
    path: str,
    query: str,
    headers: Iterable[tuple[Any, Any]],
    body: bytes | str | None,
    put_blob: BlobPut | None,
) -> dict[str, Any]:
    """A request as sample input (header names and values as text or ASGI bytes)."""
    hdrs = header_dict(headers)
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if raw:
        raw = decompress(raw, header_value(hdrs, "content-encoding"))
    return {
        "method": method.upper(),
        "path": path or "/",
        "query": query_dict(query),
        "headers": hdrs,
        "body": decode_body(raw, header_value(hdrs, "content-type"), put_blob),
    }


def http_output(
    status: int,
    headers: Iterable[tuple[Any, Any]],
    body: bytes | str | None,
    put_blob: BlobPut | None,
) -> dict[str, Any]:
    """A response as sample output (header names and values as text or ASGI bytes)."""
    hdrs = header_dict(headers)
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if raw:
        raw = decompress(raw, header_value(hdrs, "content-encoding"))
    return {
        "status": int(status),
        "headers": hdrs,
        "body": decode_body(raw, header_value(hdrs, "content-type"), put_blob),
    }


def looks_like_id(segment: str) -> bool:
    """Whether a path segment is an identifier: a number, a UUID, a hex digest, a long token."""
    if not segment:
        return False
    seg = unquote(segment)
    if "@" in seg:
        return True
    if _NUMERIC.match(seg) and sum(ch.isdigit() for ch in seg) >= 1:
        return True
    if _UUID.match(seg) or (_HEX.match(seg) and any(ch.isdigit() for ch in seg)):
        return True
    return bool(_TOKEN.match(seg)) and any(ch.isdigit() for ch in seg)


_MAYBE_ID = re.compile(r"[0-9@%]")
_VERSION = re.compile(r"^v?\d{1,2}(\.\d{1,2})?$")


def template_path(path: str) -> str:
    """A path with ids, UUIDs, digests and long tokens replaced by `{id}`.

    A short number leading a longer path is an API version (`/2/users/{id}`), not an id.
    """
    path = path.split("?", 1)[0] or "/"
    if not _MAYBE_ID.search(path):
        return path  # no digit, `@` or escape anywhere: nothing looks like an id
    segments = path.split("/")
    out = []
    for i, seg in enumerate(segments):
        version = i == 1 and len(segments) > 2 and _VERSION.match(seg)
        out.append("{id}" if not version and looks_like_id(seg) else seg)
    return "/".join(out)


_PARAM = re.compile(r"\{[^/{}]*\}")


def http_target(method: str, route: str) -> str:
    """`http:METHOD /route`, every path parameter spelt `{id}`.

    A framework's `/users/{user_id}` and an importer's `/users/{id}` (a recorded `/users/42`)
    are one route, so they get one name whichever way the samples were recorded.
    """
    route = _PARAM.sub("{id}", route) if "{" in route else route
    return f"http:{method.upper()} {route or '/'}"


def split_target(target: str) -> tuple[str, str]:
    """(method, route) of an http target."""
    method, _, route = target.removeprefix("http:").partition(" ")
    return method, route
