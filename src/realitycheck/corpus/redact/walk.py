"""One sample's walk: every value the rules may redact, visited once, replaced in place.

The walk skips what certainly holds nothing to redact: short strings, strings without one of
the prefilter's anchors, small integers, and other scalars. It runs for every flagged sample
(every sample, when an import or a capture is full of tokens), so its loops are written for
speed: exact type checks first, the name rules' verdicts read from their caches, the path kept
in one list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from realitycheck.corpus.model import BLOB_KEY
from realitycheck.corpus.redact.paths import Component, format_path

if TYPE_CHECKING:
    from realitycheck.corpus.redact.redactor import Redactor

MIN_SCAN_LENGTH = 6
CARD_MIN = 10**12  # integers below this cannot be card numbers
_SCALARS = (type(None), bool, float)
_CONTAINERS = (dict, list)


class Walk:
    """Redacts the values of one sample in place, collecting the redacted paths."""

    __slots__ = ("anchors", "card", "depth", "hits", "marks", "path", "redactor")

    def __init__(self, redactor: Redactor, anchors: tuple[str, ...] | None, depth: int = 0) -> None:
        self.redactor = redactor
        self.depth = depth  # how deep in decoded forms (JSON held as a string) this walk is
        self.anchors = anchors  # None: scan every string; otherwise only those holding one
        self.card = redactor.card
        self.hits: list[str] = []
        self.path: list[Component] = []
        self.marks: tuple[bytes, ...] | None = None  # see `holds`

    def holds(self, value: Any) -> bool:
        """Whether a container's JSON text holds one of the marks (always, without marks)."""
        marks = self.marks
        if marks is None or type(value) not in _CONTAINERS:
            return True
        try:
            text = orjson.dumps(value)
        except (TypeError, orjson.JSONEncodeError):  # integers beyond 64 bits
            return True
        for mark in marks:  # noqa: SIM110 - a loop is faster than any() here
            if mark in text:
                return True
        return False

    def wanted(self, text: str) -> bool:
        """Whether a string is worth scanning."""
        if len(text) < MIN_SCAN_LENGTH:
            return False
        anchors = self.anchors
        if anchors is None:
            return True
        for anchor in anchors:  # noqa: SIM110 - a loop is faster than any() here
            if anchor in text:
                return True
        return False

    def skip(self, item: Any) -> bool:
        """Whether a value certainly holds nothing the scanner could find."""
        kind = type(item)
        if kind is str:
            if len(item) < MIN_SCAN_LENGTH:
                return True
            anchors = self.anchors
            if anchors is None:
                return False
            for anchor in anchors:  # noqa: SIM110 - a loop is faster than any() here
                if anchor in item:
                    return False
            return True
        if kind is int:
            return not self.card or -CARD_MIN < item < CARD_MIN
        return kind in _SCALARS

    def value(self, value: Any) -> Any:
        """A value with what the rules find replaced (containers are changed in place)."""
        kind = type(value)
        if kind is dict:
            return self.mapping(value)
        if kind is str:
            return self.string(value)
        if kind is list:
            return self.sequence(value)
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, dict):
            return self.mapping(value)
        if isinstance(value, list):
            return self.sequence(value)
        if self.card and isinstance(value, int) and not isinstance(value, bool):
            return self.number(value)
        return value

    def string(self, value: str) -> str:
        """A string with the scanner's findings replaced."""
        if not self.wanted(value):
            return value
        redactor = self.redactor
        new = redactor.text(value, self.depth)
        if new != value and not redactor.allowed(self.path):
            self.hits.append(format_path(self.path))
            return new
        return value

    def number(self, value: int) -> int:
        """An integer that passes as a card number, replaced."""
        redactor = self.redactor
        check = redactor.card_check
        if (
            CARD_MIN <= abs(value) < 10**19
            and check is not None
            and check.check is not None
            and check.check(str(abs(value)))
            and not redactor.allowed(self.path)
        ):
            self.hits.append(format_path(self.path))
            return int(check.replace(redactor.key, str(value)))
        return value

    def mapping(self, value: dict[Any, Any]) -> dict[Any, Any]:
        """An object: secret names masked whole, other values walked, keys scanned too."""
        if isinstance(value.get(BLOB_KEY), str):
            return value
        names = self.redactor.names
        seen, field, path, skip = names.field_cache, names.field, self.path, self.skip
        keys: list[str] = []
        for k, item in value.items():  # values are replaced in place; keys are not
            if type(k) is str or isinstance(k, str):
                secret = seen.get(k)
                if secret is None:
                    secret = field(k)
                if len(k) >= MIN_SCAN_LENGTH and not skip(k):
                    keys.append(k)
            else:
                secret = False
            if not secret and (skip(item) or not self.holds(item)):
                continue
            path.append(k)
            if secret and not self.redactor.allowed(path):
                masked = self.redactor.mask_all(item)
                if masked != item:
                    self.hits.append(format_path(path))
                value[k] = masked
            else:
                kind = type(item)
                if kind is dict:
                    value[k] = self.mapping(item)
                elif kind is str:
                    value[k] = self.string(item)
                else:
                    value[k] = self.value(item)
            path.pop()
        return self.rename(value, keys) if keys else value

    def rename(self, value: dict[Any, Any], keys: list[str]) -> dict[Any, Any]:
        """Keys are text too: an email used as a key is replaced like any other."""
        redactor, path = self.redactor, self.path
        renamed = {}
        for k in keys:
            new = redactor.text(k, self.depth)
            if new != k and new not in value and not redactor.allowed([*path, k]):
                renamed[k] = new
                self.hits.append(format_path([*path, new]))
        if not renamed:
            return value
        items = [(renamed.get(k, k), v) for k, v in value.items()]
        value.clear()
        value.update(items)
        return value

    def sequence(self, value: list[Any]) -> list[Any]:
        """An array, element by element."""
        path, skip = self.path, self.skip
        for i, item in enumerate(value):
            if skip(item) or not self.holds(item):
                continue
            path.append(i)
            kind = type(item)
            value[i] = self.mapping(item) if kind is dict else self.value(item)
            path.pop()
        return value

    def headers(self, headers: Any) -> Any:
        """HTTP headers: secret header names masked by their own rules, the rest walked."""
        if not isinstance(headers, dict):
            return self.value(headers)
        redactor, path = self.redactor, self.path
        names = redactor.names
        seen, secret_header = names.header_cache, names.header
        for name, value in headers.items():
            if type(name) is str or isinstance(name, str):
                secret = seen.get(name)
                if secret is None:
                    secret = secret_header(name)
            else:
                secret = False
            if not secret and ((type(value) is str and self.skip(value)) or not self.holds(value)):
                continue
            path.append(name)
            if secret and not redactor.allowed(path):
                new = redactor.header_value(name.lower(), value)
                if new != value:
                    self.hits.append(format_path(path))
                headers[name] = new
            else:
                headers[name] = self.value(value)
            path.pop()
        return headers
