"""Random histories checked against an independent model of who wrote each line.

The test keeps its own record of the commit behind every line (each line's text is unique, so
the record is exact) and of what each commit's markers or note say; provenance must reach the
same origin for every changed line, and the same AI share, from git alone.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realitycheck.demo.repo import RepoBuilder
from realitycheck.provenance.model import Origin

from .conftest import CLAUDE_TRAILER, CURSOR_SESSION, HUMAN, SESSION, analyze, authorship_note

KINDS = ("ai-trailer", "human", "unmarked", "ai-note")
edits = st.lists(
    st.tuples(
        st.sampled_from(("insert", "replace", "delete")), st.integers(0, 10_000), st.integers(1, 4)
    ),
    min_size=1,
    max_size=4,
)
commits = st.lists(
    st.tuples(st.sampled_from(KINDS), edits, st.integers(0, 2**16)), min_size=1, max_size=5
)


def apply(
    lines: list[tuple[str, int]], ops: list[tuple[str, int, int]], k: int
) -> list[tuple[str, int]]:
    """Apply edits; every new line is `(text, k)` with a text no other line has."""
    out = list(lines)
    for n, (op, where, size) in enumerate(ops):
        at = where % (len(out) + 1)
        new = [(f"c{k} e{n} l{i}", k) for i in range(size)]
        if op == "insert" or not out:
            out[at:at] = new
        elif op == "replace":
            at = min(at, len(out) - 1)
            out[at : at + size] = new
        else:
            at = min(at, len(out) - 1)
            del out[at : at + size]
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commits)
def test_every_changed_line_gets_the_origin_the_model_predicts(
    history: list[tuple[str, list[tuple[str, int, int]], int]],
) -> None:
    root = Path(tempfile.mkdtemp(prefix="rc-sim-"))
    try:
        repo = RepoBuilder(root / "repo")
        lines = [(f"base {i}", 0) for i in range(8)]
        repo.write({"f.txt": "".join(t + "\n" for t, _ in lines)})
        base = repo.commit("base", author=HUMAN)
        truth: dict[str, Origin] = {}  # line text -> expected origin
        for k, (kind, ops, seed) in enumerate(history, start=1):
            lines = apply(lines, ops, k)
            repo.write({"f.txt": "".join(t + "\n" for t, _ in lines)})
            if kind == "ai-trailer":
                sha = repo.commit(f"c{k}", extra_trailers=[CLAUDE_TRAILER], allow_empty=True)
            elif kind == "human":
                sha = repo.commit(f"c{k}", author=HUMAN, allow_empty=True)
            else:
                who = ("Someone", "someone@example.org")
                sha = repo.commit(f"c{k}", author=who, allow_empty=True)
            mine = [n for n, (_, owner) in enumerate(lines, start=1) if owner == k]
            covered = {n for i, n in enumerate(mine) if (seed >> (i % 16)) & 1}
            if kind == "ai-note" and covered:
                spans = [(n, n) for n in sorted(covered)]
                repo.note(
                    sha,
                    authorship_note(
                        {"f.txt": [(f"{SESSION}::t_{k}", spans)]}, sessions=CURSOR_SESSION
                    ),
                )
            for n in mine:
                text = lines[n - 1][0]
                truth[text] = {
                    "ai-trailer": Origin.AI,
                    "human": Origin.HUMAN,
                    "unmarked": Origin.UNKNOWN,
                    "ai-note": Origin.AI if n in covered else Origin.UNKNOWN,
                }[kind]
        result = analyze(repo, base, human_identities=["maintainer@example.com"])
        expected = {n: truth[text] for n, (text, owner) in enumerate(lines, start=1) if owner != 0}
        f = result.file("f.txt")
        got = {n: (f.origin_of(n) if f else None) for n in expected}
        assert got == expected
        assert result.changed_lines == len(expected)
        share = sum(o is Origin.AI for o in expected.values()) / len(expected) if expected else 0.0
        assert abs(result.ai_line_share - share) < 1e-12
    finally:
        shutil.rmtree(root, ignore_errors=True)
