"""JSON paths as the corpus writes them (`$.input.headers['x-api-key']`) and allow-list patterns."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

Component = str | int

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOKEN = re.compile(
    r"\.([^.\[\]]+)|\[\s*(\d+|\*)\s*\]|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*\"((?:[^\"\\]|\\.)*)\"\s*\]"
)


def format_path(components: Sequence[Component]) -> str:
    """`$` followed by `.key`, `['odd key']` or `[index]` for each component."""
    return _format(tuple(components))


@functools.lru_cache(maxsize=4096)
def _format(components: tuple[Component, ...]) -> str:
    out = ["$"]
    for comp in components:
        if isinstance(comp, int):
            out.append(f"[{comp}]")
        elif _IDENT.match(comp):
            out.append(f".{comp}")
        else:
            out.append("['" + comp.replace("\\", "\\\\").replace("'", "\\'") + "']")
    return "".join(out)


def parse_path(text: str) -> list[Component]:
    """The components of a JSON path; `[*]` becomes the string `[*]`. Raises ValueError."""
    text = text.strip()
    if not text.startswith("$"):
        raise ValueError(f"{text!r} does not start with '$'")
    pos, out = 1, []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"{text!r} is not a JSON path (at character {pos + 1})")
        dotted, index, single, double = m.groups()
        if dotted is not None:
            out.append(dotted)
        elif index is not None:
            out.append("[*]" if index == "*" else int(index))
        else:
            raw = single if single is not None else double
            out.append(re.sub(r"\\(.)", r"\1", raw or ""))
        pos = m.end()
    return out


class PathPattern:
    """An allow-list entry: `*` is any one key, `[*]` any index, `**` any run of components."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts = parse_path(text)

    def matches(self, components: Sequence[Component]) -> bool:
        """Whether the path (or a path above it) matches this pattern."""
        return self._match(0, list(components))

    def _match(self, i: int, comps: list[Component]) -> bool:
        parts = self.parts
        if i == len(parts):
            return True  # a pattern naming a parent allows everything under it
        if not comps:
            return all(p == "**" for p in parts[i:])
        part, head = parts[i], comps[0]
        if part == "**":
            return self._match(i + 1, comps) or self._match(i, comps[1:])
        if part == "[*]":
            ok = isinstance(head, int)
        elif part == "*":
            ok = isinstance(head, str)
        elif isinstance(part, int):
            ok = head == part
        else:
            ok = isinstance(head, str) and head.lower() == part.lower()
        return ok and self._match(i + 1, comps[1:])
