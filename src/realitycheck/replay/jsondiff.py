"""Structural differences between two JSON values, named by JSON path, as Diffy categorises them.

Objects are compared key by key (`missing` in head, `added` in head); arrays holding the same
elements in another order are an `ordering` difference, arrays of equal length are compared
element by element, arrays of different length are a `size` difference; values of different JSON
types are `type-changed`, other unequal values `value-changed`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

VALUE_CHANGED = "value-changed"
TYPE_CHANGED = "type-changed"
MISSING = "missing"
ADDED = "added"
ORDERING = "ordering"
SIZE = "size"
STRUCTURAL = (VALUE_CHANGED, TYPE_CHANGED, MISSING, ADDED, ORDERING, SIZE)

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Difference:
    """One place where two JSON values differ."""

    path: str
    category: str
    left: Any = None
    right: Any = None


def child(path: str, key: str | int) -> str:
    """The JSON path of a member (`$.a`, `$["a b"]`) or an element (`$[3]`)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENT.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def generalise(path: str) -> str:
    """The path with array indexes replaced by `[*]`, so differences group across elements."""
    return _INDEX.sub("[*]", path)


def is_under(path: str, prefix: str) -> bool:
    """Whether `path` is `prefix` or inside it (indexes in either match `[*]`)."""
    path, prefix = generalise(path), generalise(prefix)
    if path == prefix:
        return True
    return path.startswith(prefix) and path[len(prefix)] in ".["


def json_type(value: Any) -> str:
    """The JSON type name of a value (booleans are not numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _canonical(value: Any) -> str:
    """Text equal for equal JSON values (1 and 1.0 alike, false and 0 not)."""
    return json.dumps(
        _numbers(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def _numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_numbers(v) for v in value]
    return value


def _equal(left: Any, right: Any) -> bool:
    """JSON equality: booleans are not numbers, containers compare element by element."""
    kind = json_type(left)
    if kind != json_type(right):
        return False
    if kind == "object":
        return left.keys() == right.keys() and all(_equal(left[k], right[k]) for k in left)
    if kind == "array":
        return len(left) == len(right) and all(map(_equal, left, right))
    return bool(left == right)


def diff(left: Any, right: Any, path: str = "$") -> list[Difference]:
    """Every difference from `left` (base) to `right` (head), depth first."""
    out: list[Difference] = []
    _diff(left, right, path, out)
    return out


def _diff(left: Any, right: Any, path: str, out: list[Difference]) -> None:
    if _equal(left, right):
        return
    lt, rt = json_type(left), json_type(right)
    if lt != rt:
        out.append(Difference(path, TYPE_CHANGED, left, right))
    elif lt == "object":
        for key in left:
            if key not in right:
                out.append(Difference(child(path, key), MISSING, left[key], None))
            else:
                _diff(left[key], right[key], child(path, key), out)
        for key in right:
            if key not in left:
                out.append(Difference(child(path, key), ADDED, None, right[key]))
    elif lt == "array":
        _diff_array(list(left), list(right), path, out)
    else:
        out.append(Difference(path, VALUE_CHANGED, left, right))


def _diff_array(left: list[Any], right: list[Any], path: str, out: list[Difference]) -> None:
    lc, rc = [_canonical(v) for v in left], [_canonical(v) for v in right]
    if lc == rc:
        return
    if Counter(lc) == Counter(rc):
        out.append(Difference(path, ORDERING, len(left), len(right)))
    elif len(left) == len(right):
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            _diff(a, b, child(path, i), out)
    else:
        out.append(Difference(path, SIZE, len(left), len(right)))
