"""JSON paths as assumptions use them (`$.args.payload.items[*].id`): parse, print, compile."""

from __future__ import annotations

import re
from dataclasses import dataclass

from realitycheck.core.errors import InputError

Segment = str | int | None  # a key, an index, or None for every element ([*])

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_TOKEN = re.compile(
    r"""\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)
      | \.\"(?P<dq>(?:[^"\\]|\\.)*)\"
      | \[\s*(?P<index>-?\d+)\s*\]
      | \[\s*\*\s*\]
      | \[\s*'(?P<sq>(?:[^'\\]|\\.)*)'\s*\]
      | \[\s*\"(?P<bq>(?:[^"\\]|\\.)*)\"\s*\]""",
    re.VERBOSE,
)
OUTPUT_KEYS = ("return", "raised")


@dataclass(frozen=True)
class JsonPath:
    """A path from the root of a JSON document."""

    segments: tuple[Segment, ...] = ()

    @classmethod
    def parse(cls, text: str) -> JsonPath:
        """Parse `$`, `$.a.b`, `$.a[0]`, `$.a[*].b`, `$["a b"]`, `$."a b"`."""
        text = text.strip()
        if not text.startswith("$"):
            raise InputError(f"a JSON path starts with $: {text!r}")
        pos, segments = 1, []
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                raise InputError(f"cannot read the JSON path {text!r} at character {pos + 1}")
            if m["name"] is not None:
                segments.append(m["name"])
            elif m["index"] is not None:
                segments.append(int(m["index"]))
            elif m["dq"] is not None or m["sq"] is not None or m["bq"] is not None:
                raw = next(g for g in (m["dq"], m["sq"], m["bq"]) if g is not None)
                segments.append(re.sub(r"\\(.)", r"\1", raw))
            else:
                segments.append(None)
            pos = m.end()
        return cls(tuple(segments))

    def __str__(self) -> str:
        out = "$"
        for seg in self.segments:
            if seg is None:
                out += "[*]"
            elif isinstance(seg, int):
                out += f"[{seg}]"
            elif _NAME.fullmatch(seg):
                out += f".{seg}"
            else:
                out += '["' + seg.replace("\\", "\\\\").replace('"', '\\"') + '"]'
        return out

    def child(self, seg: Segment) -> JsonPath:
        """The path one step further."""
        return JsonPath((*self.segments, seg))

    @property
    def parent(self) -> JsonPath | None:
        """The path one step up, or None at the root."""
        return JsonPath(self.segments[:-1]) if self.segments else None

    @property
    def last(self) -> Segment:
        """The final step (a key, an index or None for [*])."""
        return self.segments[-1] if self.segments else None

    @property
    def wildcards(self) -> int:
        """How many [*] steps the path has."""
        return sum(1 for s in self.segments if s is None)

    def split_last_wildcard(self) -> tuple[JsonPath, JsonPath]:
        """(up to and including the last [*], the rest); the first is empty when there is none."""
        for i in range(len(self.segments) - 1, -1, -1):
            if self.segments[i] is None:
                return JsonPath(self.segments[: i + 1]), JsonPath(self.segments[i + 1 :])
        return JsonPath(), self

    def startswith(self, other: JsonPath) -> bool:
        """Whether `other` is this path or one of its ancestors."""
        return self.segments[: len(other.segments)] == other.segments

    def duckdb(self) -> str:
        """The path in DuckDB's JSON path syntax."""
        out = "$"
        for seg in self.segments:
            if seg is None:
                out += "[*]"
            elif isinstance(seg, int):
                out += f"[{seg}]" if seg >= 0 else f"[#{seg}]"
            elif _NAME.fullmatch(seg) and "-" not in seg:
                out += f".{seg}"
            else:
                out += '."' + seg.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return out


def locate(path: JsonPath) -> tuple[str, JsonPath]:
    """Which sample column a path reads (`input` or `output`) and the path inside it.

    `$.input.…` and `$.output.…` say so explicitly; `$.return…` and `$.raised…` read the
    function output; anything else reads the input (`$.args.…`, `$.body.…`, `$.query.…`).
    """
    head = path.segments[0] if path.segments else None
    if head in ("input", "output"):
        return str(head), JsonPath(path.segments[1:])
    if head in OUTPUT_KEYS:
        return "output", path
    return "input", path
