"""Merges, renames, roots, empty ranges, huge diffs and binary files: handled, each with a word."""

from __future__ import annotations

from realitycheck.demo.repo import RepoBuilder
from realitycheck.provenance.model import Origin

from .conftest import CLAUDE_TRAILER, HUMAN, analyze

TEN = "".join(f"line {n}\n" for n in range(1, 11))


def test_a_merge_with_a_conflict_resolution(seeded: tuple[RepoBuilder, str]) -> None:
    repo, base = seeded
    repo.git("checkout", "-q", "-b", "agent")
    repo.write({"src/app.py": "agent\n" + TEN[7:]})
    agent = repo.commit("Agent edit", extra_trailers=[CLAUDE_TRAILER])
    repo.git("checkout", "-q", "main")
    repo.write({"src/app.py": "human\n" + TEN[7:]})
    repo.commit("Human edit", author=HUMAN)
    try:
        repo.git("merge", "-q", "--no-ff", "agent")
    except Exception:
        repo.write({"src/app.py": "resolved\nagent\n" + TEN[7:]})
        repo.git("add", "-A")
        repo.git("commit", "-q", "--no-edit")
    merge = repo.head()
    result = analyze(repo, base, human_identities=["maintainer@example.com"])
    by_sha = {c.sha: c for c in result.commits}
    assert by_sha[merge].merge and any("merge commit" in n for n in by_sha[merge].notes)
    assert by_sha[agent].verdict is Origin.AI
    f = result.file("src/app.py")
    assert f is not None
    assert f.commits[1] == merge and f.commits[2] == agent
    assert (1, 1) in f.human and (2, 2) in f.ai
    assert any("merge commit" in n for n in result.notes)


def test_the_root_of_history(repo: RepoBuilder) -> None:
    repo.write({"a.py": "1\n2\n"})
    root = repo.commit("Start", extra_trailers=[CLAUDE_TRAILER])
    result = analyze(repo, None)
    assert result.base is None and result.commits[0].root
    assert result.commits[0].sha == root and result.files[0].ai == [(1, 2)]
    assert any(n.startswith("root:") for n in result.notes)


def test_an_empty_range(seeded: tuple[RepoBuilder, str]) -> None:
    repo, base = seeded
    result = analyze(repo, base, base)
    assert (result.commits, result.files, result.changed_lines) == ([], [], 0)
    assert result.ai_line_share == 0.0 and not result.is_ai_change
    assert result.notes[0].startswith("empty range: base and head are the same commit")


def test_head_behind_base(seeded: tuple[RepoBuilder, str]) -> None:
    repo, base = seeded
    repo.write({"src/app.py": TEN[:-8]})  # the later commit drops line 10
    later = repo.commit("Drop a line")
    result = analyze(repo, later, base)
    assert result.commits == [] and "empty range" in result.notes[-1]
    assert result.file("src/app.py").unknown == [(10, 10)]  # type: ignore[union-attr]
    assert any("not a descendant" in w for w in result.warnings)


def test_binary_deleted_renamed_and_mode_only_files(seeded: tuple[RepoBuilder, str]) -> None:
    repo, _ = seeded
    repo.write({"gone.txt": "bye\n", "tool.sh": "echo\n", "keep.txt": "same\n" * 5})
    start = repo.commit("More files", author=HUMAN)
    repo.write({"logo.png": bytes(range(256)) * 4})
    repo.remove("gone.txt")
    repo.git("mv", "keep.txt", "kept.txt")
    (repo.root / "tool.sh").chmod(0o755)
    repo.commit("Assets", extra_trailers=[CLAUDE_TRAILER])
    result = analyze(repo, start)
    notes = {f.path: f.note for f in result.files}
    assert notes["logo.png"] == "binary file: no lines to attribute"
    assert notes["gone.txt"] == "deleted: no lines left in head"
    assert notes["kept.txt"] == "renamed from keep.txt, no line changed"
    assert notes["tool.sh"] is not None and "mode change" in notes["tool.sh"]
    assert result.changed_lines == 0 and result.is_ai_change  # the commit is still AI


def test_a_huge_file_is_not_blamed_but_still_attributed(seeded: tuple[RepoBuilder, str]) -> None:
    repo, base = seeded
    repo.write({"data.csv": "".join(f"{n},x\n" for n in range(50))})
    repo.commit("Generated data", extra_trailers=[CLAUDE_TRAILER])
    repo.write({"src/app.py": TEN + "x\n"})
    repo.commit("Small edit", author=HUMAN)
    result = analyze(repo, base, max_file_lines=20, human_identities=["maintainer@example.com"])
    f = result.file("data.csv")
    assert f is not None and f.ai == [(1, 50)]
    assert f.note is not None and f.note.startswith("huge: 50 changed lines")
    assert result.file("src/app.py").human == [(11, 11)]  # type: ignore[union-attr]


def test_unicode_and_spaces_in_paths(seeded: tuple[RepoBuilder, str]) -> None:
    repo, base = seeded
    repo.write({"docs/my notes/résumé.md": "hello\nworld\n"})
    repo.commit("Notes", extra_trailers=[CLAUDE_TRAILER])
    result = analyze(repo, base)
    f = result.file("docs/my notes/résumé.md")
    assert f is not None and f.ai == [(1, 2)]
