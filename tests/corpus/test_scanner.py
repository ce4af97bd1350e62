"""The scanner finds exactly what one alternation with a capture group per detector finds."""

from __future__ import annotations

from typing import Any

import re2  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from realitycheck.corpus.redact import scanner as scanner_module
from realitycheck.corpus.redact.detectors import DETECTORS, Detector
from realitycheck.corpus.redact.scanner import OPTIONS, Scanner, Span

from .test_redact import FOUND, NOT_SECRETS

CUSTOM = (
    Detector("employee-id", r"\bEMP-(?P<s>\d{6})\b"),
    Detector("ticket", r"(?i:tk)[-_](?P<s>[a-z]{3,})"),
    Detector("loose", r"\d{4}"),  # no `s` group: the whole match is replaced
)


class Reference:
    """The straightforward form: one pattern with a group per detector, read group by group,
    searched again one character later where no detector accepts what it matched."""

    def __init__(self, detectors: tuple[Detector, ...]) -> None:
        self.detectors = detectors
        parts = []
        for i, det in enumerate(detectors):
            parts.append(f"(?P<d{i}>{det.pattern.replace('(?P<s>', f'(?P<s{i}>')})")
        self.pattern = re2.compile("|".join(parts), OPTIONS)
        index = self.pattern.groupindex
        self.outer = [index[f"d{i}"] for i in range(len(detectors))]
        self.inner = [index.get(f"s{i}", self.outer[i]) for i in range(len(detectors))]
        self.singles = [
            re2.compile(d.pattern.replace("(?P<s>", "(?P<s0>"), OPTIONS) for d in detectors
        ]

    def spans(self, text: str) -> list[Span]:
        out: list[Span] = []
        pos = 0
        while pos <= len(text) and (m := self.pattern.search(text, pos)) is not None:
            pos = m.start() + 1
            for i in range(len(self.detectors)):
                if m.start(self.outer[i]) < 0:
                    continue
                span = self._accept(m, i, self.inner[i])
                j = i + 1
                while span is None and j < len(self.detectors):
                    single = self.singles[j].match(text, m.start())
                    if single is not None:
                        span = self._accept(
                            single, j, 1 if "(?P<s>" in self.detectors[j].pattern else 0
                        )
                    j += 1
                if span is not None:
                    out.append(span)
                    pos = max(pos, span[1])
                break
        return out

    def _accept(self, m: Any, i: int, group: int) -> Span | None:
        det = self.detectors[i]
        start, end = m.start(group), m.end(group)
        if start < 0 or start == end:
            return None
        if det.check is not None and not det.check(m.group(group)):
            return None
        return (start, end, det)


PIECES = [*FOUND.values(), *NOT_SECRETS, "EMP-123456", "tk-abcd", "TK_zz", "1234", "é", "日本"]
pieces = st.sampled_from(PIECES) | st.text(
    alphabet=st.sampled_from("aZ09 _-.@+/:=\"'(é日\n"), max_size=12
)
texts = st.lists(pieces, max_size=8).map("".join)
BUILT_IN = (Scanner(DETECTORS), Reference(DETECTORS))
WITH_CUSTOM = (Scanner(CUSTOM + DETECTORS), Reference(CUSTOM + DETECTORS))


@settings(max_examples=400)
@given(texts)
def test_same_spans_as_one_grouped_alternation(text: str) -> None:
    for scanner, reference in (BUILT_IN, WITH_CUSTOM):
        assert scanner.spans(text) == reference.spans(text)


def test_planted_kinds_with_context_on_both_sides() -> None:
    scanner, reference = BUILT_IN
    for text in FOUND.values():
        for wrapped in (text, f"x{text}x", f"é {text} 日本", f"_{text}_", f"({text})"):
            assert scanner.spans(wrapped) == reference.spans(wrapped), wrapped


def test_a_rejected_match_does_not_hide_what_follows_it() -> None:
    """A `+` and sixteen digits is no phone number; the card number in it is still found."""
    scanner, _ = BUILT_IN
    for text in ("x+5178121246231301+y", "ctx+5178-1212-4623-1301+end"):
        assert [det.kind for _, _, det in scanner.spans(text)] == ["card-number"], text


@settings(max_examples=100)
@given(texts)
def test_the_wrapper_alone_gives_the_same_spans(text: str) -> None:
    scanner, reference = WITH_CUSTOM
    direct = scanner.spans(text)
    saved = scanner_module._re2
    scanner_module._re2 = None  # as with bindings that do not expose the compiled objects
    try:
        assert scanner.spans(text) == direct == reference.spans(text)
    finally:
        scanner_module._re2 = saved
