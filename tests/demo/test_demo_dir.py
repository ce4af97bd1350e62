"""`realitycheck demo --dir ./docsvc-demo` puts the example repository where the README says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from realitycheck.cli.main import main
from realitycheck.core.events import Events
from realitycheck.demo.run import prepare_workdir
from realitycheck.demo.steps.history import human_commit
from realitycheck.demo.story import DemoContext

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_names_the_repository_folder_itself() -> None:
    text = README.read_text(encoding="utf-8")
    folder = re.search(r"realitycheck demo --dir (\S+)`", text)
    assert folder is not None
    assert f"cd {folder.group(1)}" in text  # the next commands run inside that folder


def test_the_example_repository_is_the_folder_given(tmp_path: Path) -> None:
    workdir = prepare_workdir(tmp_path / "docsvc-demo")
    ctx = DemoContext(
        workdir=workdir, cache=tmp_path / "cache", events=Events(), say=lambda _: None
    )
    human_commit(ctx)
    assert ctx.root == tmp_path / "docsvc-demo"
    assert (tmp_path / "docsvc-demo" / ".git").is_dir()


def test_a_folder_with_files_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "mine"
    kept.mkdir()
    (kept / "notes.txt").write_text("keep me")
    assert main(["demo", "--dir", str(kept)]) == 2
    err = capsys.readouterr().err
    assert "is not empty" in err and str(kept) in err
    assert sorted(p.name for p in kept.iterdir()) == ["notes.txt"]
