"""`realitycheck replay` as a newcomer uses it: output formats, exit codes, one-line errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from realitycheck.cli.main import main

from .conftest import Change, write_samples

BASE = "def slug(title):\n    return title.lower().replace(' ', '-')\n"
HEAD = (
    "def slug(title):\n"
    "    text = title.lower().replace(' ', '-')\n"
    "    if len(text) > 12:\n"
    "        text = text[:12]\n"
    "    return text\n"
)
TITLES = ["Hello", "A much longer title here", "Short one", "Another rather long title"]


@pytest.fixture
def change(change_factory: Any) -> Change:
    change = change_factory(
        {"src/blog/__init__.py": "", "src/blog/text.py": BASE}, {"src/blog/text.py": HEAD}
    )
    write_samples(change.corpus_dir, "fn:blog.text:slug", ({"args": {"title": t}} for t in TITLES))
    return change


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def replay_args(change: Change, *extra: str) -> list[str]:
    return [
        "replay",
        "function",
        "--repo",
        str(change.root),
        "--base",
        "main",
        "--target",
        "blog.text:slug",
        "--no-coverage",
        *extra,
    ]


def test_json_is_one_document_and_the_gate_fails(change: Change, capsys: Any) -> None:
    code, out, _ = run(capsys, *replay_args(change, "--format", "json"))
    doc = json.loads(out)
    assert code == 1
    assert doc["schema_version"] == 1 and doc["verdict"] == "fail"
    [target] = doc["replay"]["targets"]
    assert (target["target"], target["samples"], target["diverged"]) == ("fn:blog.text:slug", 4, 2)
    [group] = target["divergences"]
    assert (group["path"], group["category"], group["noise"], group["expected"]) == (
        "$.return",
        "value-changed",
        False,
        False,
    )
    assert len(group["examples"]) == 2
    assert any("expected_changes unavailable" in w for w in doc["warnings"])


def test_text_and_markdown_show_the_example_side_by_side(change: Change, capsys: Any) -> None:
    code, out, _ = run(capsys, *replay_args(change, "--format", "markdown"))
    assert code == 1
    assert "Divergences of fn:blog.text:slug" in out
    assert "<th>base</th><th>head</th>" in out
    assert "a-much-longer-title-here" in out and "a-much-longe" in out
    code, out, _ = run(capsys, *replay_args(change))
    assert code == 1 and "UNEXPECTED" in out


def test_no_unexpected_divergence_passes(change_factory: Any, capsys: Any) -> None:
    change = change_factory(
        {"src/m.py": "def f(x):\n    return x\n"}, {"src/m.py": "def f(x):\n    return +x\n"}
    )
    write_samples(change.corpus_dir, "fn:m:f", ({"args": {"x": i}} for i in range(5)))
    args = ["replay", "function", "--repo", str(change.root), "--base", "main", "--target", "m:f"]
    code, out, _ = run(capsys, *args, "--no-coverage", "--format", "json")
    assert code == 0, out
    assert json.loads(out)["verdict"] == "pass"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "no_colon"], "is not MODULE:QUALNAME"),
        (
            ["--target", "blog.text:slug", "--base", "no-such-rev"],
            "revision 'no-such-rev' does not exist",
        ),
        (["--target", "blog.text:slug", "--corpus", "/nonexistent/corpus"], "no corpus here"),
        (["--target", "blog.text:slugify"], "no recorded samples of fn:blog.text:slugify"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    change: Change, capsys: Any, args: list[str], message: str
) -> None:
    base = [] if "--base" in args else ["--base", "main"]
    code, _, err = run(capsys, "replay", "function", "--repo", str(change.root), *base, *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 or "Usage" in err
    assert "Traceback" not in err


def test_an_unknown_replay_key_names_the_file_and_line(change: Change, capsys: Any) -> None:
    (change.root / "realitycheck.toml").write_text('[replay]\nsource_roots = ["src"]\nwokers = 2\n')
    code, _, err = run(capsys, *replay_args(change))
    assert code == 2
    assert "realitycheck.toml:3" in err and "unknown key 'replay.wokers'" in err


def test_http_refuses_hosts_off_the_allow_list(change: Change, capsys: Any) -> None:
    write_samples(change.corpus_dir, "http:GET /x", [{"method": "GET", "path": "/x"}])
    code, _, err = run(
        capsys,
        "replay",
        "http",
        "--repo",
        str(change.root),
        "--baseline",
        "http://127.0.0.1:9",
        "--candidate",
        "http://example.com",
    )
    assert code == 2
    assert "--candidate: example.com is not an allowed host" in err


def test_http_with_no_matching_target_says_so(change: Change, capsys: Any) -> None:
    code, _, err = run(
        capsys,
        "replay",
        "http",
        "--repo",
        str(change.root),
        "--baseline",
        "http://127.0.0.1:9",
        "--candidate",
        "http://127.0.0.1:10",
        "--target",
        "GET /nothing",
    )
    assert code == 2
    assert "no recorded HTTP target matches GET /nothing" in err


def test_help_reads_well(capsys: Any) -> None:
    code, out, _ = run(capsys, "replay", "--help")
    assert code == 0 and "function" in out and "http" in out
    code, out, _ = run(capsys, "replay", "function", "--help")
    assert code == 0 and "--executor [local|ray]" in out and "MODULE:QUALNAME" in out
