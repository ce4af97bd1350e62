"""Reading metrics files of one side.

JSON: `{"metric": [numbers]}`, `{"metric": {"events": N, "total": M}}` (a rate) or
`{"metric": {"buckets": {"<le>": cumulative count, ..., "+Inf": total}}}` (a histogram).
CSV: one column per metric, one observation per row; empty cells are no observation.

Every problem is an InputError naming the file and the place (metric, row, column).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from realitycheck.core.errors import InputError
from realitycheck.judge.data import Counts, Histogram, Series


def read_metrics(path: Path) -> dict[str, Series]:
    """The metrics of one side, from a .json or .csv file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such metrics file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read metrics file: {exc}", path=path) from None
    if path.suffix.lower() == ".csv":
        return parse_csv(text, path)
    return parse_json(text, path)


def parse_json(text: str, path: Path | str = "<json>") -> dict[str, Series]:
    """`{"metric": [numbers]}` or `{"metric": {"events": N, "total": M}}`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg}", path=path, line=exc.lineno, place=f"column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise InputError('expected an object of metrics, {"<metric>": [numbers]}', path=path)
    if not data:
        raise InputError("the metrics file names no metric", path=path)
    return {str(name): _series(value, path, str(name)) for name, value in data.items()}


def _series(value: Any, path: Path | str, name: str) -> Series:
    place = f"metric '{name}'"
    if isinstance(value, dict) and "buckets" in value:
        return _histogram(value, path, place)
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"events", "total"})
        if unknown or "events" not in value:
            what = f"unknown key '{unknown[0]}'" if unknown else "missing 'events'"
            raise InputError(
                f'{what}; a counter pair is {{"events": N, "total": M}}', path=path, place=place
            )
        events, total = value["events"], value.get("total")
        for key, number in (("events", events), ("total", total)):
            if number is not None and (not _is_number(number) or not math.isfinite(number)):
                raise InputError(f"'{key}' must be a finite number", path=path, place=place)
        try:
            return Counts(float(events), None if total is None else float(total))
        except ValueError as exc:
            raise InputError(str(exc), path=path, place=place) from None
    if not isinstance(value, list):
        raise InputError(
            "expected a list of numbers or an object with events and total", path=path, place=place
        )
    out = np.empty(len(value), dtype=np.float64)
    for index, item in enumerate(value):
        if item is None:
            out[index] = math.nan  # JSON has no NaN: null is a missing value
        elif _is_number(item):
            out[index] = float(item)
        else:
            raise InputError(
                f"value {index} is {type(item).__name__} {item!r}, not a number",
                path=path,
                place=place,
            )
    return out


def _histogram(value: dict[str, Any], path: Path | str, place: str) -> Histogram:
    buckets = value["buckets"]
    if set(value) != {"buckets"} or not isinstance(buckets, dict) or not buckets:
        raise InputError(
            'a histogram is {"buckets": {"<le>": cumulative count, ..., "+Inf": total}}',
            path=path,
            place=place,
        )
    pairs = []
    for bound, count in buckets.items():
        try:
            le = float(str(bound).replace("+Inf", "inf"))
        except ValueError:
            raise InputError(
                f"bucket bound {bound!r} is not a number", path=path, place=place
            ) from None
        if not _is_number(count):
            raise InputError(f"bucket {bound!r}: count is not a number", path=path, place=place)
        pairs.append((le, float(count)))
    pairs.sort()
    try:
        return Histogram(tuple(b for b, _ in pairs), tuple(c for _, c in pairs))
    except ValueError as exc:
        raise InputError(str(exc), path=path, place=place) from None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_csv(text: str, path: Path | str = "<csv>") -> dict[str, Series]:
    """One column per metric, a header row of names; empty cells are skipped, NaN kept."""
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputError("the CSV file has no header row of metric names", path=path, line=1)
    header = [cell.strip() for cell in rows[0]]
    for col, name in enumerate(header, start=1):
        if not name:
            raise InputError(
                "a column has no metric name", path=path, line=1, place=f"column {col}"
            )
    if len(set(header)) != len(header):
        raise InputError("a metric name appears in two columns", path=path, line=1)
    columns: list[list[float]] = [[] for _ in header]
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            raise InputError(f"{len(row)} cells but {len(header)} columns", path=path, line=number)
        for col, cell in enumerate(row):
            cell = cell.strip()
            if not cell:
                continue
            try:
                columns[col].append(float(cell))
            except ValueError:
                raise InputError(
                    f"'{cell}' is not a number",
                    path=path,
                    line=number,
                    place=f"column '{header[col]}'",
                ) from None
    return {
        name: np.asarray(values, dtype=np.float64)
        for name, values in zip(header, columns, strict=True)
    }
