"""One sticky pull-request comment, the job summary, and the hand-over for pull requests from forks.

The comment carries a hidden marker (`<!-- realitycheck:report -->`, or one per `key`) and is
found again by it and edited in place, so a pull request has one realitycheck comment however
often it is pushed to. The report always goes to the job summary first, so it lands even when
the token may not comment (a pull request from a fork gets a read-only `GITHUB_TOKEN`).

For forks, the `pull_request` workflow saves the comment and the pull request it belongs to as an
artifact (`save_handover`), and a `workflow_run` workflow, which has a write token, posts it
(`load_handover`). The artifact comes from untrusted code, so the poster checks that the pull
request's head is the commit the first workflow ran on before it writes anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from realitycheck.core.errors import InputError, RealityCheckError
from realitycheck.core.github import DEFAULT_API, GitHubREST

MAX_COMMENT = 65_536  # GitHub's limit on an issue comment's body, in characters
MAX_SUMMARY = 1_048_576  # GitHub's limit on one step's job summary, in bytes
HANDOVER = "realitycheck-comment.json"
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")
WRITE_HINT = (
    "the token needs `pull-requests: write` (or `issues: write`); a pull request from a fork "
    "gets a read-only GITHUB_TOKEN, so post from a workflow_run workflow "
    "(docs/integrations/github-action.md, 'Pull requests from forks')"
)


class CommentError(RealityCheckError):
    """The pull-request comment could not be read or written."""


def marker(key: str = "") -> str:
    """The hidden line that identifies realitycheck's comment (one per key)."""
    if key and not _KEY.fullmatch(key):
        raise InputError(f"comment key {key!r} may hold only letters, digits, '.', '_' and '-'")
    return f"<!-- realitycheck:report{' key=' + key if key else ''} -->"


def comment_body(markdown: str, key: str = "") -> str:
    """The comment: the marker, then the report, cut to GitHub's limit with a note saying so."""
    head = marker(key) + "\n"
    room = MAX_COMMENT - len(head)
    if len(markdown) <= room:
        return head + markdown
    note = "\n\n…the report is longer than a comment may be; the whole of it is in the job summary."
    return head + markdown[: room - len(note)] + note


@dataclass(frozen=True)
class Posted:
    """What happened to the comment: created, updated or unchanged, and where it is."""

    action: str
    id: int
    url: str


