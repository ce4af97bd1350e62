"""Which targets a change calls for: configured ones, and recorded functions in changed modules."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from pathlib import Path

FN = "fn:"
HTTP = "http:"


def function_name(target: str) -> str:
    """`fn:module:qualname` for any spelling of a function target."""
    return target if target.startswith(FN) else f"{FN}{target}"


def callable_name(target: str) -> str:
    """`module:qualname` for any spelling of a function target."""
    return target.removeprefix(FN)


def module_files(module: str, roots: Iterable[str]) -> list[str]:
    """The repository paths a module could live at, under each source root."""
    rel = module.replace(".", "/")
    out: list[str] = []
    for root in roots:
        prefix = "" if root in (".", "") else root.rstrip("/") + "/"
        out += [f"{prefix}{rel}.py", f"{prefix}{rel}/__init__.py"]
    return out


def changed_function_targets(
    recorded: Mapping[str, int], changed_paths: Iterable[str], roots: Iterable[str]
) -> list[str]:
    """Recorded function targets whose module file the change touches."""
    changed = set(changed_paths)
    roots = list(roots)
    out: list[str] = []
    for target in sorted(recorded):
        if not target.startswith(FN):
            continue
        module = callable_name(target).partition(":")[0]
        if any(path in changed for path in module_files(module, roots)):
            out.append(target)
    return out


def http_targets(recorded: Mapping[str, int], patterns: Iterable[str]) -> list[str]:
    """Recorded HTTP targets matching any of the shell-style patterns."""
    patterns = list(patterns)
    return [
        t
        for t in sorted(recorded)
        if t.startswith(HTTP) and any(fnmatch.fnmatchcase(t, p) for p in patterns)
    ]


def tree_has(tree: Path, paths: Iterable[str]) -> bool:
    """Whether any of the paths exists in a materialised tree."""
    return any((tree / p).is_file() for p in paths)
