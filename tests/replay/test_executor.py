"""Workers: one revision per process, arguments bound by name, timeouts, crashes, blobs."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from realitycheck.corpus.store import BlobStore
from realitycheck.replay.binding import bind
from realitycheck.replay.executor import Pool, PoolSpec
from realitycheck.replay.local import LocalBackend

MODULE = """
import os, sys, time

VERSION = "{version}"

def who(x):
    return {{"version": VERSION, "pid": os.getpid(), "x": x, "first_path": sys.path[0]}}

def slow(seconds):
    time.sleep(seconds)
    return "done"

def die(code):
    if code:
        os._exit(code)
    return "alive"

def hungry(n):
    while True:
        pass

def size(pdf):
    return {{"type": type(pdf).__name__, "size": len(pdf)}}

def loud(x):
    print("printing does not break the worker's pipe", x)
    return x
"""


def tree(tmp_path: Path, version: str) -> Path:
    root = tmp_path / version
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("")
    (root / "src" / "pkg" / "mod.py").write_text(MODULE.format(version=version))
    return root


def pool(root: Path, timeout: float = 5.0, blob_root: Path | None = None, size: int = 1) -> Pool:
    spec = PoolSpec(root.name, root, ("src",), timeout, blob_root=blob_root)
    return Pool(LocalBackend(), spec, size)


def run(p: Pool, target: str, args: list[dict[str, object]]) -> list[tuple[str, str, dict]]:
    items = [(f"s{i}", json.dumps({"args": a})) for i, a in enumerate(args)]
    return [
        (sid, status, json.loads(text))
        for sid, status, text, _ in p.collect(p.submit(target, items))
    ]


def test_base_and_head_never_share_an_interpreter(tmp_path: Path) -> None:
    base, head = pool(tree(tmp_path, "base")), pool(tree(tmp_path, "head"))
    try:
        [(_, _, b)] = run(base, "pkg.mod:who", [{"x": 1}])
        [(_, _, h)] = run(head, "pkg.mod:who", [{"x": 1}])
    finally:
        base.close()
        head.close()
    assert b["return"]["version"] == "base" and h["return"]["version"] == "head"
    assert b["return"]["pid"] != h["return"]["pid"]
    assert b["return"]["first_path"] == str(tmp_path / "base" / "src")
    assert h["return"]["first_path"] == str(tmp_path / "head" / "src")


def test_a_hang_is_a_timeout_and_a_dead_worker_a_crash_and_the_rest_go_on(tmp_path: Path) -> None:
    p = pool(tree(tmp_path, "base"), timeout=0.5)
    try:
        slow = run(p, "pkg.mod:slow", [{"seconds": 0}, {"seconds": 3}, {"seconds": 0}])
        spin = run(p, "pkg.mod:hungry", [{"n": 1}])
        dead = run(p, "pkg.mod:die", [{"code": 0}, {"code": 7}, {"code": 0}])
        after = run(p, "pkg.mod:who", [{"x": 2}])
    finally:
        p.close()
    assert [s for _, s, _ in slow] == ["return", "timeout", "return"]
    assert [s for _, s, _ in spin] == ["timeout"]
    assert [s for _, s, _ in dead] == ["return", "crash", "return"]
    assert "exited with code 7" in dead[1][2]["crashed"]["reason"]
    assert after[0][1] == "return"
    assert p.restarts >= 2


def test_arguments_are_bound_by_name_and_mistakes_are_the_functions_exceptions(
    tmp_path: Path,
) -> None:
    p = pool(tree(tmp_path, "base"))
    try:
        results = run(p, "pkg.mod:who", [{"x": 1}, {"y": 2}, {}])
        printed = run(p, "pkg.mod:loud", [{"x": "ok"}])
    finally:
        p.close()
    assert results[0][1] == "return"
    assert results[1][2]["raised"]["type"] == "TypeError"
    assert "unexpected keyword argument 'y'" in results[1][2]["raised"]["message"]
    assert results[2][2]["raised"]["type"] == "TypeError"
    assert printed[0][2] == {"return": "ok"}


def test_bytes_arrive_from_the_corpus_blob_store(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "corpus" / "blobs")
    ref = blobs.put(b"%PDF-1.7 fake", "application/pdf")
    p = pool(tree(tmp_path, "base"), blob_root=tmp_path / "corpus" / "blobs")
    try:
        got = run(p, "pkg.mod:size", [{"pdf": ref}, {"pdf": {"$blob": "sha256:" + "0" * 64}}])
    finally:
        p.close()
    assert got[0][2] == {"return": {"type": "bytes", "size": 13}}
    assert got[1][1] == "input-error"


def test_probing_tells_a_missing_function_from_a_broken_module(tmp_path: Path) -> None:
    root = tree(tmp_path, "base")
    (root / "src" / "pkg" / "broken.py").write_text("import not_installed_anywhere\n")
    p = pool(root)
    try:
        assert p.probe("pkg.mod:who") == ("ok", "")
        assert p.probe("pkg.mod:nothing")[0] == "missing"
        assert p.probe("pkg.absent:f")[0] == "missing"
        assert p.probe("pkg.broken:f")[0] == "broken"
        [(_, status, doc)] = run(p, "pkg.broken:f", [{}])
    finally:
        p.close()
    assert status == "raised"
    assert doc["raised"]["type"] == "ModuleNotFoundError"


def f_plain(a, b=2):  # type: ignore[no-untyped-def]
    return a, b


def f_positional(a, /, b):  # type: ignore[no-untyped-def]
    return a, b


def f_star(a, *args, k=0, **kwargs):  # type: ignore[no-untyped-def]
    return a, args, k, kwargs


def params(fn: object) -> list[tuple[str, object]]:
    return [(p.name, p.kind) for p in inspect.signature(fn).parameters.values()]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fn", "args", "expected"),
    [
        (f_plain, {"a": 1}, (1, 2)),
        (f_plain, {"b": 3, "a": 1}, (1, 3)),
        (f_positional, {"a": 1, "b": 2}, (1, 2)),
        (f_star, {"a": 1, "args": [2, 3], "k": 4, "kwargs": {"z": 5}}, (1, (2, 3), 4, {"z": 5})),
        (f_star, {"a": 1}, (1, (), 0, {})),
    ],
)
def test_binding_follows_the_corpus_shape(fn: object, args: dict, expected: object) -> None:
    pos, kw = bind(params(fn), args)
    assert fn(*pos, **kw) == expected  # type: ignore[operator]


def test_several_workers_share_a_revisions_batches(tmp_path: Path) -> None:
    p = pool(tree(tmp_path, "base"), size=2)
    try:
        tickets = [p.submit("pkg.mod:who", [(f"s{i}", '{"args": {"x": 1}}')]) for i in range(6)]
        pids = {json.loads(p.collect(t)[0][2])["return"]["pid"] for t in tickets}
    finally:
        p.close()
    assert len(pids) == 2
