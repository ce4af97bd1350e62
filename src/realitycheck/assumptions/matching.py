"""Which declared assumption covers which mined one: by path and kind, place, or `covers:`."""

from __future__ import annotations

from collections.abc import Sequence

from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.assumptions.mining.sources import module_name
from realitycheck.assumptions.model import Assumption, Ledger, MinedAssumption
from realitycheck.core.errors import InputError


def declared_target(where: str | None, roots: Sequence[str]) -> str | None:
    """`src/pkg/mod.py:fn` → `fn:pkg.mod:fn` (the target a declared check reads by default)."""
    if not where or ":" not in where:
        return None
    file, _, qual = where.rpartition(":")
    module = module_name(file, roots)
    if module is None or not qual or qual.isdigit():
        return None
    return f"fn:{module}:{qual}"


def _norm(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        return str(JsonPath.parse(path))
    except InputError:
        return path


def _place(where: str | None) -> tuple[str, str | None, int | None]:
    if not where:
        return "", None, None
    file, sep, rest = where.rpartition(":")
    if not sep:
        return where, None, None
    if rest.isdigit():
        return file, None, int(rest)
    return file, rest, None


def covers(a: Assumption, m: MinedAssumption, roots: Sequence[str]) -> bool:
    """Whether declared assumption `a` declares mined assumption `m`."""
    for item in a.covers:
        if item == m.id or (m.path and _norm(item) == m.path) or item == f"{m.kind}:{m.path}":
            return True
        named, _, number = item.rpartition(":")
        if named == m.file and number.isdigit() and int(number) in (m.lines or [m.line]):
            return True
    if a.kind != m.ledger_kind:
        return False
    if m.path is not None:
        if a.check is None or _norm(a.check.path) != m.path:
            return False
        target = a.check.target or declared_target(a.where, roots)
        return target is None or m.target is None or target == m.target
    file, function, line = _place(a.where)
    if file != m.file:
        return False
    if line is not None:
        return line in (m.lines or [m.line])
    return function is None or function == m.function


def match_declared(ledger: Ledger, mined: list[MinedAssumption], roots: Sequence[str]) -> None:
    """Set `declared_by` on each mined assumption a ledger entry covers (first match wins)."""
    for m in mined:
        m.declared_by = next((a.id for a in ledger.assumptions if covers(a, m, roots)), None)
