"""The import paths a newcomer copies from the README and the guides import."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"```python\n(.*?)```", re.S)


def _documented_imports() -> list[str]:
    found: list[str] = []
    for page in [PROJECT / "README.md", *sorted((PROJECT / "docs").rglob("*.md"))]:
        for block in FENCE.findall(page.read_text(encoding="utf-8")):
            for line in block.splitlines():
                stripped = line.split("#", 1)[0].strip()
                if not stripped.startswith(("import ", "from ")) or "realitycheck" not in line:
                    continue
                try:
                    ast.parse(stripped)
                except SyntaxError:
                    continue
                found.append(stripped)
    return sorted(set(found))


EXPLICIT = [
    "from realitycheck.capture import RecordingMiddleware, WSGIRecordingMiddleware",
    "from realitycheck.capture import configure, record, flask_routes, django_routes",
    "from realitycheck import record",
    "import realitycheck.capture",
]


@pytest.mark.parametrize("statement", EXPLICIT + _documented_imports())
def test_the_documented_import_imports_in_a_fresh_interpreter(statement: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", statement], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_both_names_are_the_same_module() -> None:
    import realitycheck
    import realitycheck.capture as short
    import realitycheck.corpus.capture as long

    assert short is long is realitycheck.capture
    assert short.RecordingMiddleware is long.RecordingMiddleware
