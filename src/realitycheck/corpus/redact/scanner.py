"""The scanner: every detector in one RE2 search, and a set match to tell which one it found.

All detectors are one alternation, searched without capture groups, so RE2 runs its DFA alone.
At each place it matches, an anchored RE2 set says which detectors match there (with one
character of context before, so `\\b` sees what it would see); the first of them (the one the
alternation prefers) is then matched on its own to find its `s` group and run its check. This
finds exactly what one alternation with a capture group per detector finds, without the
submatch engine that such a large pattern sends RE2 to, which is ten times slower.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import re2  # type: ignore[import-untyped]

from realitycheck.corpus.redact.detectors import Detector

Span = tuple[int, int, Detector]
OPTIONS = re2.Options()
OPTIONS.log_errors = False  # errors are raised, not logged to stderr too
OPTIONS.max_mem = 64 << 20
try:  # the compiled RE2 objects under google-re2's wrapper, called directly on bytes
    from re2 import _re2

    _FIND, _AT = _re2.RE2.Anchor.UNANCHORED, _re2.RE2.Anchor.ANCHOR_START
    _NO_SPAN = (-1, -1)
except (ImportError, AttributeError):  # pragma: no cover - another build of the bindings
    _re2 = None


def _plain(pattern: str) -> str:
    return pattern.replace("(?P<s>", "(?:")


class Scanner:
    """All detectors compiled for text and for JSON bytes."""

    def __init__(self, detectors: Sequence[Detector], extra_prefilter: str = "") -> None:
        self.detectors = list(detectors)
        self.has_group = ["(?P<s>" in d.pattern for d in self.detectors]
        plain = [f"(?:{_plain(d.pattern)})" for d in self.detectors]
        self.search = re2.compile("|".join(plain).encode(), OPTIONS) if plain else None
        self.singles = [
            re2.compile(d.pattern.replace("(?P<s>", "(?P<s0>").encode(), OPTIONS)
            for d in self.detectors
        ]
        self.at_start = _set(plain, b"")
        self.after = _set(plain, b"(?s:.)")  # one character of context, then the detector
        pre = [_after_escapes(p) for p in plain]
        if extra_prefilter:
            pre.append(extra_prefilter)
        self.prefilter = re2.compile("|".join(pre).encode(), OPTIONS) if pre else None

    def spans(self, text: str) -> list[Span]:
        """The secret spans in `text`: (start, end, detector), in order, not overlapping."""
        if self.search is None:
            return []
        data = text.encode("utf-8")
        found = list(self._spans(data))
        if not found or len(data) == len(text):  # ASCII: byte offsets are character offsets
            return found
        out: list[Span] = []
        chars = byte = 0  # a character offset and the byte offset where it starts
        for first, last, det in found:
            chars += len(data[byte:first].decode("utf-8"))
            width = len(data[first:last].decode("utf-8"))
            out.append((chars, chars + width, det))
            chars, byte = chars + width, last
        return out

    def _spans(self, data: bytes) -> Iterator[Span]:
        """The accepted spans in UTF-8 bytes.

        Where the alternation matches but no detector's check accepts what is there (a run of
        digits too long for a phone number), the search goes on from the next character, not
        from the end of the rejected match: a card number glued to a `+` is still found.
        """
        assert self.search is not None
        regexp = getattr(self.search, "_regexp", None)
        pos, end = 0, len(data)
        while pos <= end:
            if _re2 is not None and regexp is not None:
                found = regexp.Match(_FIND, data, pos, end)[0]
                if found == _NO_SPAN:
                    return
                start = found[0]
            else:
                m = self.search.search(data, pos)
                if m is None:
                    return
                start = m.start()
            span = self._at(data, start)
            if span is None:
                pos = start + 1
                while pos < end and 0x80 <= data[pos] < 0xC0:  # the next UTF-8 character
                    pos += 1
                continue
            yield span
            pos = max(span[1], start + 1)

    def _match(self, i: int, data: bytes, start: int) -> tuple[int, int] | None:
        """The span of detector `i`'s `s` group (or whole match) anchored at `start`, if any."""
        single = self.singles[i]
        group = 1 if self.has_group[i] else 0
        regexp = getattr(single, "_regexp", None)
        if _re2 is None or regexp is None:
            m = single.match(data, start)
            return None if m is None else (m.start(group), m.end(group))
        spans = regexp.Match(_AT, data, start, len(data))
        return None if spans[0] == _NO_SPAN else spans[group]

    def _at(self, data: bytes, start: int) -> Span | None:
        """The accepted detector span that starts where the alternation matched, if any."""
        if start == 0:
            found = self.at_start.Match(data)
        else:
            back = start - 1
            while back > 0 and 0x80 <= data[back] < 0xC0:  # to the start of a UTF-8 character
                back -= 1
            found = self.after.Match(memoryview(data)[back:])
        # Detectors in the alternation's order of preference; a set that could not decide
        # (out of memory) means trying every one, which gives the same answer more slowly.
        order = sorted(found) if found else range(len(self.detectors))
        for i in order:
            span = self._match(i, data, start)
            if span is None:
                continue
            s, e = span
            if s < 0 or s == e:
                continue
            det = self.detectors[i]
            if det.check is not None and not det.check(data[s:e].decode("utf-8")):
                continue  # rejected by its check: a later detector may still fit
            return (s, e, det)
        return None


def _after_escapes(pattern: str) -> str:
    """A prefilter pattern for JSON text: a word boundary may also follow a JSON escape
    (`\\n`, `\\t`, `\\u00a0`), where the decoded string has a boundary the JSON text lacks."""
    return re.sub(r"(?<!\\)\\b", lambda _: r"(?:\b|\\(?:[ntrfb]|u[0-9a-fA-F]{4}))", pattern)


def _set(patterns: list[str], prefix: bytes) -> Any:
    anchored = re2.Set.MatchSet(OPTIONS)
    for pattern in patterns:
        anchored.Add(prefix + pattern.encode())
    if patterns:
        anchored.Compile()
    return anchored
