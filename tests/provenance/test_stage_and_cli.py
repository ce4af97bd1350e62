"""`verify`'s provenance stage and the `provenance` command, through the real CLI."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from realitycheck.cli.main import main
from realitycheck.core.report import StageStatus, Verdict
from realitycheck.demo.repo import RepoBuilder
from realitycheck.pipeline import VerifyOptions, verify
from realitycheck.pipeline.run import AI_CHANGE_KEY, build_context, run_stages
from realitycheck.pipeline.stages.provenance import STAGE
from realitycheck.pipeline.stages.risk import STAGE as RISK

from .conftest import CLAUDE_FOOTER, CLAUDE_TRAILER, HUMAN

OWN = [STAGE, RISK]  # this area's stage and the risk summary it feeds


@pytest.fixture
def change(repo: RepoBuilder) -> RepoBuilder:
    """main holds a human commit; branch topic holds Claude Code's commit and a human one."""
    repo.write(
        {
            "realitycheck.toml": '[provenance]\nhuman_identities = ["maintainer@example.com"]\n',
            "src/app.py": "a = 1\nb = 2\n",
        }
    )
    repo.commit("Start", author=HUMAN)
    repo.git("checkout", "-q", "-b", "topic")
    repo.write({"src/app.py": "a = 1\nb = 3\nc = 4\n"})
    repo.commit(f"Agent change\n\n{CLAUDE_FOOTER}", author=HUMAN, extra_trailers=[CLAUDE_TRAILER])
    repo.write({"src/app.py": "a = 1\nb = 3\nc = 4\nd = 5\n"})
    repo.commit("Human change", author=HUMAN)
    return repo


def test_the_json_section_follows_the_design(change: RepoBuilder) -> None:
    report = verify(VerifyOptions(repo=change.root, base="main"), stages=OWN)
    doc = report.to_json()
    section = doc["provenance"]
    assert section["status"] == "ran"
    assert section["ai_line_share"] == pytest.approx(2 / 3, abs=1e-4)
    first, second = section["commits"]
    assert set(first) >= {"sha", "verdict", "tools", "evidence"}
    assert (first["verdict"], first["tools"]) == ("ai", ["claude-code"])
    assert {"source", "detail"} <= set(first["evidence"][0])
    assert second["verdict"] == "human"
    (f,) = section["files"]
    assert (f["path"], f["ai"], f["human"], f["unknown"]) == ("src/app.py", [[2, 3]], [[4, 4]], [])
    factors = {x["name"]: x["value"] for x in doc["risk"]["factors"]}
    assert factors["ai-share"] == pytest.approx(2 / 3, abs=1e-3)
    assert 0 < factors["change-size"] < 1
    (finding,) = report.findings
    assert (finding.rule_id, finding.path, finding.lines) == ("ai-written", "src/app.py", [(2, 3)])
    assert "Claude Code" in finding.message
    assert report.verdict is Verdict.PASS  # provenance never fails the gate by itself
    full = verify(VerifyOptions(repo=change.root, base="main"))
    stage = full.stage("provenance")
    assert stage is not None and stage.status is StageStatus.RAN and stage.failures == []


def test_the_stage_tells_verify_whether_the_change_is_ai(change: RepoBuilder) -> None:
    ctx = build_context(VerifyOptions(repo=change.root, base="main"))
    run_stages(ctx, [STAGE])
    assert ctx.results[AI_CHANGE_KEY] is True
    human = build_context(VerifyOptions(repo=change.root, base="HEAD~1"))
    run_stages(human, [STAGE])
    assert human.results[AI_CHANGE_KEY] is False
    assert human.reports[0].status is StageStatus.RAN


def test_the_markdown_report_says_which_lines_and_why(change: RepoBuilder) -> None:
    from realitycheck.report import render_report

    text = render_report(
        verify(VerifyOptions(repo=change.root, base="main"), stages=OWN), "markdown"
    )
    assert text is not None
    assert "a model wrote 2 of 3 changed lines (67%)" in text
    assert "| src/app.py | 2-3 (2) | 4 (1) | — |" in text
    assert "Co-Authored-By: Claude Opus 4.6" in text


def test_the_command_in_text_and_json(
    change: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["provenance", "--repo", str(change.root)]) == 0
    out = capsys.readouterr().out
    assert "a model wrote 2 of 3 changed lines" in out and "Claude Code" in out
    assert main(["provenance", "--repo", str(change.root), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1 and doc["change"]["commits"] == 2
    assert doc["provenance"]["lines"] == {"ai": 2, "human": 1, "unknown": 0}


def test_labels_from_flags_and_a_github_event(
    change: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["provenance", "--repo", str(change.root), "--base", "HEAD~1", "--format", "json"]
    assert main([*args, "--pr-labels", "bug, ai-generated"]) == 0
    doc = json.loads(capsys.readouterr().out)["provenance"]
    assert doc["commits"][0]["verdict"] == "ai" and doc["labels"] == ["bug", "ai-generated"]
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"labels": [{"name": "ai-assisted"}]}}))
    assert main([*args, "--github-event", str(event)]) == 0
    assert json.loads(capsys.readouterr().out)["provenance"]["commits"][0]["verdict"] == "ai"


def test_output_file(
    change: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "prov.json"
    assert main(["provenance", "--repo", str(change.root), "-f", "json", "-o", str(target)]) == 0
    assert json.loads(target.read_text())["provenance"]["is_ai_change"] is True
    text = tmp_path / "prov.txt"
    assert main(["provenance", "--repo", str(change.root), "-o", str(text)]) == 0
    assert "Changed lines of head" in text.read_text()
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "nope"], "revision 'nope' does not exist"),
        (["--head", "HEAD~9"], "revision 'HEAD~9' does not exist"),
        (["--format", "sarif"], "'sarif' is not one of"),
        (["--head", "--upload-pack=x"], "is not a revision name"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    change: RepoBuilder, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["provenance", "--repo", str(change.root), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    if "--format" not in args:  # click's own usage errors add a usage line
        assert len(err.strip().splitlines()) == 1


def test_not_a_repository_and_bad_config(
    change: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["provenance", "--repo", str(tmp_path)]) == 2
    assert "not a git repository" in capsys.readouterr().err
    (change.root / "realitycheck.toml").write_text("[provenance]\nhuman_identity = []\n")
    assert main(["provenance", "--repo", str(change.root)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(
        "realitycheck.toml:2: unknown key 'provenance.human_identity'; "
        "did you mean 'human_identities'?"
    )
    (change.root / "realitycheck.toml").write_text(
        '[[provenance.markers]]\ntool = "x"\nkind = "smell"\nmatch = "y"\n'
    )
    assert main(["provenance", "--repo", str(change.root)]) == 2
    assert "provenance.markers.0.kind" in capsys.readouterr().err


def test_an_unreadable_event_file(
    change: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text("{not json")
    assert main(["provenance", "--repo", str(change.root), "--github-event", str(event)]) == 2
    assert "event.json:1: not valid JSON" in capsys.readouterr().err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provenance", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--pr-labels" in out and "--github-event" in out and "never human" in out


def test_output_to_a_pipe_is_written_through_not_replaced(
    change: RepoBuilder, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    assert main(["provenance", "--repo", str(change.root), "-f", "json", "-o", str(fifo)]) == 0
    reader.join(30)
    assert json.loads(got[0])["provenance"]["lines"]["ai"] == 2
    assert stat.S_ISFIFO(fifo.stat().st_mode)
