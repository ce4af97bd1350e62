"""A ledger's `sql` expectation: one DuckDB expression, checked before it runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import duckdb

from realitycheck.assumptions.checks.expect import literal

PARAMS = ("value", "input", "output", "id", "target", "duration_ms", "tags")
# Functions that reach outside the corpus; an assumption check has no business calling them.
FORBIDDEN = frozenset(
    {
        "getenv",
        "current_setting",
        "read_text",
        "read_blob",
        "glob",
        "sniff_csv",
        "query",
        "query_table",
    }
)


def check_expression(expr: str) -> str | None:
    """Why `expr` is not one plain DuckDB expression over the check's columns, or None."""
    con = duckdb.connect()
    row = con.execute("SELECT json_serialize_sql(?)", [f"SELECT {expr}"]).fetchone()
    tree: dict[str, Any] = json.loads(row[0]) if row else {"error": True}
    if tree.get("error"):
        return f"not a valid DuckDB expression: {tree.get('error_message', 'syntax error')}"
    statements = tree.get("statements", [])
    if len(statements) != 1:
        return "write one expression, not several statements"
    node = statements[0].get("node", {})
    if node.get("type") != "SELECT_NODE" or len(node.get("select_list", [])) != 1:
        return "write one expression (no commas at the top level)"
    if (node.get("from_table") or {}).get("type") != "EMPTY" or any(
        node.get(k) for k in ("where_clause", "having", "qualify", "group_expressions")
    ):
        return "write one expression, without FROM, WHERE or GROUP BY"
    for item in _walk(node["select_list"][0]):
        if item.get("class") == "SUBQUERY":
            return "subqueries are not allowed in a check"
        name = str(item.get("function_name", "")).lower()
        if name in FORBIDDEN:
            return f"function {name}() is not allowed in a check"
    return None


def macro_sql(name: str, expr: str) -> str:
    """The statement that defines the expression as a macro over the check's columns."""
    return f"CREATE OR REPLACE TEMP MACRO {name}({', '.join(PARAMS)}) AS ({expr})"


def macro_call(name: str, columns: dict[str, str]) -> str:
    """A call of the macro with `value` left as `{v}` and the other columns as given."""
    args = ["{v}"] + [columns.get(p, "NULL") for p in PARAMS[1:]]
    return f"{name}(" + ", ".join(args) + ")"


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


__all__ = ["PARAMS", "check_expression", "literal", "macro_call", "macro_sql"]
