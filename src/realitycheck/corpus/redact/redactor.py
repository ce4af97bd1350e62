"""Redaction of a sample before it touches disk: name rules, then the scanner over all text.

`Redactor.sample` edits a sample's input and output in place (callers pass fresh objects) and
returns the JSON paths it redacted. A cheap prefilter over the sample's JSON text decides whether
the walk is needed at all, so clean samples cost one RE2 search.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from realitycheck.corpus.model import BLOB_KEY
from realitycheck.corpus.redact import freetext
from realitycheck.corpus.redact.detectors import DETECTORS, Detector
from realitycheck.corpus.redact.names import NameRules
from realitycheck.corpus.redact.paths import Component, PathPattern
from realitycheck.corpus.redact.scanner import Scanner
from realitycheck.corpus.redact.shape import mask, mask_float, mask_int
from realitycheck.corpus.redact.walk import Walk

MIN_SCAN_LENGTH = 6
ANCHOR = 6  # characters of a prefilter match that must appear in a string worth scanning
Anchors = tuple[str, ...] | None
_LEADING_ESCAPE = re.compile(rb"^\\(?:u[0-9a-fA-F]{4}|.)")


@dataclass
class Rules:
    """What is redacted: built-in detectors and name rules, plus configured additions."""

    detectors: Sequence[Detector] = DETECTORS
    fields: Sequence[str] = ()
    headers: Sequence[str] = ()
    allow_names: Sequence[str] = ()
    allow_paths: Sequence[str] = ()
    allow_values: Sequence[str] = ()
    scan: bool = True
    binary_blobs: bool = False
    disabled: Sequence[str] = field(default_factory=tuple)


def anchors_of(found: Iterable[bytes]) -> tuple[str, ...] | None:
    """Anchors from the prefilter's matches in a sample's JSON texts; None when there are none.

    A match that starts with a quote is an object key: the name rules look at every key
    anyway, so it adds no anchor (and a sample whose matches are all keys scans no strings).
    A match that starts with a JSON escape (`\\n`, `\\"` of a key in JSON held as a string)
    is anchored after it, and an anchor ends before any other escape, so that it is found in
    the decoded string.
    """
    starts = set()
    seen = False
    for m in found:
        seen = True
        if m.startswith(b'"'):
            continue
        text = _LEADING_ESCAPE.sub(b"", m, count=1).lstrip(b'"')
        starts.add(text[:ANCHOR].split(b"\\")[0].decode("utf-8", "ignore"))
    return tuple(starts) if seen else None


class Redactor:
    """Redacts samples and text with one key and one set of rules."""

    def __init__(self, key: bytes, rules: Rules | None = None) -> None:
        self.key = key
        self.rules = rules = rules or Rules()
        self.names = NameRules(fields=rules.fields, headers=rules.headers, allow=rules.allow_names)
        detectors = [d for d in rules.detectors if d.kind not in set(rules.disabled)]
        prefilter = f"{self.names.prefilter()}|{freetext.PREFILTER}"
        self.scanner = Scanner(detectors if rules.scan else [], prefilter)
        self.allow_paths = [PathPattern(p) for p in rules.allow_paths]
        self.allow_values = set(rules.allow_values)
        self.card = any(d.kind == "card-number" for d in detectors) and rules.scan
        self.card_check = next((d for d in detectors if d.kind == "card-number"), None)
        # Custom patterns that could match across JSON escapes disable the fast path.
        self.always_walk = any(
            ('"' in d.pattern or "\\\\" in d.pattern) and d not in DETECTORS for d in detectors
        )

    # -- text ------------------------------------------------------------------------------

    def text(self, value: str, depth: int = 0) -> str:
        """`value` with every secret in it replaced by its token: what the scanner finds, the
        values of secret-named pairs, and the same in the forms the text decodes to (JSON
        held as a string, URL-encoding, base64 of text), `depth` decodings deep at most."""
        if len(value) < MIN_SCAN_LENGTH or value in self.allow_values:
            return value
        if depth < freetext.MAX_DEPTH:
            as_json = freetext.json_text(self, value, depth + 1)
            if as_json is not None:
                return as_json
        out = value
        if depth < freetext.MAX_DEPTH and (decoded := freetext.url_decoded(value)) is not None:
            plain, places = decoded
            redacted = self.text(plain, depth + 1)
            if redacted != plain:
                out = (
                    freetext.url_encoded(value, plain, redacted, places)
                    if len(redacted) == len(plain)
                    else mask(self.key, value)
                )
        out = self._spans(out, value)
        if depth < freetext.MAX_DEPTH:
            out = freetext.base64_texts(self, out, depth)
        return out

    def _spans(self, text: str, original: str) -> str:
        """`text` with the scanner's and the pair rules' findings replaced, except where an
        earlier pass already changed it from `original`."""
        spans: list[freetext.Span] = [
            (start, end, functools.partial(det.replace, self.key))
            for start, end, det in self.scanner.spans(text)
        ]
        spans += freetext.pair_spans(self, text)
        if not spans:
            return text
        spans.sort(key=lambda s: (s[0], -s[1]))
        out, last = [], 0
        for start, end, replace in spans:
            secret = text[start:end]
            if start < last or secret in self.allow_values or secret != original[start:end]:
                continue
            out.append(text[last:start])
            out.append(replace(secret))
            last = end
        out.append(text[last:])
        return "".join(out)

    def needs_walk(self, *texts: bytes) -> bool:
        """Whether JSON text may hold anything to redact (False means it certainly does not)."""
        if self.always_walk:
            return True
        pre = self.scanner.prefilter
        if pre is None:
            return False
        text = texts[0] if len(texts) == 1 else b"\n".join(texts)
        return pre.search(text) is not None

    def blob(self, data: bytes) -> bytes | None:
        """Redacted bytes of a blob, or None when nothing changed (binary unless configured)."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            if not self.rules.binary_blobs:
                return None
            text = data.decode("latin-1")  # one character per byte: offsets stay put
            redacted = self.text(text)
            return None if redacted == text else redacted.encode("latin-1", "replace")
        if "\x00" in text and not self.rules.binary_blobs:
            return None
        redacted = self.text(text)
        return None if redacted == text else redacted.encode("utf-8")

    # -- samples ---------------------------------------------------------------------------

    def sample(
        self,
        kind: str,
        input: dict[str, Any],
        output: dict[str, Any] | None,
        texts: Iterable[bytes] | None = None,
    ) -> list[str]:
        """Redact input and output in place and list the redacted paths.

        `texts` are the sample's JSON texts when the caller has them: when the prefilter finds
        nothing in them, the walk is skipped, and otherwise only strings holding the start of
        something it found are scanned.
        """
        anchors = None
        if texts is not None:
            anchors = self._anchors(list(texts))
            if anchors is None:
                return []
        return self.walk(kind, input, output, anchors)

    def walk(
        self,
        kind: str,
        input: dict[str, Any],
        output: dict[str, Any] | None,
        anchors: tuple[str, ...] | None = None,
        keys: tuple[str, ...] | None = None,
    ) -> list[str]:
        """Redact input and output in place, scanning only strings that hold an anchor (all
        strings when `anchors` is None), and list the redacted paths.

        `keys` are the object keys the prefilter found (`"authorization":`), given when the
        caller knows the sample's JSON texts hold no escape sequence (so that any part's own
        JSON text shows them as they are): then a part of the input or output whose JSON text
        holds no anchor and none of these keys is not walked at all.
        """
        anchors = ("",) if self.always_walk else anchors
        walk = Walk(self, anchors)
        if anchors is not None and keys is not None:
            walk.marks = tuple(a.encode() for a in anchors) + tuple(k.encode() for k in keys)
        path = walk.path
        for name, part in (("input", input), ("output", output)):
            if not isinstance(part, dict):
                continue
            path.append(name)
            for k, value in part.items():
                if (kind == "http" and k in ("method", "status")) or not walk.holds(value):
                    continue
                path.append(k)
                part[k] = (
                    walk.headers(value) if kind == "http" and k == "headers" else walk.value(value)
                )
                path.pop()
            path.pop()
        return walk.hits

    def _anchors(self, texts: list[bytes]) -> tuple[str, ...] | None:
        """The starts of what the prefilter finds in JSON texts; None when it finds nothing."""
        if self.always_walk:
            return ("",)
        pre = self.scanner.prefilter
        if pre is None:
            return None
        text = texts[0] if len(texts) == 1 else b"\n".join(texts)
        return anchors_of(m.group(0) for m in pre.finditer(text))

    def allowed(self, path: list[Component]) -> bool:
        """Whether an allow-listed path covers this one."""
        return any(p.matches(path) for p in self.allow_paths)

    def mask_all(self, value: Any) -> Any:
        """A value with every string and number in it masked (blob references kept)."""
        if isinstance(value, str):
            return value if value in self.allow_values else mask(self.key, value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            return mask_int(self.key, value)
        if isinstance(value, float):
            return mask_float(self.key, value)
        if isinstance(value, dict):
            if isinstance(value.get(BLOB_KEY), str):
                return value
            return {k: self.mask_all(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mask_all(v) for v in value]
        return value

    def header_value(self, name: str, value: Any) -> Any:
        """The masked value of a secret header (schemes and cookie names kept)."""
        if isinstance(value, list):
            return [self.header_value(name, v) for v in value]
        if not isinstance(value, str):
            return self.mask_all(value)
        if name == "cookie":
            return ";".join(self._cookie_pair(p) for p in value.split(";"))
        if name == "set-cookie":
            first, sep, rest = value.partition(";")
            return self._cookie_pair(first) + sep + rest
        if name in ("authorization", "proxy-authorization"):
            scheme, sep, credentials = value.partition(" ")
            if sep and scheme.isalpha():
                return scheme + sep + mask(self.key, credentials)
        return mask(self.key, value)

    def _cookie_pair(self, pair: str) -> str:
        name, sep, value = pair.partition("=")
        if not sep:
            return mask(self.key, pair)
        return name + sep + mask(self.key, value.strip()) if value.strip() else pair
