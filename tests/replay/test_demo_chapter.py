"""The demo's replay chapter: real PDFs, the agent's fast path, and what replay says about it."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from realitycheck.core.events import Events
from realitycheck.demo import story
from realitycheck.demo.steps import pdfs
from realitycheck.demo.steps.history import agent_commit, human_commit
from realitycheck.pipeline import VerifyOptions, verify

HEAD_EXTRACT = story.EXAMPLE / "head" / "src" / "docsvc" / "extract.py"


def fake_sdist(cache: Path) -> None:
    cache.mkdir(parents=True)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in [
            ("pikepdf-1.0/tests/resources/a.pdf", b"%PDF-1.4 a"),
            ("pikepdf-1.0/tests/resources/pdfa/b.pdf", b"%PDF-1.4 b"),
            ("pikepdf-1.0/tests/resources/notes.txt", b"not a pdf"),
            ("pikepdf-1.0/docs/c.pdf", b"%PDF-1.4 elsewhere"),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (cache / "pikepdf-1.0.tar.gz").write_bytes(buffer.getvalue())


def test_the_pdfs_come_from_the_sdists_test_resources(tmp_path: Path) -> None:
    fake_sdist(tmp_path / "pikepdf")
    found = pdfs.fetch_pdfs(tmp_path / "pikepdf")
    names = [p.relative_to(tmp_path / "pikepdf" / "pdfs").as_posix() for p in found]
    assert names == ["a.pdf", "pdfa/b.pdf"]
    assert pdfs.fetch_pdfs(tmp_path / "pikepdf") == found  # cached: no second extraction


def test_offline_the_story_goes_on_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdfs, "PIP_DOWNLOAD", ["false"])
    said: list[str] = []
    assert pdfs.fetch_pdfs(tmp_path / "pikepdf", said.append) == []
    assert any("the story goes on without real PDFs" in s for s in said)


@pytest.fixture(scope="session")
def pikepdf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("demo-cache")
    said: list[str] = []
    if not pdfs.fetch_pdfs(cache / "pikepdf", said.append):
        pytest.skip(f"pikepdf's PDFs could not be fetched: {said[-1] if said else ''}")
    return cache


def build_story(workdir: Path, cache: Path, say: Callable[[str], None]) -> story.DemoContext:
    ctx = story.DemoContext(workdir=workdir, cache=cache, events=Events(), say=say)
    human_commit(ctx)
    pdfs.import_pdfs(ctx)
    agent_commit(ctx)
    return ctx


def test_replay_shows_the_text_the_fast_path_loses_and_the_branch_no_test_reached(
    tmp_path: Path, pikepdf_cache: Path
) -> None:
    pytest.importorskip("pypdf")
    said: list[str] = []
    ctx = build_story(tmp_path, pikepdf_cache, said.append)
    assert any("real PDFs" in s for s in said)
    assert ctx.repo is not None
    committed = ctx.repo.git("log", "--name-only", "--format=", "main..HEAD")
    assert ".realitycheck/corpus" not in committed and "redaction.key" not in committed
    report = verify(VerifyOptions(repo=ctx.root, base="main", head="HEAD"))
    stage = report.stage("replay")
    assert stage is not None and stage.status.value == "ran", stage and stage.reason
    target = next(t for t in stage.data["targets"] if t["target"] == pdfs.TARGET)
    assert target["samples"] >= 50
    lost = [d for d in target["divergences"] if d["category"] in ("empty", "text-lost")]
    assert lost and not any(d["noise"] for d in lost)
    assert sum(d["count"] for d in lost) / target["samples"] >= 0.15
    # the branch that skips fonts other than WinAnsi/Standard: only real documents reach it
    source = HEAD_EXTRACT.read_text().splitlines()
    skip = next(
        i for i, line in enumerate(source, 1) if "WinAnsi or Standard encodings (A1)" in line
    )
    cov = stage.data["reality_coverage"]
    untested = [r for path, r in cov["replay_only"] if path == "src/docsvc/extract.py"]
    assert any(a <= skip + 1 <= b for a, b in untested)
    assert any(t.startswith("tests/test_extract.py::") for t in cov["tests"]["ai_tests"])
    # divergences are tied back to the changed lines they reached; which lines *only* diverged
    # documents reach depends on whether pypdf can decrypt (the optional `cryptography`)
    assert "src/docsvc/extract.py" in target["reached_by_diverged"]
