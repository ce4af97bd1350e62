"""Public API signatures (base and head compared) and error handling at I/O seams."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realitycheck.boundaries.detectors.io_errors import classify, seams
from realitycheck.boundaries.detectors.public_api import signature

from .conftest import MakeChange

CLIENT = '''"""A small HTTP client library."""

from dataclasses import dataclass

__all__ = ["Client", "fetch", "_legacy_fetch"]


@dataclass
class Options:
    timeout: float = 10.0
    retries: int = 3


class Client:
    def __init__(self, base_url: str, options: Options | None = None) -> None:
        self.base_url = base_url
        self.options = options or Options()

    def get(self, path: str) -> bytes:
        return self._send("GET", path)

    def _send(self, method: str, path: str) -> bytes:
        return b""


def fetch(url: str, timeout: float = 10.0) -> bytes:
    return Client(url).get("/")


def _legacy_fetch(url):
    return fetch(url)


def helper(x):
    return x * 2
'''


def _package(source: str) -> dict[str, str]:
    return {"src/httpkit/__init__.py": "", "src/httpkit/client.py": source}


def test_signature_change_is_told_apart_from_body_change(make_change: MakeChange) -> None:
    head = (
        CLIENT.replace("def fetch(url: str, timeout: float = 10.0) -> bytes:",
                       "def fetch(url: str, timeout: float = 5.0) -> bytes:")
        .replace('self._send("GET", path)', 'self._send("GET", "/" + path)')
        .replace("method: str, path: str)", "method: str, path: str, body=None)")
        .replace("def _legacy_fetch(url):", "def _legacy_fetch(url, **kw):")
        .replace("def helper(x):", "def helper(x, y=1):")
    )  # fmt: skip
    change = make_change(_package(CLIENT), _package(head))
    result = change.check()
    symbols = sorted(f.symbol or "" for f in result.findings)
    # fetch and _legacy_fetch are in __all__; helper is not (the module has __all__);
    # Client.get changed only its body; Client._send is private.
    assert symbols == ["_legacy_fetch", "fetch"]
    fetch = next(f for f in result.findings if f.symbol == "fetch")
    assert "signature of public function fetch changed" in fetch.reasons[0]


def test_dataclass_fields_and_all_changes(make_change: MakeChange) -> None:
    head = CLIENT.replace(
        "    retries: int = 3\n", "    retries: int = 5\n    verify: bool = True\n"
    )
    head = head.replace(
        '__all__ = ["Client", "fetch", "_legacy_fetch"]', '__all__ = ["Client", "fetch"]'
    )
    change = make_change(_package(CLIENT), _package(head))
    result = change.check()
    by_symbol = {f.symbol: f for f in result.findings}
    assert set(by_symbol) == {"__all__"}, "Options is not exported: its fields are not API"
    assert "removes _legacy_fetch" in by_symbol["__all__"].reasons[0]


def test_reexported_names_of_a_private_module_are_public(make_change: MakeChange) -> None:
    base = {
        "src/kit/__init__.py": 'from kit._core import parse\n\n__all__ = ["parse"]\n',
        "src/kit/_core.py": "def parse(text: str) -> dict:\n    return {}\n",
    }
    head = {
        "src/kit/_core.py": "def parse(text: str, strict: bool = False) -> dict:\n    return {}\n"
    }
    result = make_change(base, head).check()
    assert [(f.rule, f.path, f.symbol) for f in result.findings] == [
        ("public_api", "src/kit/_core.py", "parse")
    ]


def test_tests_scripts_and_new_modules_are_not_public_api(make_change: MakeChange) -> None:
    base = {
        "src/kit/__init__.py": "",
        "tests/test_kit.py": "def test_a():\n    pass\n",
        "manage.py": "def main():\n    pass\n",
    }
    head = {
        "tests/test_kit.py": "def test_a(tmp_path):\n    pass\n",
        "manage.py": "def main(argv=None):\n    pass\n",
        "src/kit/new.py": "def brand_new(x):\n    return x\n",
    }
    assert make_change(base, head).check().findings == []


_NAMES = st.sampled_from(["a", "b", "c"])


@settings(max_examples=100, deadline=None)
@given(
    params=st.lists(_NAMES, unique=True, max_size=3),
    body1=st.integers(0, 9),
    body2=st.integers(0, 9),
)
def test_signature_ignores_bodies(params: list[str], body1: int, body2: int) -> None:
    """Two functions that differ only in their bodies have the same signature."""
    head = f"def f({', '.join(params)}):\n"
    one = ast.parse(head + f"    return {body1}\n").body[0]
    two = ast.parse(head + f"    x = {body2}\n    return x\n").body[0]
    assert isinstance(one, ast.FunctionDef) and isinstance(two, ast.FunctionDef)
    assert signature(one) == signature(two)
    other = ast.parse(f"def f({', '.join([*params, 'extra'])}):\n    return 0\n").body[0]
    assert isinstance(other, ast.FunctionDef)
    assert signature(one) != signature(other)


STORE = """import json
import sqlite3
import subprocess
from pathlib import Path

import httpx


def load_remote(url: str) -> dict:
    try:
        response = httpx.get(url, timeout=5)
        response.raise_for_status()
    except httpx.HTTPError:
        return {}
    return response.json()


def save(db: sqlite3.Connection, key: str, value: str) -> None:
    try:
        db.execute("INSERT INTO kv VALUES (?, ?)", (key, value))
        db.commit()
    except sqlite3.IntegrityError:
        db.rollback()
        raise


def read_config(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}


def git_head() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""


def pure(values: list[int]) -> int:
    try:
        return sum(values) // len(values)
    except ZeroDivisionError:
        return 0
"""


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        ("httpx.get(url)", "network"),
        ("requests.post(url, json=body)", "network"),
        ("self.session.get(url)", "network"),
        ("urllib.request.urlopen(url)", "network"),
        ("cursor.execute(sql)", "database"),
        ("sqlite3.connect(path)", "database"),
        ("open(path)", "filesystem"),
        ("Path(p).read_text()", "filesystem"),
        ("shutil.copy(a, b)", "filesystem"),
        ("os.remove(p)", "filesystem"),
        ("subprocess.run(cmd)", "process"),
        ("os.system(cmd)", "process"),
        ("config.get('key')", None),
        ("sum(values)", None),
    ],
)
def test_classify_calls(call: str, kind: str | None) -> None:
    node = ast.parse(call).body[0]
    assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
    hit = classify(node.value)
    assert (hit[0] if hit else None) == kind


def test_seams_in_documented_styles() -> None:
    found = [
        (node.lineno, sorted({k for k, _, _ in calls})) for node, calls in seams(ast.parse(STORE))
    ]
    assert [kinds for _, kinds in found] == [["network"], ["database"], ["filesystem"], ["process"]]


def test_changed_except_clause_at_a_seam_is_a_boundary(make_change: MakeChange) -> None:
    head = STORE.replace(
        "    except httpx.HTTPError:\n        return {}", "    except Exception:\n        return {}"
    )
    head = head.replace(
        "    except ZeroDivisionError:\n        return 0", "    except Exception:\n        return 0"
    )
    result = make_change({"store.py": STORE}, {"store.py": head}).check()
    [finding] = result.findings
    assert finding.rule == "io_errors"
    assert finding.symbol == "load_remote: try at line 10"
    assert "network I/O (httpx.get at line 11)" in finding.reasons[0]
    line = head.splitlines().index("    except Exception:") + 1
    assert finding.lines == [(line, line)]
