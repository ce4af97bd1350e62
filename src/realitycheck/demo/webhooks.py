"""Deterministic `pull_request` webhook deliveries, shaped like GitHub's documented payloads.

The shape follows GitHub's pull_request event (as published in @octokit/webhooks-examples),
trimmed to the fields a handler reads and a profile shows. About 3% of deliveries carry
`pull_request.head.repo: null`, as GitHub sends when the fork a pull request came from has
been deleted. `pull_request.user.login` is always present.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

ORG = "docsvc-org"
REPO = "docsvc"
ACTIONS = ("opened", "synchronize", "reopened", "closed", "labeled")
ACTION_WEIGHTS = (30, 35, 5, 20, 10)
DELETED_FORK_RATE = 0.03
LABELS = (
    ("bug", "d73a4a"),
    ("enhancement", "a2eeef"),
    ("documentation", "0075ca"),
    ("dependencies", "0366d6"),
    ("needs-review", "fbca04"),
)
TITLES = (
    "Fix page ordering in extracted text",
    "Handle empty PDFs without raising",
    "Add retries to the upload client",
    "Bump pypdf",
    "Document the webhook endpoint",
    "Speed up text extraction for scanned documents",
    "Return the document language from the API",
    "Tidy the logging configuration",
)
WORDS = (
    "alpine",
    "birch",
    "cobalt",
    "delta",
    "ember",
    "fjord",
    "garnet",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lumen",
    "maple",
    "nimbus",
    "onyx",
    "pepper",
    "quartz",
    "raven",
)


def _user(login: str, uid: int, kind: str = "User") -> dict[str, Any]:
    return {
        "login": login,
        "id": uid,
        "node_id": f"U_kgDO{uid:08d}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "html_url": f"https://github.com/{login}",
        "type": kind,
        "site_admin": False,
    }


def _repo(owner: dict[str, Any], name: str, rid: int, fork: bool) -> dict[str, Any]:
    full = f"{owner['login']}/{name}"
    return {
        "id": rid,
        "node_id": f"R_kgDO{rid:08d}",
        "name": name,
        "full_name": full,
        "private": False,
        "owner": owner,
        "html_url": f"https://github.com/{full}",
        "fork": fork,
        "default_branch": "main",
        "visibility": "public",
    }


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def deliveries(count: int = 2000, seed: int = 20240512) -> list[dict[str, Any]]:
    """`count` pull_request deliveries, the same every time for the same seed."""
    rng = random.Random(seed)
    org = _user(ORG, 90_000_001, "Organization")
    base_repo = _repo(org, REPO, 700_000_001, fork=False)
    people = [
        _user(f"{rng.choice(WORDS)}-{rng.choice(WORDS)}{i}", 10_000 + i * 7) for i in range(60)
    ]
    start = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
    out = []
    for i in range(count):
        author = rng.choice(people)
        number = rng.randint(1, 640)
        action = rng.choices(ACTIONS, ACTION_WEIGHTS)[0]
        created = start + timedelta(minutes=number * 37)
        updated = start + timedelta(minutes=i * 11)
        from_fork = rng.random() < 0.6
        head_repo: dict[str, Any] | None = (
            _repo(author, REPO, 800_000_000 + author["id"], fork=True) if from_fork else base_repo
        )
        if rng.random() < DELETED_FORK_RATE:
            head_repo = None  # the fork was deleted after the pull request was opened
        head_owner = author if from_fork else org
        sha = f"{rng.getrandbits(160):040x}"
        merged = action == "closed" and rng.random() < 0.7
        pr: dict[str, Any] = {
            "url": f"https://api.github.com/repos/{ORG}/{REPO}/pulls/{number}",
            "id": 1_800_000_000 + number,
            "node_id": f"PR_kwDO{number:08d}",
            "html_url": f"https://github.com/{ORG}/{REPO}/pull/{number}",
            "number": number,
            "state": "closed" if action == "closed" else "open",
            "locked": False,
            "title": rng.choice(TITLES),
            "user": author,
            "body": rng.choice(
                (
                    None,
                    "",
                    "Fixes a bug reported by a customer.",
                    "See the discussion in the linked issue.",
                )
            ),
            "created_at": _stamp(created),
            "updated_at": _stamp(updated),
            "closed_at": _stamp(updated) if action == "closed" else None,
            "merged_at": _stamp(updated) if merged else None,
            "merge_commit_sha": f"{rng.getrandbits(160):040x}" if action == "closed" else None,
            "labels": [],
            "draft": rng.random() < 0.1,
            "head": {
                "label": f"{head_owner['login']}:{rng.choice(WORDS)}-fix",
                "ref": f"{rng.choice(WORDS)}-fix",
                "sha": sha,
                "user": head_owner,
                "repo": head_repo,
            },
            "base": {
                "label": f"{ORG}:main",
                "ref": "main",
                "sha": f"{rng.getrandbits(160):040x}",
                "user": org,
                "repo": base_repo,
            },
            "author_association": rng.choice(("CONTRIBUTOR", "MEMBER", "FIRST_TIME_CONTRIBUTOR")),
            "merged": merged,
            "commits": rng.randint(1, 12),
            "additions": rng.randint(1, 400),
            "deletions": rng.randint(0, 200),
            "changed_files": rng.randint(1, 15),
        }
        delivery: dict[str, Any] = {
            "action": action,
            "number": number,
            "pull_request": pr,
            "repository": base_repo,
            "sender": author if action != "labeled" else rng.choice(people),
        }
        if action == "labeled":
            name, color = rng.choice(LABELS)
            label = {
                "id": 1_360_000_000 + len(name),
                "name": name,
                "color": color,
                "default": name == "bug",
            }
            pr["labels"] = [label]
            delivery["label"] = label
        out.append(delivery)
    return out
