"""`realitycheck corpus ...` as a newcomer uses it: right answers, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realitycheck.cli.main import main
from realitycheck.corpus.store import Corpus

Capsys = pytest.CaptureFixture[str]


def run(capsys: Capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def imported(realworld: Path, corpus_dir: Path, key_file: Path, capsys: Capsys) -> Path:
    code, out, _ = run(
        capsys,
        "corpus",
        "import",
        "--format",
        "keploy",
        str(realworld / "keploy"),
        "--corpus",
        str(corpus_dir),
        "--key-file",
        str(key_file),
    )
    assert code == 0 and "imported 28 samples" in out
    return corpus_dir


def test_import_stats_ls_show(imported: Path, capsys: Capsys) -> None:
    code, out, _ = run(capsys, "corpus", "stats", "--corpus", str(imported), "--format", "json")
    stats = json.loads(out)
    assert code == 0 and stats["samples"] == 28
    assert {t["target"] for t in stats["targets"]} >= {"http:POST /books/", "fn:redis:HSET"}
    assert stats["sources"] == {"import:keploy": 28}
    code, out, _ = run(capsys, "corpus", "stats", "--corpus", str(imported))
    assert code == 0 and "28 samples" in out
    code, out, _ = run(
        capsys,
        "corpus",
        "ls",
        "--corpus",
        str(imported),
        "--format",
        "json",
        "--target",
        "http:POST /books/",
    )
    rows = json.loads(out)
    assert code == 0 and len(rows) == 1 and rows[0]["outcome"] == "201"
    sample_id = rows[0]["id"]
    code, out, _ = run(
        capsys, "corpus", "show", sample_id, "--corpus", str(imported), "--format", "json"
    )
    assert code == 0 and json.loads(out)["input"]["body"]["title"] == "1984"
    code, out, _ = run(capsys, "corpus", "show", sample_id, "--corpus", str(imported))
    assert code == 0 and "George Orwell" in out and sample_id in out
    code, out, _ = run(capsys, "corpus", "ls", "--corpus", str(imported))
    assert code == 0 and "http:" in out


def test_import_json_summary_and_dedup(
    realworld: Path, corpus_dir: Path, key_file: Path, capsys: Capsys
) -> None:
    args = [
        "corpus",
        "import",
        "--format",
        "har",
        str(realworld / "har" / "chrome.har"),
        "--corpus",
        str(corpus_dir),
        "--key-file",
        str(key_file),
        "--json",
    ]
    code, out, _ = run(capsys, *args)
    assert code == 0 and json.loads(out)["imported"] == 3
    code, out, _ = run(capsys, *args)
    assert json.loads(out)["imported"] == 3  # imports keep every entry
    code, out, _ = run(capsys, *args, "--dedup")
    summary = json.loads(out)
    assert summary["imported"] == 0 and summary["duplicates"] == 3
    assert Corpus(corpus_dir).count() == 6


def test_files_import(tmp_path: Path, corpus_dir: Path, key_file: Path, capsys: Capsys) -> None:
    folder = tmp_path / "docs"
    (folder / "nested").mkdir(parents=True)
    (folder / "a.pdf").write_bytes(b"%PDF-1.4\n%binary\xff\xfe\n")
    (folder / "nested" / "b.txt").write_text("hello")
    (folder / ".hidden").write_text("skip me")
    code, out, _ = run(
        capsys,
        "corpus",
        "import",
        "--format",
        "files",
        str(folder),
        "--target",
        "fn:docsvc.extract:extract_text",
        "--arg",
        "pdf",
        "--corpus",
        str(corpus_dir),
        "--key-file",
        str(key_file),
    )
    assert code == 0 and "imported 2 samples" in out
    store = Corpus(corpus_dir)
    refs = sorted(
        (s.input["args"]["pdf"] for s in store.iter_samples()), key=lambda r: r["media_type"]
    )
    assert [r["media_type"] for r in refs] == ["application/pdf", "text/plain"]
    assert store.blobs.get(refs[0]).startswith(b"%PDF-1.4")
    assert all(s.output is None and s.kind == "function" for s in store.iter_samples())


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["corpus", "import", "--format", "files", "x"], "--format files needs --target"),
        (["corpus", "import", "--format", "har", "/no/such/file.har"], "no such file or folder"),
        (["corpus", "import", "--format", "xml", "x"], "'xml' is not one of"),
        (["corpus", "show", "s_nothing"], "no sample with id"),
        (["corpus", "stats"], "no corpus here"),
    ],
)
def test_newcomer_mistakes_get_one_line(
    args: list[str], says: str, tmp_path: Path, key_file: Path, capsys: Capsys
) -> None:
    corpus = tmp_path / "c"
    if args[1] == "show":
        Corpus(corpus, create=True)
    code, _, err = run(capsys, *args, "--corpus", str(corpus))
    assert code == 2
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert says in err, err
    assert "Traceback" not in err and len(lines) <= 3


def test_strict_jsonl_import_fails_naming_the_line(
    tmp_path: Path, corpus_dir: Path, key_file: Path, capsys: Capsys
) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"target": "fn:m:f", "input": {"args": {}}}\n{"target": 3, "input": {}}\n')
    code, _, err = run(
        capsys,
        "corpus",
        "import",
        "--format",
        "jsonl",
        str(path),
        "--strict",
        "--corpus",
        str(corpus_dir),
        "--key-file",
        str(key_file),
    )
    assert code == 2
    assert (
        err.strip()
        == f"realitycheck: error: {path}:2 (entry 1): 'target' must be a non-empty string"
    )
    assert Corpus(corpus_dir).count() == 0


def test_help_lists_the_subcommands(capsys: Capsys) -> None:
    code, out, _ = run(capsys, "corpus", "--help")
    assert code == 0
    for name in ("import", "stats", "ls", "show", "profile"):
        assert name in out
