"""Real repositories whose history was squashed, rebased, or stripped of its markers."""

from __future__ import annotations

from realitycheck.demo.repo import RepoBuilder
from realitycheck.provenance.model import Origin

from .conftest import (
    CLAUDE_FOOTER,
    CLAUDE_TRAILER,
    CURSOR_SESSION,
    HUMAN,
    SESSION,
    analyze,
    authorship_note,
)


def test_a_human_running_claude_code_wrote_ai_lines(seeded: tuple[RepoBuilder, str]) -> None:
    repo, base = seeded
    repo.write({"src/app.py": "line 1\nfast path\n" + "".join(f"line {n}\n" for n in range(3, 11))})
    sha = repo.commit(
        f"Add a fast path\n\n{CLAUDE_FOOTER}",
        author=HUMAN,
        committer=HUMAN,
        extra_trailers=[CLAUDE_TRAILER],
    )
    result = analyze(repo, base, human_identities=["Example Maintainer <maintainer@example.com>"])
    (commit,) = result.commits
    assert commit.sha == sha and commit.verdict is Origin.AI and commit.tools == ["claude-code"]
    assert {e.source for e in commit.evidence} == {"trailer", "message", "config"}
    assert result.files[0].ai == [(2, 2)] and result.ai_line_share == 1.0
    assert result.is_ai_change


def test_stripped_markers_leave_the_commit_unknown_not_human(
    seeded: tuple[RepoBuilder, str],
) -> None:
    repo, base = seeded
    repo.write({"src/app.py": "changed\n"})
    repo.commit(f"Rewrite\n\n{CLAUDE_FOOTER}", extra_trailers=[CLAUDE_TRAILER])
    repo.git("commit", "--amend", "-q", "-m", "Rewrite")  # someone removed the markers
    result = analyze(repo, base)
    assert [c.verdict for c in result.commits] == [Origin.UNKNOWN]
    assert result.counts == {"ai": 0, "human": 0, "unknown": 1}
    assert not result.is_ai_change
    configured = analyze(repo, base, human_identities=["maintainer@example.com"])
    assert configured.commits[0].verdict is Origin.HUMAN


def test_a_squash_keeps_the_trailers_of_the_squashed_commits(
    seeded: tuple[RepoBuilder, str],
) -> None:
    repo, base = seeded
    repo.git("checkout", "-q", "-b", "agent")
    repo.write({"src/new.py": "a\nb\n"})
    repo.commit(
        "Add new", extra_trailers=[("Co-authored-by", "Cursor Agent <cursoragent@cursor.com>")]
    )
    repo.write({"src/new.py": "a\nb\nc\n"})
    repo.commit("Tweak new")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "--squash", "-q", "agent")
    repo.git("commit", "-q", "--no-edit")  # the message git prepared holds both messages
    result = analyze(repo, base)
    (squash,) = result.commits
    assert squash.verdict is Origin.AI and squash.tools == ["cursor"]
    assert result.file("src/new.py") is not None
    assert result.file("src/new.py").ai == [(1, 3)]  # type: ignore[union-attr]


def _agent_branch_with_note(repo: RepoBuilder) -> str:
    """A branch whose only AI evidence is a git-ai note, then main moves on."""
    repo.git("checkout", "-q", "-b", "agent")
    repo.write({"src/agent.py": "x = 1\ny = 2\n"})
    sha = repo.commit("Add agent module")
    repo.note(
        sha,
        authorship_note({"src/agent.py": [(f"{SESSION}::t_1", [(1, 2)])]}, sessions=CURSOR_SESSION),
    )
    repo.git("checkout", "-q", "main")
    repo.write({"README.md": "docs\n"})
    repo.commit("Docs", author=HUMAN)
    repo.git("checkout", "-q", "agent")
    return sha


def test_a_rebase_without_rewrite_ref_drops_the_note_and_we_find_it_again(
    seeded: tuple[RepoBuilder, str],
) -> None:
    repo, _ = seeded
    old = _agent_branch_with_note(repo)
    repo.git("rebase", "-q", "main")
    new = repo.head()
    assert new != old
    main = repo.git("rev-parse", "main").strip()
    lost = analyze(repo, main, recover_rebased_notes=False)
    assert [c.verdict for c in lost.commits] == [Origin.UNKNOWN]
    found = analyze(repo, main)
    (commit,) = found.commits
    assert commit.verdict is Origin.AI and commit.tools == ["cursor"]
    assert any(old[:10] in w for w in commit.warnings)
    assert found.file("src/agent.py").ai == [(1, 2)]  # type: ignore[union-attr]


def test_a_rebase_with_notes_rewrite_ref_keeps_the_note_line_by_line(
    seeded: tuple[RepoBuilder, str],
) -> None:
    repo, _ = seeded
    _agent_branch_with_note(repo)
    repo.git("config", "notes.rewriteRef", "refs/notes/ai")
    repo.git("rebase", "-q", "main")
    main = repo.git("rev-parse", "main").strip()
    result = analyze(repo, main)
    (commit,) = result.commits
    assert commit.verdict is Origin.AI and commit.warnings == []
    spans = result.file("src/agent.py").spans  # type: ignore[union-attr]
    assert [(s.start, s.end, s.source) for s in spans] == [(1, 2, "git-ai-note")]


def test_labels_mark_every_commit_of_the_pull_request(seeded: tuple[RepoBuilder, str]) -> None:
    repo, base = seeded
    repo.write({"src/app.py": "changed\n"})
    repo.commit("Change")
    result = analyze(repo, base, labels=["bug", "AI-Generated"])
    assert result.commits[0].verdict is Origin.AI
    assert "AI-Generated" in result.commits[0].evidence[0].detail
    assert analyze(repo, base, labels=["bug"]).commits[0].verdict is Origin.UNKNOWN


def test_bots_agents_and_aider(seeded: tuple[RepoBuilder, str]) -> None:
    repo, base = seeded
    repo.write({"a.txt": "1\n"})
    copilot = repo.commit(
        "Initial plan", author=("Copilot", "198982749+Copilot@users.noreply.github.com")
    )
    repo.write({"b.txt": "1\n"})
    dependabot = repo.commit(
        "Bump x", author=("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
    )
    repo.write({"c.txt": "1\n"})
    aider = repo.commit("aider: fix", author=("Ada (aider)", "ada@example.com"))
    repo.write({"d.txt": "1\n"})
    own = repo.commit(
        "My edit", author=("Ada", "ada@example.com"), committer=("Ada (aider)", "ada@example.com")
    )
    result = analyze(repo, base, human_identities=["ada@example.com"])
    verdicts = {c.sha: c for c in result.commits}
    assert verdicts[copilot].verdict is Origin.AI
    assert verdicts[copilot].tools == ["copilot-agent"]
    assert verdicts[dependabot].verdict is Origin.UNKNOWN
    assert "automation bot" in verdicts[dependabot].evidence[0].detail
    assert verdicts[aider].verdict is Origin.AI and verdicts[aider].tools == ["aider"]
    assert verdicts[own].verdict is Origin.HUMAN  # aider committed Ada's own edit
