"""Free text: name rules on `key=value` pairs, header markers, and decoded forms of a string.

The scanner finds secrets by their format; this module finds them by what the text calls them
(`password=…`, `"access_token": "…"`, `Cookie: sid=…`, `Authorization: Bearer …`), and looks
again at what a string decodes to: URL-encoding (`-----BEGIN+RSA+PRIVATE+KEY-----%0A…`), JSON
held as a string, and base64 that decodes to text. Every replacement keeps the length and the
character classes of what it replaces, and is derived from the secret alone, so equal secrets
give equal tokens whichever form they were found in.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
import re2  # type: ignore[import-untyped]

from realitycheck.corpus.redact.shape import mask

if TYPE_CHECKING:
    from realitycheck.corpus.redact.redactor import Redactor

MAX_DEPTH = 2  # decoded forms inside decoded forms, at most this deep
MARKERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_NOT_SECRET = frozenset({"null", "true", "false", "none", "undefined"})
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # errors are raised, not logged to stderr too
_OPTIONS.max_mem = 16 << 20
# name, an optional closing quote (escaped or not), `:` or `=`, then a quoted or bare value
PAIR = re2.compile(
    r"\b(?P<k>[A-Za-z_][A-Za-z0-9_.-]{0,63})(?:\\*[\"'])?[ \t]*[:=][ \t]*"
    r"(?:\\*\"(?P<q>[^\"\\\r\n]+)|'(?P<a>[^'\r\n]+)"
    r"|(?P<b>[^\s\"'&;,<>\\(){}\[\]]+))",
    _OPTIONS,
)
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4}){6,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
BASE64_URL = re.compile(r"(?:[A-Za-z0-9_-]{4}){6,}(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?")
# What makes a sample's JSON text worth a look for decoded forms: a URL escape, or base64 of a
# JSON document (`{"`, `{ "`, `{\n`). Base64 of other text is decoded in strings scanned for
# another reason; a prefilter for any base64 run costs more than the rest of redaction.
PREFILTER = r"%[0-9A-Fa-f]{2}|(?:eyJ|eyAi|ewo)[A-Za-z0-9+/_-]{20}"
Replace = Callable[[str], str]
Span = tuple[int, int, Replace]


def pair_prefilter(stems: list[str]) -> str:
    """An RE2 pattern for a secret-sounding name followed by `:` or `=` in free text."""
    inner = "|".join(stems)
    return rf"(?i:(?:{inner})[A-Za-z0-9_.-]*\\*[\"']?[ \t]*[:=])"


def pair_spans(redactor: Redactor, text: str) -> list[Span]:
    """Values of `name=value`, `name: value` and `"name": "value"` where the name is secret."""
    if "=" not in text and ":" not in text:
        return []
    names, key = redactor.names, redactor.key
    out: list[Span] = []
    pos = 0
    while (m := PAIR.search(text, pos)) is not None:
        value = 2 if m.start(2) >= 0 else 3 if m.start(3) >= 0 else 4
        start, end = m.start(value), m.end(value)
        name = m.group(1)
        if not names.header(name):
            pos = start  # the value may itself be a pair (`error: token=…`)
            continue
        pos = end
        lower = name.lower()
        if lower in MARKERS:  # a header in text: its value runs to the end of the line
            end = pos = _line_end(text, end)
            out.append((start, end, functools.partial(_header, redactor, lower)))
        elif text[start:end].lower() not in _NOT_SECRET:
            out.append((start, end, functools.partial(mask, key)))
    return out


def _header(redactor: Redactor, name: str, value: str) -> str:
    return str(redactor.header_value(name, value))


def _line_end(text: str, end: int) -> int:
    while end < len(text) and text[end] not in '\r\n"\\':
        end += 1
    return end


def url_decoded(text: str) -> tuple[str, list[tuple[int, int]]] | None:
    """`text` URL-decoded (`+` as space), with the original span of each decoded character;
    None when nothing in it is encoded (a `+` counts only in text without spaces)."""
    if not _ESCAPE.search(text) and ("+" not in text or " " in text):
        return None  # no escape, and a `+` in text with spaces is not form-encoding
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "%" and _ESCAPE.match(text, i):
            j, raw = i, bytearray()
            while j < n and _ESCAPE.match(text, j):
                raw.append(int(text[j + 1 : j + 3], 16))
                j += 3
            decoded = raw.decode("utf-8", "replace")
            # split the run back into its characters' escapes
            pos = i
            for c in decoded:
                width = 3 * max(1, len(c.encode("utf-8"))) if c != "\ufffd" else 3
                chars.append(c)
                spans.append((pos, min(pos + width, j)))
                pos += width
            i = j
        else:
            chars.append(" " if ch == "+" else ch)
            spans.append((i, i + 1))
            i += 1
    return "".join(chars), spans


def url_encoded(original: str, decoded: str, redacted: str, spans: list[tuple[int, int]]) -> str:
    """`original` with the characters that redaction changed in its decoded form replaced,
    each written the way the original wrote that character (escaped or not)."""
    out, last = [], 0
    for (start, end), old, new in zip(spans, decoded, redacted, strict=True):
        if old == new:
            continue
        out.append(original[last:start])
        segment = original[start:end]
        if end - start == 1 and segment != "+":
            out.append(new)
        else:
            out.append("".join(f"%{b:02X}" for b in new.encode("utf-8")))
        last = end
    out.append(original[last:])
    return "".join(out)


def json_text(redactor: Redactor, text: str, depth: int) -> str | None:
    """A JSON document held as a string, redacted like a parsed value and written back in
    its own layout; None when the string is not JSON in a layout that can be kept."""
    stripped = text.strip()
    if not stripped or stripped[0] not in "{[" or stripped[-1] not in "}]":
        return None
    try:
        value = orjson.loads(stripped)
    except orjson.JSONDecodeError:
        return None
    layout = _layout(value, stripped)
    if layout is None:
        return None
    from realitycheck.corpus.redact.walk import Walk  # walk imports this module's caller

    walk = Walk(redactor, None, depth=depth)
    new = walk.value(value)
    if not walk.hits:
        return text
    head, tail = text[: text.index(stripped[0])], text[len(text.rstrip()) :]
    return head + layout(new) + tail


def _layout(value: Any, text: str) -> Callable[[Any], str] | None:
    def compact(v: Any) -> str:
        return orjson.dumps(v).decode()

    def spaced(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False)

    def ascii_spaced(v: Any) -> str:
        return json.dumps(v)

    def indented(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False, indent=2)

    for layout in (compact, spaced, ascii_spaced, indented):
        try:
            if layout(value) == text:
                return layout
        except (TypeError, ValueError, orjson.JSONEncodeError):
            return None
    return None


def base64_texts(redactor: Redactor, text: str, depth: int) -> str:
    """`text` with each base64 run that decodes to text holding a secret re-encoded redacted
    (or masked whole when the redacted text no longer fits the run's length)."""
    out, last = [], 0
    for pattern, decode, encode in (
        (BASE64, base64.b64decode, base64.b64encode),
        (BASE64_URL, base64.urlsafe_b64decode, base64.urlsafe_b64encode),
    ):
        for m in pattern.finditer(text):
            if m.start() < last:
                continue
            run = m.group(0)
            plain = _decode_text(decode, run)
            if plain is None:
                continue
            redacted = redactor.text(plain, depth + 1)
            if redacted == plain:
                continue
            new = encode(redacted.encode("utf-8")).decode()
            if not run.endswith("="):
                new = new.rstrip("=")
            out.append(text[last : m.start()])
            out.append(new if len(new) == len(run) else mask(redactor.key, run))
            last = m.end()
        if out:
            break
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _decode_text(decode: Callable[[bytes], bytes], run: str) -> str | None:
    padded = run + "=" * (-len(run) % 4)
    try:
        plain = decode(padded.encode()).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in plain)
    return plain if plain and printable == len(plain) else None
