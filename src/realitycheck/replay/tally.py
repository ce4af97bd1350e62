"""Divergences of one target counted over its samples, then judged: noise, ignored, intended."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from realitycheck.assumptions.model import ExpectedChange
from realitycheck.core.stats import rate, wilson_interval
from realitycheck.replay.compare import Found
from realitycheck.replay.jsondiff import generalise, is_under
from realitycheck.replay.model import Baseline, Divergence, Example, TargetReplay
from realitycheck.replay.noise import Thresholds, filtered_by

MAX_EXAMPLES = 5
EXAMPLE_CHARS = 1500
EXAMPLE_LINES = 40
TEXT_CATEGORIES = ("text-lost", "text-changed")

Key = tuple[str, str]
_PARENT = re.compile(r"(\.[^.\[\]]+|\[[^\]]*\])$")


def same_target(a: str, b: str) -> bool:
    """Whether two spellings name one target (`fn:` may be left out of a function's name)."""

    def norm(name: str) -> str:
        if name.startswith(("fn:", "http:")):
            return name
        return f"fn:{name}"

    return norm(a) == norm(b)


def expected_match(
    expected: Sequence[ExpectedChange], target: str, path: str, category: str
) -> ExpectedChange | None:
    """The ledger entry that declares this divergence intended, if any.

    A declared path covers everything under it; a declared `value-changed` also covers the
    text comparator's `text-lost` and `text-changed`, which are value changes of a text.
    """
    for item in expected:
        if not same_target(item.target, target) or not is_under(path, item.path):
            continue
        if item.category is None or item.category == category:
            return item
        if item.category == "value-changed" and category in TEXT_CATEGORIES:
            return item
    return None


@dataclass
class Tally:
    """Divergences of one target, counted per (generalised JSON path, category)."""

    target: str
    kind: str
    comparator: str
    baseline: Baseline = "base"
    noise_measured: bool = False
    ignore: Sequence[str] = ()
    samples: int = 0
    raw: Counter[Key] = field(default_factory=Counter)
    noise: Counter[Key] = field(default_factory=Counter)
    examples: dict[Key, list[str]] = field(default_factory=lambda: defaultdict(list))
    lost: dict[Key, list[float]] = field(default_factory=lambda: defaultdict(list))
    details: dict[Key, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    pairs: dict[Key, Example] = field(default_factory=dict)
    by_sample: dict[str, set[Key]] = field(default_factory=dict)
    ignored: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    errored: Counter[str] = field(default_factory=Counter)
    base_ms: list[float] = field(default_factory=list)
    head_ms: list[float] = field(default_factory=list)

    def skip(self, why: str) -> None:
        """A sample that was not compared, and why."""
        self.samples += 1
        self.skipped[why] += 1

    def add(
        self,
        sample_id: str,
        found: Sequence[Found],
        noise: Sequence[Found] = (),
        base_text: str = "",
        head_text: str = "",
        errored: str | None = None,
    ) -> None:
        """Count one compared sample: head-vs-base divergences and base-vs-base ones.

        `errored` says why, when the sample failed the same way on both sides.
        """
        self.samples += 1
        if errored is not None and not found:
            self.errored[errored[:200]] += 1
        keys: set[Key] = set()
        for item in found:
            if self._ignored(item.path):
                self.ignored[generalise(item.path)] += 1
                continue
            key = (generalise(item.path), item.category)
            if key in keys:
                continue
            keys.add(key)
            self.raw[key] += 1
            if len(self.examples[key]) < MAX_EXAMPLES:
                self.examples[key].append(sample_id)
            if item.lost is not None:
                self.lost[key].append(item.lost)
            if item.detail:
                self.details[key][item.detail] += 1
            if key not in self.pairs:
                self.pairs[key] = Example(
                    sample=sample_id,
                    path=item.path,
                    category=item.category,
                    base=_show(base_text),
                    head=_show(head_text),
                )
        if keys:
            self.by_sample[sample_id] = keys
        seen: set[Key] = set()
        for item in noise:
            if self._ignored(item.path):
                continue
            key = (generalise(item.path), item.category)
            if key not in seen:
                seen.add(key)
                self.noise[key] += 1

    def _causes(self, groups: list[Divergence]) -> dict[str, int]:
        """Group reported divergences of one category under one parent path into one cause."""
        by_parent: dict[tuple[str, str], list[Divergence]] = defaultdict(list)
        for d in groups:
            parent = _PARENT.sub("", d.path)
            if not d.noise and parent not in ("", "$"):
                by_parent[(d.category, parent)].append(d)
        causes: dict[str, int] = {}
        for (category, parent), members in by_parent.items():
            if len(members) < 2:
                continue
            name = f"{category} under {parent}"
            keys = {(m.path, m.category) for m in members}
            for m in members:
                m.cause = name
            causes[name] = sum(1 for found in self.by_sample.values() if found & keys)
        return causes

    def _ignored(self, path: str) -> bool:
        return any(is_under(path, prefix) for prefix in self.ignore)

    def result(
        self, thresholds: Thresholds, expected: Sequence[ExpectedChange] = ()
    ) -> TargetReplay:
        """Judge the counts: noise by Diffy's rule, intended by the ledger; rates and intervals."""
        compared = self.samples - sum(self.skipped.values())
        groups: list[Divergence] = []
        reported: set[Key] = set()
        unexpected: set[Key] = set()
        for key, count in self.raw.items():
            path, category = key
            noise = self.noise.get(key, 0)
            why = filtered_by(count, noise, compared, thresholds, category)
            declared = expected_match(expected, self.target, path, category)
            lost = self.lost.get(key)
            groups.append(
                Divergence(
                    path=path,
                    category=category,
                    count=count,
                    rate=rate(count, compared),
                    noise=why is not None,
                    noise_count=noise,
                    filtered_by=why,
                    expected=declared is not None,
                    expected_note=declared.note if declared else None,
                    examples=list(self.examples.get(key, [])),
                    detail=_detail(self.details.get(key), lost),
                    tokens_lost=statistics.fmean(lost) if lost else None,
                )
            )
            if why is None:
                reported.add(key)
                if declared is None:
                    unexpected.add(key)
        groups.sort(key=lambda d: (d.noise, d.expected, -d.count, d.path, d.category))
        causes = self._causes(groups)
        diverged = sum(1 for keys in self.by_sample.values() if keys & reported)
        surprising = sum(1 for keys in self.by_sample.values() if keys & unexpected)
        example = next(
            (
                self.pairs[(g.path, g.category)]
                for g in groups
                if (g.path, g.category) in self.pairs
            ),
            None,
        )
        return TargetReplay(
            target=self.target,
            kind="http" if self.kind == "http" else "function",
            comparator=self.comparator,
            baseline=self.baseline,
            noise_measured=self.noise_measured,
            samples=self.samples,
            replayed=compared,
            skipped=dict(self.skipped),
            errored=dict(self.errored),
            causes=causes,
            diverged=diverged,
            unexpected=surprising,
            rate=rate(diverged, compared),
            ci=wilson_interval(diverged, compared),
            divergences=groups,
            ignored=dict(self.ignored),
            example=example,
            base_ms=statistics.median(self.base_ms) if self.base_ms else None,
            head_ms=statistics.median(self.head_ms) if self.head_ms else None,
        )


def _detail(details: Counter[str] | None, lost: list[float] | None) -> str | None:
    if lost:
        mean = statistics.fmean(lost)
        return f"returned {mean:.0%} less text on average (median {statistics.median(lost):.0%})"
    if not details:
        return None
    text, count = details.most_common(1)[0]
    return text if count == sum(details.values()) else f"{text} (and {len(details) - 1} more)"


def _show(text: str) -> str:
    """An output document made readable: the text itself, or indented JSON; cut to fit."""
    if not text:
        return ""
    try:
        doc: Any = json.loads(text)
    except ValueError:
        return text[:EXAMPLE_CHARS]
    if isinstance(doc, dict) and len(doc) == 1:
        ((key, value),) = doc.items()
        if key == "return" and isinstance(value, str):
            return _cut(value)
        if key == "body" and isinstance(value, str):
            return _cut(value)
    return _cut(json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True))


def _cut(text: str) -> str:
    lines = text.splitlines()
    cut = "\n".join(lines[:EXAMPLE_LINES])
    if len(cut) > EXAMPLE_CHARS:
        cut = cut[:EXAMPLE_CHARS]
    if cut != text:
        cut += f"\n… ({len(text):,} characters in all)"
    return cut
