"""Redaction of a sample before it touches disk: name rules, then the scanner over all text.

`Redactor.sample` edits a sample's input and output in place (callers pass fresh objects) and
returns the JSON paths it redacted. A cheap prefilter over the sample's JSON text decides whether
the walk is needed at all, so clean samples cost one RE2 search.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import re2  # type: ignore[import-untyped]

from realitycheck.corpus.model import BLOB_KEY
from realitycheck.corpus.redact.detectors import DETECTORS, Detector
from realitycheck.corpus.redact.names import NameRules
from realitycheck.corpus.redact.paths import Component, PathPattern, format_path
from realitycheck.corpus.redact.shape import mask, mask_float, mask_int

MIN_SCAN_LENGTH = 6
ANCHOR = 6  # characters of a prefilter match that must appear in a string worth scanning
Anchors = tuple[str, ...] | None
_OPTIONS = re2.Options()
_OPTIONS.max_mem = 64 << 20


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


class Scanner:
    """All detectors compiled into one RE2 pattern, for text and for JSON bytes."""

    def __init__(self, detectors: Sequence[Detector], extra_prefilter: str = "") -> None:
        self.detectors = list(detectors)
        alternatives = []
        for i, det in enumerate(self.detectors):
            inner = det.pattern.replace("(?P<s>", f"(?P<s{i}>")
            alternatives.append(f"(?P<d{i}>{inner})")
        self.has_group = ["(?P<s>" in d.pattern for d in self.detectors]
        self.pattern = re2.compile("|".join(alternatives), _OPTIONS) if alternatives else None
        index = self.pattern.groupindex if self.pattern is not None else {}
        self.outer = [index.get(f"d{i}", 0) for i in range(len(self.detectors))]
        self.inner = [index.get(f"s{i}", self.outer[i]) for i in range(len(self.detectors))]
        self.singles: dict[int, Any] = {}
        pre = [f"(?:{d.pattern.replace('(?P<s>', '(?:')})" for d in self.detectors]
        if extra_prefilter:
            pre.append(extra_prefilter)
        self.prefilter = re2.compile("|".join(pre).encode(), _OPTIONS) if pre else None

    def _single(self, i: int) -> Any:
        if i not in self.singles:
            pat = self.detectors[i].pattern.replace("(?P<s>", "(?P<s0>")
            self.singles[i] = re2.compile(pat, _OPTIONS)
        return self.singles[i]

    def spans(self, text: str) -> list[tuple[int, int, Detector]]:
        """The secret spans in `text`: (start, end, detector), in order, not overlapping."""
        if self.pattern is None:
            return []
        out: list[tuple[int, int, Detector]] = []
        for m in self.pattern.finditer(text):
            for i in range(len(self.detectors)):
                if m.start(self.outer[i]) < 0:
                    continue
                span = self._accept(m, i, self.inner[i])
                if span is None:  # rejected by its check: a later detector may still fit
                    span = self._retry(text, m.start(), i)
                if span is not None:
                    out.append(span)
                break
        return out

    def _accept(self, m: Any, i: int, group: int) -> tuple[int, int, Detector] | None:
        det = self.detectors[i]
        start, end = m.start(group), m.end(group)
        if start < 0 or start == end:
            return None
        if det.check is not None and not det.check(m.group(group)):
            return None
        return (start, end, det)

    def _retry(self, text: str, pos: int, after: int) -> tuple[int, int, Detector] | None:
        for j in range(after + 1, len(self.detectors)):
            m = self._single(j).match(text, pos)
            if m is not None:
                span = self._accept(m, j, 1 if self.has_group[j] else 0)
                if span is not None:
                    return span
        return None


class Redactor:
    """Redacts samples and text with one key and one set of rules."""

    def __init__(self, key: bytes, rules: Rules | None = None) -> None:
        self.key = key
        self.rules = rules = rules or Rules()
        self.names = NameRules(fields=rules.fields, headers=rules.headers, allow=rules.allow_names)
        detectors = [d for d in rules.detectors if d.kind not in set(rules.disabled)]
        self.scanner = Scanner(detectors if rules.scan else [], self.names.prefilter())
        self.allow_paths = [PathPattern(p) for p in rules.allow_paths]
        self.allow_values = set(rules.allow_values)
        self.card = any(d.kind == "card-number" for d in detectors) and rules.scan
        self.card_check = next((d for d in detectors if d.kind == "card-number"), None)
        # Custom patterns that could match across JSON escapes disable the fast path.
        self.always_walk = any(
            ('"' in d.pattern or "\\\\" in d.pattern) and d not in DETECTORS for d in detectors
        )

    # -- text ------------------------------------------------------------------------------

    def text(self, value: str) -> str:
        """`value` with every detected secret replaced by its token."""
        if len(value) < MIN_SCAN_LENGTH or value in self.allow_values:
            return value
        spans = self.scanner.spans(value)
        if not spans:
            return value
        out, last = [], 0
        for start, end, det in spans:
            secret = value[start:end]
            if secret in self.allow_values:
                continue
            out.append(value[last:start])
            out.append(det.replace(self.key, secret))
            last = end
        out.append(value[last:])
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
        hits: list[str] = []
        for name, part in (("input", input), ("output", output)):
            if not isinstance(part, dict):
                continue
            path: list[Component] = [name]
            for k in list(part):
                path.append(k)
                value = part[k]
                if kind == "http" and k == "headers":
                    part[k] = self._headers(value, path, hits, anchors)
                elif kind == "http" and k in ("method", "status"):
                    pass
                else:
                    part[k] = self._walk(value, path, hits, anchors)
                path.pop()
        return hits

    def _anchors(self, texts: list[bytes]) -> tuple[str, ...] | None:
        """The starts of what the prefilter finds in JSON texts; None when it finds nothing."""
        if self.always_walk:
            return ("",)
        pre = self.scanner.prefilter
        if pre is None:
            return None
        found = {
            m.group(0)[:ANCHOR].decode("utf-8", "ignore")
            for m in pre.finditer(texts[0] if len(texts) == 1 else b"\n".join(texts))
        }
        if not found:
            return None
        return tuple(a for a in found if not a.startswith('"'))  # keys: the name rules' job

    def _allowed(self, path: list[Component]) -> bool:
        return any(p.matches(path) for p in self.allow_paths)

    def _walk(
        self, value: Any, path: list[Component], hits: list[str], anchors: Anchors = None
    ) -> Any:
        if isinstance(value, str):
            if len(value) < MIN_SCAN_LENGTH:
                return value
            if anchors is not None and not any(a in value for a in anchors):
                return value
            new = self.text(value)
            if new != value and not self._allowed(path):
                hits.append(format_path(path))
                return new
            return value
        if isinstance(value, dict):
            if isinstance(value.get(BLOB_KEY), str):
                return value
            for k in list(value):
                item = value[k]
                secret = isinstance(k, str) and self.names.field(k)
                if not secret and self._clean(item, anchors):
                    continue
                path.append(k)
                if secret and not self._allowed(path):
                    masked = self._mask_all(item)
                    if masked != item:
                        hits.append(format_path(path))
                    value[k] = masked
                else:
                    value[k] = self._walk(item, path, hits, anchors)
                path.pop()
            return self._keys(value, path, hits, anchors)
        if isinstance(value, list):
            for i, item in enumerate(value):
                if self._clean(item, anchors):
                    continue
                path.append(i)
                value[i] = self._walk(item, path, hits, anchors)
                path.pop()
            return value
        if (
            self.card
            and isinstance(value, int)
            and not isinstance(value, bool)
            and 10**12 <= abs(value) < 10**19
            and self.card_check is not None
            and self.card_check.check is not None
            and self.card_check.check(str(abs(value)))
            and not self._allowed(path)
        ):
            hits.append(format_path(path))
            return int(self.card_check.replace(self.key, str(value)))
        return value

    def _clean(self, value: Any, anchors: Anchors) -> bool:
        """Whether a value certainly holds nothing to redact (so the walk can skip it)."""
        kind = type(value)
        if kind is str:
            return len(value) < MIN_SCAN_LENGTH or (
                anchors is not None and not any(a in value for a in anchors)
            )
        if kind is int:
            return not self.card or abs(value) < 10**12
        return value is None or kind is bool or kind is float

    def _keys(
        self, value: dict[Any, Any], path: list[Component], hits: list[str], anchors: Anchors
    ) -> dict[Any, Any]:
        """Keys are text too: an email used as a key is replaced like any other."""
        renamed = {}
        for k in value:
            if not isinstance(k, str) or len(k) < MIN_SCAN_LENGTH:
                continue
            if anchors is not None and not any(a in k for a in anchors):
                continue
            new = self.text(k)
            if new != k and new not in value and not self._allowed([*path, k]):
                renamed[k] = new
                hits.append(format_path([*path, new]))
        if not renamed:
            return value
        items = [(renamed.get(k, k), v) for k, v in value.items()]
        value.clear()
        value.update(items)
        return value

    def _mask_all(self, value: Any) -> Any:
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
            return {k: self._mask_all(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._mask_all(v) for v in value]
        return value

    def _headers(
        self, headers: Any, path: list[Component], hits: list[str], anchors: Anchors = None
    ) -> Any:
        if not isinstance(headers, dict):
            return self._walk(headers, path, hits, anchors)
        for name in list(headers):
            path.append(name)
            value = headers[name]
            if isinstance(name, str) and self.names.header(name) and not self._allowed(path):
                new = self._header_value(name.lower(), value)
                if new != value:
                    hits.append(format_path(path))
                headers[name] = new
            else:
                headers[name] = self._walk(value, path, hits, anchors)
            path.pop()
        return headers

    def _header_value(self, name: str, value: Any) -> Any:
        if isinstance(value, list):
            return [self._header_value(name, v) for v in value]
        if not isinstance(value, str):
            return self._mask_all(value)
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