class StickyComment:
    """realitycheck's one comment on a pull request, through the GitHub REST API."""

    def __init__(
        self,
        repo: str,
        pr: int,
        token: str | None,
        *,
        api_url: str = DEFAULT_API,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not _REPO.fullmatch(repo):
            raise CommentError(f"'{repo}' is not a GitHub repository name (OWNER/NAME)")
        if not token:
            raise CommentError(
                f"no GitHub token to comment on {repo}#{pr}",
                hint="set GITHUB_TOKEN (in Actions: `env: GITHUB_TOKEN: ${{ github.token }}`)",
            )
        self.repo, self.pr = repo, pr
        self._api = GitHubREST(
            token, api_url=api_url, timeout=timeout, transport=transport, error=CommentError
        )

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._api.close()

    def __enter__(self) -> StickyComment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def head_sha(self) -> str:
        """The commit at the head of the pull request."""
        what = f"pull request #{self.pr} of {self.repo}"
        pull = self._api.get(f"repos/{self.repo}/pulls/{self.pr}", what, WRITE_HINT).json()
        sha = pull.get("head", {}).get("sha") if isinstance(pull, dict) else None
        if not isinstance(sha, str):
            raise CommentError(f"GitHub's answer for {what} has no head.sha")
        return sha

    def find(self, key: str = "") -> dict[str, Any] | None:
        """The existing comment that carries the marker (the oldest, if several do)."""
        mark = marker(key)
        what = f"the comments of pull request #{self.pr} of {self.repo}"
        path = f"repos/{self.repo}/issues/{self.pr}/comments"
        for item in self._api.pages(path, what, WRITE_HINT):
            body = item.get("body") if isinstance(item, dict) else None
            if isinstance(body, str) and body.lstrip().startswith(mark):
                found: dict[str, Any] = item
                return found
        return None

    def post(self, markdown: str, key: str = "") -> Posted:
        """Create the comment, or edit the one already there (unchanged text is left alone)."""
        body = comment_body(markdown, key)
        existing = self.find(key)
        if existing is not None and existing.get("body") == body:
            return Posted("unchanged", int(existing["id"]), str(existing.get("html_url", "")))
        if existing is not None:
            what = f"comment {existing['id']} on pull request #{self.pr} of {self.repo}"
            url = f"repos/{self.repo}/issues/comments/{existing['id']}"
            doc = self._api.request("PATCH", url, what, WRITE_HINT, body={"body": body}).json()
            action = "updated"
        else:
            what = f"a comment on pull request #{self.pr} of {self.repo}"
            url = f"repos/{self.repo}/issues/{self.pr}/comments"
            doc = self._api.request("POST", url, what, WRITE_HINT, body={"body": body}).json()
            action = "created"
        if not isinstance(doc, dict) or "id" not in doc:
            raise CommentError(f"GitHub's answer for {what} has no comment id")
        return Posted(action, int(doc["id"]), str(doc.get("html_url", "")))


def write_summary(path: Path, markdown: str) -> None:
    """Append the report to the job summary file (GitHub shows each step's, up to 1 MiB)."""
    data = markdown if markdown.endswith("\n") else markdown + "\n"
    if len(data.encode()) > MAX_SUMMARY:
        note = "\n…cut at GitHub's 1 MiB job summary limit; the full report is an artifact.\n"
        data = data.encode()[: MAX_SUMMARY - len(note.encode()) - 4].decode(errors="ignore") + note
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(data)
    except OSError as exc:
        raise InputError(f"cannot write the job summary: {exc.strerror}", path=path) from None


@dataclass(frozen=True)
class PullRequestRef:
    """The pull request a report belongs to: repository, number, and the commit checked."""

    repo: str
    number: int
    head_sha: str | None = None


def from_event(path: Path) -> PullRequestRef | None:
    """The pull request of a GitHub Actions event file (pull_request, pull_request_review, …)."""
    try:
        event = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the event file: {exc.strerror}", path=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    if not isinstance(event, dict):
        return None
    pr, repository = event.get("pull_request"), event.get("repository")
    if not isinstance(pr, dict) or not isinstance(repository, dict):
        return None
    number, repo = pr.get("number"), repository.get("full_name")
    if not isinstance(number, int) or not isinstance(repo, str):
        return None
    head = pr.get("head")
    sha = head.get("sha") if isinstance(head, dict) else None
    return PullRequestRef(repo, number, sha if isinstance(sha, str) else None)


def save_handover(folder: Path, ref: PullRequestRef, markdown: str, key: str = "") -> Path:
    """Write the comment and its pull request for a `workflow_run` workflow to post."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = {"version": 1, **asdict(ref), "key": key, "body": markdown}
    target = folder / HANDOVER
    tmp = folder / f".{HANDOVER}.tmp"
    tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    tmp.replace(target)
    return target


def load_handover(folder: Path) -> tuple[PullRequestRef, str, str]:
    """The pull request, comment key and report a `pull_request` workflow saved (untrusted)."""
    path = folder / HANDOVER if folder.is_dir() else folder
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the saved comment: {exc.strerror}", path=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    ok = (
        isinstance(doc, dict)
        and doc.get("version") == 1
        and isinstance(doc.get("repo"), str)
        and isinstance(doc.get("number"), int)
        and isinstance(doc.get("body"), str)
        and isinstance(doc.get("key", ""), str)
        and (doc.get("head_sha") is None or isinstance(doc.get("head_sha"), str))
    )
    if not ok:
        raise InputError("not a saved realitycheck comment (version 1)", path=path)
    ref = PullRequestRef(doc["repo"], doc["number"], doc.get("head_sha"))
    return ref, str(doc.get("key", "")), doc["body"]
