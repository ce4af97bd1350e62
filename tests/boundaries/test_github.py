"""The GitHub client against a local server speaking GitHub's documented wire format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from realitycheck.boundaries.approvals import ApprovalError
from realitycheck.boundaries.approvals.github import GitHubApprovals
from realitycheck.boundaries.approvals.inputs import pull_request
from realitycheck.boundaries.model import ApprovalState
from realitycheck.core.config.boundaries import Approvals
from realitycheck.core.errors import InputError

from .conftest import MakeChange
from .fake_github import TOKEN, FakeGitHub, review

REPO = "example-org/docsvc"
HEAD = "a" * 40
OLD = "b" * 40


@pytest.fixture
def client(github: FakeGitHub) -> Iterator[GitHubApprovals]:
    api = GitHubApprovals(REPO, 7, TOKEN, api_url=github.url, timeout=5)
    yield api
    api.close()


def test_reviews_across_pages_latest_verdict_per_user(
    github: FakeGitHub, client: GitHubApprovals
) -> None:
    pages = [
        [review("alice", "APPROVED", OLD, 1), review("bob", "APPROVED", HEAD, 2)],
        [review("alice", "APPROVED", HEAD, 3), review("bob", "COMMENTED", HEAD, 4)],
        [review("carol", "APPROVED", HEAD, 5), review("carol", "CHANGES_REQUESTED", HEAD, 6)],
        [review("dave", "DISMISSED", HEAD, 7), review("Erin", "APPROVED", HEAD, 8)],
    ]
    github.pull(REPO, 7, HEAD, pages)
    reviews = client.reviews()
    assert reviews.head == HEAD
    assert reviews.approvers(HEAD) == {"alice", "bob", "erin"}
    assert [p for p in github.requests if "/reviews" in p] == [
        "/repos/example-org/docsvc/pulls/7/reviews?per_page=100",
        "/repos/example-org/docsvc/pulls/7/reviews?per_page=100&page=2",
        "/repos/example-org/docsvc/pulls/7/reviews?per_page=100&page=3",
        "/repos/example-org/docsvc/pulls/7/reviews?per_page=100&page=4",
    ]


def test_push_after_approval_makes_it_stale(github: FakeGitHub, client: GitHubApprovals) -> None:
    github.pull(REPO, 7, HEAD, [[review("alice", "APPROVED", OLD)]])
    reviews = client.reviews()
    assert reviews.approvers(HEAD) == set()
    assert reviews.stale(HEAD) == {"alice": OLD}


def test_team_members_paginated(github: FakeGitHub, client: GitHubApprovals) -> None:
    github.team("example-org", "api-owners", [["Alice", "bob"], ["carol"]])
    assert client.team_members("@example-org/api-owners") == {"alice", "bob", "carol"}
    assert client.team_members("@example-org/api-owners") == {"alice", "bob", "carol"}
    assert len([p for p in github.requests if "/teams/" in p]) == 2  # cached after one read


@pytest.mark.parametrize(
    ("status", "message", "headers", "words", "hint"),
    [
        (401, "Bad credentials", {}, "rejected the token", "GITHUB_TOKEN"),
        (
            403,
            "API rate limit exceeded for installation ID 1.",
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1800000000"},
            "rate limit exhausted",
            "after the reset",
        ),
        (
            403,
            "You have exceeded a secondary rate limit.",
            {"retry-after": "60"},
            "secondary rate limit",
            "retry in 60 seconds",
        ),
        (403, "Resource not accessible by integration", {}, "refused", "--github-repo"),
        (404, "Not Found", {}, "found no pull request #7", "private repository"),
        (502, "Server Error", {}, "answered 502", "retry later"),
    ],
)  # fmt: skip
def test_errors_say_what_to_do(
    github: FakeGitHub,
    client: GitHubApprovals,
    status: int,
    message: str,
    headers: dict[str, str],
    words: str,
    hint: str,
) -> None:
    github.fail(f"/repos/{REPO}/pulls/7", status, message, headers)
    with pytest.raises(ApprovalError) as info:
        client.reviews()
    assert words in info.value.message and message in info.value.message
    assert info.value.hint is not None and hint in info.value.hint
    if "reset" in hint:
        assert "it resets at 08:00:00 UTC" in info.value.message


def test_team_lookup_failure_says_which_permission(
    github: FakeGitHub, client: GitHubApprovals
) -> None:
    github.fail("/orgs/example-org/teams/api-owners/members", 404, "Not Found")
    with pytest.raises(ApprovalError) as info:
        client.team_members("@example-org/api-owners")
    assert "members of team @example-org/api-owners" in info.value.message
    assert info.value.hint is not None and "Members: read" in info.value.hint


def test_no_token_is_an_error_before_any_request(github: FakeGitHub) -> None:
    api = GitHubApprovals(REPO, 7, None, api_url=github.url)
    with pytest.raises(ApprovalError, match="no GitHub token"):
        api.reviews()
    api.close()
    assert github.requests == []


def test_unreachable_api(tmp_path: Path) -> None:
    api = GitHubApprovals(REPO, 7, TOKEN, api_url="http://127.0.0.1:9", timeout=2)
    with pytest.raises(ApprovalError, match="cannot reach the GitHub API"):
        api.reviews()
    api.close()


def test_bad_repository_name() -> None:
    with pytest.raises(ApprovalError, match="not a GitHub repository name"):
        GitHubApprovals("not-a-repo", 1, TOKEN)


def test_the_stand_in_rejects_malformed_requests(github: FakeGitHub) -> None:
    """The server is strict: a request without GitHub's headers is recorded as a violation."""
    import httpx

    github.pull(REPO, 7, HEAD, [[]])
    httpx.get(f"{github.url}/repos/{REPO}/pulls/7", headers={"Accept": "application/json"})
    assert any("header accept" in v for v in github.violations)
    assert any("authorization" in v for v in github.violations)
    github.violations.clear()


