"""Inclusive line ranges, the unit every capability speaks in (`[[3, 9], [12, 12]]`)."""

from __future__ import annotations

from collections.abc import Iterable

Range = tuple[int, int]


def to_ranges(lines: Iterable[int]) -> list[Range]:
    """Collapse line numbers into sorted, inclusive, non-overlapping ranges."""
    out: list[Range] = []
    for n in sorted(set(lines)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def expand(ranges: Iterable[Range]) -> set[int]:
    """Every line number inside the ranges."""
    return {n for a, b in ranges for n in range(a, b + 1)}


def merge(ranges: Iterable[Range]) -> list[Range]:
    """Sort and merge overlapping or adjacent ranges."""
    out: list[Range] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def intersect(left: Iterable[Range], right: Iterable[Range]) -> list[Range]:
    """The ranges covered by both sides."""
    a, b = merge(left), merge(right)
    out: list[Range] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def count(ranges: Iterable[Range]) -> int:
    """How many lines the (merged) ranges cover."""
    return sum(b - a + 1 for a, b in merge(ranges))
