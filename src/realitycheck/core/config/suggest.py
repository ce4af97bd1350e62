"""'Did you mean …?' for a mistyped configuration key: the keys of the table it sits in."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation holds (directly, in a list, a dict's values, or a union)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is None:
        return []
    args = typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        return _models(args[1])
    if origin in (list, tuple, typing.Union, types.UnionType) or origin is typing.Annotated:
        return [m for arg in args for m in _models(arg)]
    return []


def table_keys(root: type[BaseModel], loc: Sequence[str]) -> list[str]:
    """The keys the table at `loc` (a key path, list indices included) accepts."""
    models = [root]
    for part in loc:
        if part.isdigit():
            continue  # an entry of an array of tables
        found: list[type[BaseModel]] = []
        for model in models:
            field = model.model_fields.get(part)
            if field is not None:
                found += _models(field.annotation)
        if not found:
            return []
        models = found
    return sorted({name for model in models for name in model.model_fields})


def did_you_mean(root: type[BaseModel], loc: Sequence[str]) -> str | None:
    """`did you mean 'policy'?` for an unknown key, when a known one is close."""
    if not loc:
        return None
    close = difflib.get_close_matches(loc[-1], table_keys(root, loc[:-1]), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
