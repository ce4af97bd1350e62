"""The sticky pull-request comment and the job summary, against a loopback GitHub stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from realitycheck.cli.main import main
from realitycheck.integrations.github import (
    MAX_COMMENT,
    CommentError,
    StickyComment,
    comment_body,
    marker,
)

from .github_server import READ_ONLY, TOKEN, GitHubComments

REPO = "example-org/docsvc"
REPORT = "## ❌ realitycheck: FAIL\n\n- **replay**: 17 of 61 real documents diverged\n"


@pytest.fixture
def github() -> Iterator[GitHubComments]:
    with GitHubComments(REPO) as server:
        yield server


def sticky(github: GitHubComments, token: str = TOKEN, pr: int = 7) -> StickyComment:
    return StickyComment(REPO, pr, token, api_url=github.url, timeout=5)


def test_creates_once_then_updates_in_place(github: GitHubComments) -> None:
    github.comment(7, "Looks good to me")
    with sticky(github) as api:
        first = api.post(REPORT)
        second = api.post(REPORT.replace("17", "16"))
        third = api.post(REPORT.replace("17", "16"))
    assert (first.action, second.action, third.action) == ("created", "updated", "unchanged")
    assert first.id == second.id == third.id
    ours = [c for c in github.comments[7] if c["body"].startswith(marker())]
    assert len(ours) == 1 and "16 of 61" in ours[0]["body"]
    assert ours[0]["user"]["login"] == "github-actions[bot]"
    methods = [m for m, _ in github.requests]
    assert methods.count("POST") == 1 and methods.count("PATCH") == 1
    assert github.violations == []


def test_finds_its_comment_on_a_later_page(github: GitHubComments) -> None:
    for i in range(230):
        github.comment(7, f"comment {i}")
    mine = github.comment(7, comment_body("old report"))
    github.comment(7, "one more after it")
    with sticky(github) as api:
        posted = api.post(REPORT)
    assert posted.action == "updated" and posted.id == mine["id"]
    listed = [p for m, p in github.requests if m == "GET"]
    assert listed[0].endswith("comments?per_page=100")
    assert any("page=3" in p for p in listed)
    assert len(github.comments[7]) == 232
    assert github.violations == []


def test_a_marker_quoted_in_someone_elses_comment_is_not_ours(github: GitHubComments) -> None:
    github.comment(7, f"Why does the bot write `{marker()}`?")
    with sticky(github) as api:
        assert api.post(REPORT).action == "created"


def test_one_comment_per_key(github: GitHubComments) -> None:
    with sticky(github) as api:
        api.post("service a", key="svc-a")
        api.post("service b", key="svc-b")
        api.post("service a again", key="svc-a")
    bodies = sorted(c["body"] for c in github.comments[7])
    assert len(bodies) == 2 and "service a again" in bodies[0] and "service b" in bodies[1]


def test_a_long_report_is_cut_to_githubs_limit() -> None:
    body = comment_body("x" * 100_000)
    assert len(body) <= MAX_COMMENT and body.startswith(marker())
    assert body.endswith("the whole of it is in the job summary.")


def test_a_read_only_token_is_refused_with_what_to_do(github: GitHubComments) -> None:
    with sticky(github, READ_ONLY) as api, pytest.raises(CommentError) as info:
        api.post(REPORT)
    assert "refused to let this token write" in info.value.message
    assert "Resource not accessible by integration" in info.value.message
    assert info.value.hint is not None and "workflow_run" in info.value.hint
    assert github.comments.get(7) is None


def test_a_403_reading_the_comments(github: GitHubComments) -> None:
    github.fail_next["GET"] = (403, {"message": "Must have admin rights to Repository."})
    with sticky(github) as api, pytest.raises(CommentError, match="refused to show the comments"):
        api.post(REPORT)


def test_bad_token_and_no_token(github: GitHubComments) -> None:
    with pytest.raises(CommentError, match="no GitHub token"):
        StickyComment(REPO, 7, None, api_url=github.url)
    with (
        StickyComment(REPO, 7, "ghs_wrong", api_url=github.url) as api,
        pytest.raises(CommentError, match="rejected the token"),
    ):
        api.post(REPORT)


# -- the command, as the action runs it ------------------------------------------------------


def event_file(tmp_path: Path, number: int = 7, head: str = "a" * 40) -> Path:
    path = tmp_path / "event.json"
    event = {
        "action": "synchronize",
        "number": number,
        "pull_request": {"number": number, "head": {"sha": head, "ref": "topic"}},
        "repository": {"full_name": REPO},
    }
    path.write_text(json.dumps(event))
    return path


@pytest.fixture
def actions_env(
    tmp_path: Path, github: GitHubComments, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Path]:
    """The environment GitHub Actions gives a step, pointing at the stand-in."""
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step's summary\n")
    report = tmp_path / "report.md"
    report.write_text(REPORT)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event_file(tmp_path)))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return {"summary": summary, "report": report}


def test_command_writes_the_summary_and_the_comment(
    actions_env: dict[str, Path], github: GitHubComments
) -> None:
    args = ["github", "comment", "--report", str(actions_env["report"])]
    assert main(args) == 0
    assert main(args) == 0
    summary = actions_env["summary"].read_text()
    assert summary.startswith("earlier step's summary\n") and summary.count("17 of 61") == 2
    assert len(github.comments[7]) == 1 and "17 of 61" in github.comments[7][0]["body"]


def test_without_write_access_the_report_still_lands_in_the_summary(
    actions_env: dict[str, Path],
    github: GitHubComments,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", READ_ONLY)
    args = ["github", "comment", "--report", str(actions_env["report"])]
    assert main([*args, "--on-error", "warn"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("::warning title=realitycheck::could not comment: GitHub refused")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "realitycheck: error: GitHub refused to let this token write" in err
    assert "Traceback" not in err
    assert actions_env["summary"].read_text().count("17 of 61") == 2
    assert github.comments.get(7) is None


def test_fork_handover_posts_only_on_the_commit_it_was_made_for(
    actions_env: dict[str, Path],
    github: GitHubComments,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    saved = tmp_path / "artifact"
    # the pull_request workflow of a fork: read-only token, nothing is sent to GitHub
    monkeypatch.setenv("GITHUB_TOKEN", READ_ONLY)
    report = str(actions_env["report"])
    assert main(["github", "comment", "--report", report, "--save", str(saved)]) == 0
    assert github.requests == []
    # the workflow_run workflow: a write token, the saved comment, the run's head sha
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.delenv("GITHUB_EVENT_PATH")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    github.heads[7] = "b" * 40  # pushed again since: the saved report is stale
    post = ["github", "comment", "--from", str(saved)]
    assert main([*post, "--expect-head", "a" * 40]) == 2
    assert "not posting it" in capsys.readouterr().err
    assert github.comments.get(7) is None
    github.heads[7] = "a" * 40
    assert main([*post, "--expect-head", "a" * 40]) == 0
    assert "17 of 61" in github.comments[7][0]["body"]
    # a saved comment must name this repository, and --expect-head is required
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/else")
    assert main([*post, "--expect-head", "a" * 40]) == 2
    assert main(post) == 2
    assert "--expect-head" in capsys.readouterr().err


def test_no_pull_request_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("GITHUB_EVENT_PATH", "GITHUB_REPOSITORY", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    report = tmp_path / "r.md"
    report.write_text("x")
    assert main(["github", "comment", "--report", str(report)]) == 2
    assert capsys.readouterr().err.strip().startswith("realitycheck: error: no pull request")
    assert main(["github", "comment", "--report", str(tmp_path / "missing.md")]) == 2
