"""Walking conversions: `int(x)`, `UUID(x)`, enums, base64 and UTF-8 decoding of recorded values."""

from __future__ import annotations

import ast
from typing import Any

from realitycheck.assumptions.checks import builtin
from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.assumptions.mining import rules
from realitycheck.assumptions.mining.declared import segment_sql
from realitycheck.assumptions.mining.expressions import Expressions
from realitycheck.assumptions.mining.frame import Frame, short
from realitycheck.assumptions.mining.values import UNKNOWN, Val


def const(node: ast.expr | None) -> Any:
    """A literal's value (None for anything else)."""
    return node.value if isinstance(node, ast.Constant) else None


class Conversions(Expressions):
    """Conversions of recorded values, each a checkable assumption."""

    # -- conversions -----------------------------------------------------------------------

    def _conversion(self, node: ast.Call, callee: str, arg: Val, fr: Frame) -> None:
        if fr.handles("ValueError") or fr.handles("TypeError"):
            return
        first = node.args[0]
        if arg.kind == "segment" and callee in rules.CONVERSION_SQL and arg.info[0]:
            segment, name = arg.info
            self.site(
                fr,
                "conversion",
                node,
                f"the `{{{name}}}` segment of `$.path` always converts with "
                f"{rules.CONVERSIONS[callee]} (`{short(node)}`)",
                path=JsonPath(("path",)),
                expect={"sql": segment_sql(rules.CONVERSION_SQL[callee], segment)},
                discriminator=callee,
            )
            return
        if arg.path is None and not isinstance(first, ast.Subscript):
            return
        consts = [const(a) for a in node.args]
        expect = rules.conversion_expect(callee, consts, nullable_absent=arg.maybe_none is not None)
        what = f"`{arg.path}`" if arg.path is not None else f"`{short(first)}`"
        self.site(
            fr,
            "conversion",
            node,
            f"{what} always converts with {rules.CONVERSIONS[callee]} (`{short(node)}`)",
            path=arg.path,
            expect=expect or None,
            discriminator=callee,
        )

    def _base64(self, node: ast.Call, callee: str, arg: Val, fr: Frame) -> Val:
        """`base64.b64decode(x)`: x is base64 (checked by a probe with Python's own decoder)."""
        if arg.path is None or fr.handles("ValueError"):
            return UNKNOWN
        made = self.site(
            fr,
            "conversion",
            node,
            f"`{arg.path}` is always valid base64 (`{short(node)}`)",
            path=arg.path,
            expect={"in": [True]},
            discriminator=callee,
            probe=builtin.probe(rules.BASE64[callee]),
        )
        return Val(path=arg.path, kind="bytes", info=made)

    def _text(self, node: ast.Call, func: ast.Attribute, base: Val, fr: Frame) -> None:
        """`.decode("utf-8")` of decoded base64 or of a raw request body."""
        encoding = const(node.args[0]) if node.args else "utf-8"
        if encoding not in rules.TEXT_ENCODINGS or fr.handles("ValueError"):
            return
        made = base.info if base.kind == "bytes" else None
        if made is not None and made.probe is not None:  # one assumption: base64 of UTF-8 text
            made.probe += "_utf8"
            made.statement = f"`{made.path}` is always base64 of UTF-8 text (`{short(node)}`)"
            made.lines |= set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            return
        if base.kind == "bytes":
            return  # decoded base64 whose decoding is not an assumption here (handled, or off)
        path = base.path if base.path is not None else JsonPath(("body",))
        self.site(
            fr,
            "conversion",
            node,
            f"`{path}` is always UTF-8 text (`{short(node)}`)",
            path=path,
            expect={"in": [True]},
            discriminator="utf-8",
            probe=builtin.probe("utf8"),
        )

    def _enum(self, node: ast.Call, name: str, arg: Val, fr: Frame) -> None:
        values = self.mod.enums.get(name, [])
        if not values or fr.handles("ValueError") or arg.path is None:
            return
        listing = ", ".join(repr(v) for v in values[:8])
        self.site(
            fr,
            "conversion",
            node,
            f"`{arg.path}` is always a value of {name} ({listing})",
            path=arg.path,
            expect=rules.enum_expect(values, nullable_absent=arg.maybe_none is not None),
            discriminator="enum",
        )
