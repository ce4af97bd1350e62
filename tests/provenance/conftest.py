"""Helpers for provenance tests: notes written the way the Git AI standard describes them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pytest

from realitycheck.core.config.provenance import ProvenanceConfig
from realitycheck.core.events import RecordingEvents
from realitycheck.core.git import Git
from realitycheck.demo.repo import RepoBuilder
from realitycheck.provenance.analyze import analyze_range
from realitycheck.provenance.model import ProvenanceResult

HUMAN = ("Example Maintainer", "maintainer@example.com")
CLAUDE_TRAILER = ("Co-Authored-By", "Claude Opus 4.6 <noreply@anthropic.com>")
CLAUDE_FOOTER = "🤖 Generated with [Claude Code](https://claude.com/claude-code)"


def ranges_text(lines: Iterable[tuple[int, int]]) -> str:
    """`1-4,9` as the standard writes line ranges."""
    return ",".join(f"{a}-{b}" if a != b else str(a) for a, b in lines)


def authorship_note(
    files: Mapping[str, Sequence[tuple[str, Sequence[tuple[int, int]]]]],
    *,
    sessions: Mapping[str, Mapping[str, str]] | None = None,
    humans: Mapping[str, str] | None = None,
    prompts: Mapping[str, Mapping[str, str]] | None = None,
    base_commit_sha: str = "",
) -> str:
    """A Git AI authorship log, written from the standard's text (not from the parser)."""
    lines: list[str] = []
    for path, entries in files.items():
        lines.append(f'"{path}"' if any(c in path for c in " \t") else path)
        for key, ranges in entries:
            lines.append(f"  {key} {ranges_text(ranges)}")
    meta: dict[str, Any] = {
        "schema_version": "authorship/3.0.0",
        "git_ai_version": "1.4.5",
        "base_commit_sha": base_commit_sha,
        "prompts": {
            key: {
                "agent_id": dict(agent),
                "human_author": None,
                "total_additions": 1,
                "total_deletions": 0,
                "accepted_lines": 1,
                "overriden_lines": 0,
            }
            for key, agent in (prompts or {}).items()
        },
    }
    if humans is not None:
        meta["humans"] = {key: {"author": who} for key, who in humans.items()}
    if sessions is not None:
        meta["sessions"] = {
            key: {"agent_id": dict(agent), "human_author": "maintainer@example.com"}
            for key, agent in sessions.items()
        }
    return "\n".join(lines) + "\n---\n" + json.dumps(meta, indent=2) + "\n"


SESSION = "s_c9883b05a2487d"
HUMAN_KEY = "h_31dce776f88375"
CURSOR_SESSION = {SESSION: {"tool": "cursor", "id": "6ef2299e", "model": "claude-sonnet-4-5"}}


def analyze(
    repo: RepoBuilder,
    base: str | None,
    head: str = "HEAD",
    *,
    labels: Sequence[str] = (),
    **settings: Any,
) -> ProvenanceResult:
    """Run provenance over a test repository."""
    config = ProvenanceConfig(**settings)
    return analyze_range(
        Git(repo.root), base, head, config, labels=labels, events=RecordingEvents()
    )


@pytest.fixture
def seeded(repo: RepoBuilder) -> tuple[RepoBuilder, str]:
    """A repository with one human commit holding a small module; returns it and that commit."""
    repo.write({"src/app.py": "".join(f"line {n}\n" for n in range(1, 11))})
    base = repo.commit("Start the app", author=HUMAN, committer=HUMAN)
    return repo, base