def test_inputs_from_flags_and_event_file(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"action": "synchronize", "number": 7, "pull_request": {"number": 7},'
                     ' "repository": {"full_name": "example-org/docsvc"}}')  # fmt: skip
    pr = pull_request({}, event, Approvals())
    assert (pr.repo, pr.number, pr.api_url) == (REPO, 7, "https://api.github.com")
    pr = pull_request({"github_pr": 9, "github_repo": "o/r"}, event, Approvals())
    assert (pr.repo, pr.number) == ("o/r", 9)
    event.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        pull_request({}, event, Approvals())


def test_end_to_end_approval_through_the_api(github: FakeGitHub, make_change: MakeChange) -> None:
    base = {
        "CODEOWNERS": "/api/ @example-org/api-owners\n",
        "api/schema.graphql": "type Query {\n  me: User\n}\n",
    }
    change = make_change(base, {"api/schema.graphql": "type Query {\n  me: User\n  you: User\n}\n"})
    github.pull(REPO, 7, change.head, [[review("api-1", "APPROVED", change.head)]])
    github.team("example-org", "api-owners", [["api-1"]])
    api = GitHubApprovals(REPO, 7, TOKEN, api_url=github.url)
    result = change.check(source=api)
    api.close()
    [finding] = result.findings
    assert finding.approval.state is ApprovalState.APPROVED and not finding.blocking
    assert finding.approval.by == ["api-1"]
    assert result.approval_source == f"GitHub pull request {REPO}#7"


def test_team_permission_failure_is_unknown_not_a_pass(
    github: FakeGitHub, make_change: MakeChange
) -> None:
    base = {"CODEOWNERS": "* @example-org/api-owners\n", "api.proto": 'syntax = "proto3";\n'}
    change = make_change(base, {"api.proto": 'syntax = "proto3";\npackage x;\n'})
    github.pull(REPO, 7, change.head, [[review("api-1", "APPROVED", change.head)]])
    github.fail("/orgs/example-org/teams/api-owners/members", 403, "Must have admin rights")
    api = GitHubApprovals(REPO, 7, TOKEN, api_url=github.url)
    [finding] = change.check(source=api).findings
    api.close()
    assert finding.approval.state is ApprovalState.UNKNOWN and finding.blocking
    assert "Members: read" in finding.approval.detail
