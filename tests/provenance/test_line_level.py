"""Notes and traces in real repositories: they override the commit's verdict line by line."""

from __future__ import annotations

import json

from realitycheck.demo.repo import RepoBuilder
from realitycheck.provenance.model import Origin

from .conftest import (
    CLAUDE_TRAILER,
    CURSOR_SESSION,
    HUMAN,
    HUMAN_KEY,
    SESSION,
    analyze,
    authorship_note,
)

TEN = "".join(f"line {n}\n" for n in range(1, 11))


def test_a_note_splits_a_commit_into_ai_human_and_untracked_lines(
    seeded: tuple[RepoBuilder, str],
) -> None:
    repo, base = seeded
    repo.write({"src/app.py": "".join(f"new {n}\n" for n in range(1, 11))})
    sha = repo.commit("Rework", author=HUMAN)
    repo.note(
        sha,
        authorship_note(
            {"src/app.py": [(f"{SESSION}::t_1", [(1, 4)]), (HUMAN_KEY, [(5, 6)])]},
            sessions=CURSOR_SESSION,
            humans={HUMAN_KEY: "Example Maintainer <maintainer@example.com>"},
            base_commit_sha=sha,
        ),
    )
    result = analyze(repo, base)
    (commit,) = result.commits
    assert commit.verdict is Origin.AI and commit.tools == ["cursor"]
    assert commit.default_origin is Origin.UNKNOWN  # untracked lines: git-ai has no data
    f = result.file("src/app.py")
    assert f is not None
    assert (f.ai, f.human, f.unknown) == ([(1, 4)], [(5, 6)], [(7, 10)])
    assert [s.source for s in f.spans] == ["git-ai-note", "git-ai-note", "commit"]
    assert f.spans[0].detail == f"git-ai: Cursor (claude-sonnet-4-5), session {SESSION}"
    configured = analyze(repo, base, human_identities=["maintainer@example.com"])
    g = configured.file("src/app.py")
    assert g is not None and g.human == [(5, 10)]  # the author is a known human


def test_a_note_of_an_earlier_commit_follows_its_lines_through_a_rename(
    seeded: tuple[RepoBuilder, str],
) -> None:
    repo, base = seeded
    repo.write({"src/app.py": "top\n" + TEN})
    sha = repo.commit("Add a top line", author=HUMAN)
    repo.note(
        sha,
        authorship_note({"src/app.py": [(f"{SESSION}::t_1", [(1, 1)])]}, sessions=CURSOR_SESSION),
    )
    repo.git("mv", "src/app.py", "src/main.py")
    repo.write({"src/main.py": "top\n" + TEN + "bottom\n"})
    repo.commit("Rename and extend", author=HUMAN)
    result = analyze(repo, base, human_identities=["maintainer@example.com"])
    f = result.file("src/main.py")
    assert f is not None and f.status == "renamed" and f.old_path == "src/app.py"
    assert (f.ai, f.human) == ([(1, 1)], [(12, 12)])


def test_a_hook_style_trace_ties_to_the_commit_made_on_top(seeded: tuple[RepoBuilder, str]) -> None:
    repo, base = seeded
    repo.write({"src/app.py": TEN + "ai 1\nai 2\nmine\n"})
    trace = {
        "version": "1.0",
        "id": "0b5e2f1a-7c1d-4e59-9a55-2f0f6f3b9d10",
        "timestamp": "2026-01-25T10:00:00Z",
        "vcs": {"type": "git", "revision": base},
        "tool": {"name": "claude-code"},
        "files": [
            {
                "path": "src/app.py",
                "conversations": [
                    {
                        "contributor": {"type": "ai", "model_id": "anthropic/claude-opus-4-5"},
                        "ranges": [{"start_line": 11, "end_line": 12}],
                    }
                ],
            }
        ],
    }
    repo.write({".agent-trace/traces.jsonl": json.dumps(trace) + "\n{oops\n"})
    sha = repo.commit("Extend", author=HUMAN)
    result = analyze(repo, base, human_identities=["maintainer@example.com"])
    (commit,) = result.commits
    assert commit.sha == sha and commit.verdict is Origin.AI and commit.tools == ["claude-code"]
    f = result.file("src/app.py")
    assert f is not None and (f.ai, f.human) == ([(11, 12)], [(13, 13)])
    assert any("traces.jsonl" in w and ":2" in w for w in result.warnings)


def test_a_corrupt_note_costs_only_its_own_evidence(seeded: tuple[RepoBuilder, str]) -> None:
    repo, base = seeded
    repo.write({"a.py": "1\n"})
    broken = repo.commit("One")
    repo.note(broken, 'src/a.py\n  s_1::t_1 1-x\n---\n{"schema_version": "authorship/3.0.0"}')
    repo.write({"b.py": "1\n"})
    fine = repo.commit("Two", extra_trailers=[CLAUDE_TRAILER])
    result = analyze(repo, base)
    verdicts = {c.sha: c.verdict for c in result.commits}
    assert verdicts == {broken: Origin.UNKNOWN, fine: Origin.AI}
    (warning,) = result.warnings
    assert warning.startswith(f"git-ai note on {broken[:10]}, line 2: bad line range '1-x'")
    assert warning.endswith("that note's evidence is ignored")


def test_trace_human_ranges_count_only_when_trusted(seeded: tuple[RepoBuilder, str]) -> None:
    repo, base = seeded
    repo.write({"src/app.py": TEN + "typed\n"})
    sha = repo.commit("Extend")
    trace = {
        "version": "0.1.0",
        "id": "1d2c3b4a-0000-4000-8000-00000000000a",
        "timestamp": "2026-01-25T10:00:00Z",
        "vcs": {"type": "git", "revision": sha},
        "files": [
            {
                "path": "src/app.py",
                "conversations": [
                    {
                        "contributor": {"type": "human"},
                        "ranges": [{"start_line": 11, "end_line": 11}],
                    }
                ],
            }
        ],
    }
    trace_dir = repo.root / ".agent-trace"
    trace_dir.mkdir()
    (trace_dir / "traces.jsonl").write_text(json.dumps(trace) + "\n")  # work tree, not committed
    assert analyze(repo, base).file("src/app.py").unknown == [(11, 11)]  # type: ignore[union-attr]
    trusted = analyze(repo, base, trust_agent_trace_human=True)
    assert trusted.file("src/app.py").human == [(11, 11)]  # type: ignore[union-attr]
    assert trusted.commits[0].verdict is Origin.HUMAN
