"""Comparators: how one sample's base output and head output differ, as categorised divergences.

`json` is structural (by JSON path), `text` compares tokens and reports the share lost, `exact`
compares the canonical JSON, and a user function `module:function` decides for itself. Whatever
the comparator, new failures of the head are their own categories: `exception`, `timeout`,
`crash`, and `empty` (an empty result where the base gave a non-empty one).
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realitycheck.core.errors import ConfigError
from realitycheck.replay import jsondiff

_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Found:
    """A divergence in one sample: where, what kind, and (text) the share of tokens lost."""

    path: str
    category: str
    detail: str | None = None
    lost: float | None = None


Comparator = Callable[[Any, Any, str], list[Found]]


def is_empty(value: Any) -> bool:
    """None, a blank string, an empty array or object."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | dict) and not value


def tokens(text: str) -> Counter[str]:
    """The words and numbers of a text, counted."""
    return Counter(_TOKEN.findall(text))


@dataclass(frozen=True)
class TextScore:
    """How two texts compare token by token."""

    similarity: float
    lost: float
    gained: float


def text_score(base: str, head: str) -> TextScore:
    """Dice similarity of the token multisets, the share of base tokens lost, and of head gained."""
    a, b = tokens(base), tokens(head)
    na, nb = sum(a.values()), sum(b.values())
    common = sum((a & b).values())
    similarity = 2 * common / (na + nb) if na + nb else 1.0
    lost = (na - common) / na if na else 0.0
    gained = (nb - common) / nb if nb else 0.0
    return TextScore(similarity, lost, gained)


def compare_json(base: Any, head: Any, path: str) -> list[Found]:
    """Structural differences by JSON path."""
    return [Found(d.path, d.category) for d in jsondiff.diff(base, head, path)]


def compare_exact(base: Any, head: Any, path: str) -> list[Found]:
    """One difference when the canonical JSON differs."""
    if _canonical(base) == _canonical(head):
        return []
    same_type = jsondiff.json_type(base) == jsondiff.json_type(head)
    return [Found(path, "value-changed" if same_type else "type-changed")]


def text_comparator(threshold: float) -> Comparator:
    """Texts diverge when their token similarity is below `threshold`."""

    def compare(base: Any, head: Any, path: str) -> list[Found]:
        if not (isinstance(base, str) and isinstance(head, str)):
            return compare_json(base, head, path)
        if base == head:
            return []
        score = text_score(base, head)
        if score.similarity >= threshold:
            return []
        if score.lost >= score.gained:
            detail = f"returned {score.lost:.0%} less text"
            return [Found(path, "text-lost", detail, score.lost)]
        detail = f"text changed (similarity {score.similarity:.0%})"
        return [Found(path, "text-changed", detail, score.lost)]

    return compare


def user_comparator(spec: str, roots: Iterable[Path] = ()) -> Comparator:
    """A comparator written by the user as `module:function(base, head)`.

    The function returns something false (None, True, an empty list) when the outputs agree,
    False for a plain difference, a string to describe it, or a list of divergences as
    `(path, category)` pairs or `{"path", "category", "detail"}` objects.
    """
    module_name, _, qualname = spec.partition(":")
    added = [str(r) for r in roots if str(r) not in sys.path]
    sys.path[:0] = added
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception as exc:
        raise ConfigError(
            f"cannot load the comparator {spec!r}: {type(exc).__name__}: {exc}",
            place="replay comparator",
        ) from None
    finally:
        for entry in added:
            if entry in sys.path:
                sys.path.remove(entry)
    function: Callable[[Any, Any], Any] = obj

    def compare(base: Any, head: Any, path: str) -> list[Found]:
        try:
            verdict = function(base, head)
        except Exception as exc:
            raise ConfigError(
                f"the comparator {spec!r} raised {type(exc).__name__}: {exc}",
                place="replay comparator",
            ) from None
        return _user_verdict(verdict, path)

    return compare


def _user_verdict(verdict: Any, path: str) -> list[Found]:
    if verdict is None or verdict is True or verdict == []:
        return []
    if verdict is False:
        return [Found(path, "changed")]
    if isinstance(verdict, str):
        return [Found(path, "changed", verdict)]
    out: list[Found] = []
    for item in verdict:
        if isinstance(item, dict):
            out.append(
                Found(
                    str(item.get("path", path)),
                    str(item.get("category", "changed")),
                    item.get("detail"),
                )
            )
        else:
            where, category = item
            out.append(Found(str(where), str(category)))
    return out


def comparator_for(name: str, threshold: float = 0.95, roots: Iterable[Path] = ()) -> Comparator:
    """The comparator a target's configuration names."""
    if name == "json":
        return compare_json
    if name == "exact":
        return compare_exact
    if name == "text":
        return text_comparator(threshold)
    return user_comparator(name, roots)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _raised(doc: dict[str, Any]) -> str:
    raised = doc.get("raised") or {}
    return f"{raised.get('type', '?')}: {str(raised.get('message', ''))[:200]}"


def compare_outcomes(
    base_status: str, base_text: str, head_status: str, head_text: str, comparator: Comparator
) -> list[Found]:
    """How the head's outcome of one sample differs from the base's."""
    if base_text == head_text:
        return []
    if head_status in ("timeout", "crash") and base_status != head_status:
        return [Found("$", head_status, _failure_detail(head_status, head_text))]
    if base_status in ("timeout", "crash"):
        return [Found("$", "base-failed", f"the base ended in {base_status}; the head did not")]
    base, head = json.loads(base_text), json.loads(head_text)
    if base_status == "return" and head_status == "raised":
        return [Found("$", "exception", _raised(head))]
    if base_status == "raised" and head_status == "return":
        return [Found("$", "no-longer-raises", f"the base raised {_raised(base)}")]
    if base_status == "raised":
        return compare_json(base.get("raised"), head.get("raised"), "$.raised")
    before, after = base.get("return"), head.get("return")
    if not is_empty(before) and is_empty(after):
        return [Found("$.return", "empty", "an empty result where the base returned one")]
    return comparator(before, after, "$.return")


def head_failures(head_status: str, head_text: str) -> list[Found]:
    """The head's own failures on a real input, when there is nothing to compare with."""
    if head_status in ("timeout", "crash"):
        return [Found("$", head_status, _failure_detail(head_status, head_text))]
    if head_status == "raised":
        return [Found("$", "exception", _raised(json.loads(head_text)))]
    return []


def _failure_detail(status: str, text: str) -> str:
    doc = json.loads(text)
    if status == "timeout":
        return f"ran past {doc.get('timeout', {}).get('seconds', '?')} s"
    return str(doc.get("crashed", {}).get("reason", "the worker died"))


def recorded_status(output: dict[str, Any]) -> str | None:
    """`return` or `raised` for an output recorded in the corpus, None when it has neither."""
    if "return" in output:
        return "return"
    if "raised" in output:
        return "raised"
    return None
