"""The demo's boundaries chapter: the response model the agent changed, its owners, and the gate
passing once they approve (through the loopback stand-in for GitHub's API)."""

from __future__ import annotations

from pathlib import Path

from realitycheck.core.events import Events
from realitycheck.demo.steps.approval import approved_by_owner
from realitycheck.demo.steps.history import agent_commit, human_commit
from realitycheck.demo.story import AFTER_VERIFY, DemoContext
from realitycheck.pipeline import VerifyOptions, verify
from realitycheck.pipeline.registry import registered_stages


def test_boundaries_chapter(tmp_path: Path) -> None:
    said: list[str] = []
    ctx = DemoContext(workdir=tmp_path, cache=tmp_path / "cache", events=Events(), say=said.append)
    human_commit(ctx)
    agent_commit(ctx)
    stages = [s for s in registered_stages() if s.name in ("provenance", "boundaries")]
    report = verify(VerifyOptions(repo=ctx.root, base="main", head="HEAD"), stages=stages)
    stage = report.stage("boundaries")
    assert stage is not None and stage.failures, "the gate fails before the approval"
    owners = {tuple(f["owners"]) for f in stage.data["findings"]}
    assert owners == {("@example-org/api-owners",)}
    assert any(f["symbol"] == "DocumentOut" for f in stage.data["findings"])
    approved_by_owner(ctx, report)
    text = "\n".join(said)
    assert "src/docsvc/api.py:16-17 (DocumentOut) is AI-written" in text
    assert "owned by @example-org/api-owners" in text
    assert "STAND-IN, not GitHub" in text
    assert "the boundaries gate passes" in text
    assert "realitycheck.demo.steps.approval:approved_by_owner" in AFTER_VERIFY
