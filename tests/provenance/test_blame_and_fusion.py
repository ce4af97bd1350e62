"""Blame restricted to the changed lines, and how evidence fuses into a verdict."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from realitycheck.core.git import Git
from realitycheck.core.ranges import expand
from realitycheck.demo.repo import RepoBuilder
from realitycheck.provenance.blame import blame_file, blame_files, bridge
from realitycheck.provenance.fusion import fuse, noisy_or
from realitycheck.provenance.model import Evidence, Origin

ranges = st.lists(
    st.tuples(st.integers(1, 300), st.integers(0, 15)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=12,
)


@given(ranges, st.integers(0, 10))
def test_bridged_ranges_cover_every_line_in_fewer_sorted_pieces(
    spans: list[tuple[int, int]], gap: int
) -> None:
    out = bridge(spans, gap)
    assert expand(spans) <= expand(out)
    assert len(out) <= len(spans)
    assert all(a <= b for a, b in out)
    assert all(out[i][1] + gap + 1 < out[i + 1][0] for i in range(len(out) - 1))


def test_blame_gives_the_path_and_line_in_the_commit_that_wrote_it(repo: RepoBuilder) -> None:
    repo.write({"old.py": "a\nb\nc\n"})
    base = repo.commit("base")
    repo.write({"old.py": "a\nB\nc\nd\n"})
    first = repo.commit("edit")
    repo.git("mv", "old.py", "new.py")
    repo.write({"new.py": "top\na\nB\nc\nd\ne\n"})
    second = repo.commit("rename and edit")
    lines = {b.line: b for b in blame_file(Git(repo.root), second, base, "new.py", [(1, 6)])}
    assert lines[1].sha == second and lines[1].orig_line == 1
    assert lines[3].sha == first and lines[3].orig_path == "old.py" and lines[3].orig_line == 2
    assert lines[2].boundary and lines[2].sha == base
    found, failed = blame_files(
        Git(repo.root), second, base, [("new.py", [(3, 3)]), ("gone.py", [(1, 1)])]
    )
    assert [b.line for b in found["new.py"]] == [3]
    assert "gone.py" in failed


def ev(origin: Origin, confidence: float, tool: str | None = None) -> Evidence:
    return Evidence(source="trailer", detail="x", origin=origin, tool=tool, confidence=confidence)


@given(st.lists(st.floats(0, 1), max_size=6))
def test_noisy_or_is_one_minus_the_chance_that_every_signal_is_wrong(cs: list[float]) -> None:
    wrong = 1.0
    for c in cs:
        wrong -= wrong * c
    assert abs(noisy_or(cs) - (1 - wrong)) < 1e-9
    assert 0.0 <= noisy_or(cs) <= 1.0


def test_an_ai_marker_outweighs_a_configured_human() -> None:
    fused = fuse([ev(Origin.HUMAN, 0.9), ev(Origin.AI, 0.95, "claude-code")], 0.5)
    assert fused.verdict is Origin.AI and fused.tools == ["claude-code"]


def test_human_only_by_an_explicit_rule_and_hints_stay_unknown() -> None:
    assert fuse([ev(Origin.HUMAN, 0.9)], 0.5).verdict is Origin.HUMAN
    assert fuse([ev(Origin.AI, 0.3, "claude-code")], 0.5).verdict is Origin.UNKNOWN
    assert fuse([], 0.5).verdict is Origin.UNKNOWN
    assert fuse([ev(Origin.AI, 0.3), ev(Origin.HUMAN, 0.9)], 0.5).verdict is Origin.HUMAN
    two_hints = fuse([ev(Origin.AI, 0.4, "a"), ev(Origin.AI, 0.4, "b")], 0.5)
    assert two_hints.verdict is Origin.AI and abs(two_hints.confidence - 0.64) < 1e-9
    assert fuse([ev(Origin.UNKNOWN, 0.0)], 0.5).verdict is Origin.UNKNOWN
