"""Which pull request to read approvals from: flags first, then the GitHub Actions event file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realitycheck.boundaries.approvals.github import DEFAULT_API, GitHubApprovals
from realitycheck.core.config.boundaries import Approvals
from realitycheck.core.errors import InputError

# Keys of VerifyOptions.extra that carry the approval inputs (set by the CLI).
REPO, PR, TOKEN, API_URL = "github_repo", "github_pr", "github_token", "github_api_url"


@dataclass(frozen=True)
class PullRequest:
    """A pull request on GitHub, and how to reach its API."""

    repo: str | None
    number: int | None
    token: str | None
    api_url: str


def read_event(path: Path) -> dict[str, Any]:
    """The JSON payload of a GitHub Actions event file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the event file: {exc.strerror}", path=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    return data if isinstance(data, dict) else {}


def pull_request(
    extra: Mapping[str, Any], event_path: Path | None, config: Approvals
) -> PullRequest:
    """The pull request named by flags, or by the event file of a `pull_request` workflow."""
    repo = extra.get(REPO) or None
    number = extra.get(PR)
    if event_path is not None and event_path.is_file() and (repo is None or number is None):
        event = read_event(event_path)
        pr = event.get("pull_request")
        if number is None and isinstance(pr, dict) and isinstance(pr.get("number"), int):
            number = pr["number"]
        elif number is None and isinstance(event.get("number"), int) and pr is not None:
            number = event["number"]
        repository = event.get("repository")
        if repo is None and isinstance(repository, dict):
            repo = repository.get("full_name")
    api_url = extra.get(API_URL) or config.api_url or DEFAULT_API
    return PullRequest(
        repo=str(repo) if repo else None,
        number=int(number) if number is not None else None,
        token=extra.get(TOKEN) or None,
        api_url=str(api_url),
    )


def github_source(pr: PullRequest, config: Approvals) -> GitHubApprovals | None:
    """The GitHub approval source for a pull request, or None when none is named."""
    if config.source == "none" or pr.repo is None or pr.number is None:
        return None
    return GitHubApprovals(pr.repo, pr.number, pr.token, api_url=pr.api_url, timeout=config.timeout)


def missing_inputs(pr: PullRequest, config: Approvals) -> str:
    """Why no approval source could be used, as advice."""
    if config.source == "none":
        return 'approvals are turned off (boundaries.approvals.source = "none")'
    if pr.repo is None and pr.number is None:
        return (
            "no pull request to read approvals from: run in a GitHub Actions pull_request "
            "workflow, or pass --github-repo OWNER/NAME and --pr NUMBER"
        )
    if pr.number is None:
        return f"no pull request number for {pr.repo}: pass --pr NUMBER"
    return "no repository: pass --github-repo OWNER/NAME"
