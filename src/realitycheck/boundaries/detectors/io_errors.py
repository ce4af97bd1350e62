"""Error handling at I/O seams: try/except around network, database, file and process calls."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import cast

from realitycheck.boundaries import pyast
from realitycheck.boundaries.detectors import Scope
from realitycheck.boundaries.model import Region
from realitycheck.core.ranges import Range, merge

RULE = "io_errors"
# `try`, and on Python 3.11+ `try`/`except*` (same fields, so both read as ast.Try here).
TRY_NODES: tuple[type[ast.stmt], ...] = tuple(
    t for t in (ast.Try, getattr(ast, "TryStar", None)) if isinstance(t, type)
)

_MODULES = {
    "network": (
        "requests", "httpx", "urllib.request", "urllib3", "aiohttp", "socket", "http.client",
        "ftplib", "smtplib", "grpc", "websockets", "boto3", "botocore", "paramiko",
    ),
    "database": (
        "sqlite3", "psycopg", "psycopg2", "pymysql", "MySQLdb", "asyncpg", "aiosqlite",
        "sqlalchemy", "pymongo", "motor", "redis", "elasticsearch", "cassandra",
    ),
    "filesystem": ("shutil", "tempfile", "io.open", "os.path.getsize", "glob"),
    "process": ("subprocess", "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell"),
}  # fmt: skip
_OS = {
    "process": {"system", "popen", "spawnv", "spawnl", "execv", "execvp", "execl", "posix_spawn"},
    "filesystem": {
        "remove", "unlink", "rename", "replace", "makedirs", "mkdir", "rmdir", "listdir",
        "scandir", "stat", "walk", "open", "chmod", "chown", "symlink", "link", "truncate",
    },
}  # fmt: skip
_DB_METHODS = {
    "execute", "executemany", "executescript", "fetchone", "fetchall", "fetchmany", "commit",
    "rollback", "cursor", "scalars", "scalar", "bulk_save_objects", "flush", "query",
}  # fmt: skip
_FS_METHODS = {
    "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "mkdir", "rmdir",
    "touch", "iterdir", "rename", "replace", "symlink_to", "hardlink_to",
}  # fmt: skip
_NET_METHODS = {
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send",
    "urlopen", "getresponse", "sendall", "recv", "connect",
}  # fmt: skip
_NET_RECEIVERS = ("client", "session", "http", "api", "requests", "httpx", "conn", "sock")


def classify(call: ast.Call) -> tuple[str, str] | None:
    """(kind, name) for a call that crosses an I/O seam, else None."""
    name = pyast.dotted(call.func)
    if name is None:
        if isinstance(call.func, ast.Attribute) and call.func.attr in _FS_METHODS:
            return "filesystem", f"….{call.func.attr}"
        return None
    if name in ("open", "io.open", "os.open"):
        return "filesystem", name
    for kind, modules in _MODULES.items():
        if any(name == m or name.startswith(m + ".") for m in modules):
            return kind, name
    head, _, attr = name.rpartition(".")
    if head == "os":
        for kind, attrs in _OS.items():
            if attr in attrs:
                return kind, name
    if not head:
        return None
    if attr in _DB_METHODS:
        return "database", name
    if attr in _FS_METHODS:
        return "filesystem", name
    receiver = head.lower()
    if attr in _NET_METHODS and any(word in receiver for word in _NET_RECEIVERS):
        return "network", name
    return None


def _calls(body: list[ast.stmt]) -> Iterator[ast.Call]:
    """Calls in statements, not descending into nested functions or classes."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _enclosing(tree: ast.Module) -> dict[int, str]:
    """Line number of each try statement -> the qualified name of the function around it."""
    out: dict[int, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, f"{name}.{child.name}" if name else child.name)
            else:
                if isinstance(child, TRY_NODES):
                    out[child.lineno] = name
                visit(child, name)

    visit(tree, "")
    return out


def seams(tree: ast.Module) -> Iterator[tuple[ast.Try, list[tuple[str, str, int]]]]:
    """Each try statement with handlers or finally, and the I/O calls its body makes."""
    for stmt in ast.walk(tree):
        if not isinstance(stmt, TRY_NODES):
            continue
        node = cast(ast.Try, stmt)
        if not node.handlers and not node.finalbody:
            continue
        found = []
        for call in _calls(node.body):
            hit = classify(call)
            if hit is not None:
                found.append((hit[0], hit[1], call.lineno))
        if found:
            yield node, sorted(found, key=lambda f: f[2])


def region_lines(node: ast.Try, calls: list[tuple[str, str, int]]) -> list[Range]:
    """The `try:` line, the I/O call lines, and every handler, else and finally block."""
    lines: list[Range] = [(node.lineno, node.lineno)]
    lines += [(line, line) for _, _, line in calls]
    for handler in node.handlers:
        lines.append((handler.lineno, handler.end_lineno or handler.lineno))
    for block in (node.orelse, node.finalbody):
        if block:
            lines.append((block[0].lineno - 1, block[-1].end_lineno or block[-1].lineno))
    return merge(lines)


def detect(scope: Scope) -> list[Region]:
    """A region over each try/except at an I/O seam in the changed Python files."""
    regions: list[Region] = []
    for changed in scope.python_files():
        tree = scope.tree(changed.path)
        if tree is None:
            continue
        where = _enclosing(tree)
        for node, calls in seams(tree):
            kinds = sorted({k for k, _, _ in calls})
            first = calls[0]
            caught = "finally" if not node.handlers else "except"
            function = where.get(node.lineno) or "module level"
            reason = (
                f"{caught} handling around {' and '.join(kinds)} I/O "
                f"({first[1]} at line {first[2]}): how failures at this seam are handled"
            )
            regions.append(
                Region(
                    path=changed.path,
                    lines=region_lines(node, calls),
                    rule=RULE,
                    symbol=f"{function}: try at line {node.lineno}",
                    reason=reason,
                )
            )
    return regions
