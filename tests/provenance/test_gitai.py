"""Git AI authorship logs: the standard's formats, real-world quirks, and broken notes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realitycheck.core.errors import InputError
from realitycheck.provenance.gitai import parse_note
from realitycheck.provenance.model import Origin

from .conftest import CURSOR_SESSION, HUMAN_KEY, SESSION, authorship_note


def test_sessions_humans_and_legacy_keys_in_one_note() -> None:
    text = authorship_note(
        {
            "src/main.rs": [(f"{SESSION}::t_9f8e7d6c5b4a32", [(1, 10)]), (HUMAN_KEY, [(15, 20)])],
            "src/my file.rs": [("abcd1234abcd1234", [(1, 50)])],
        },
        sessions=CURSOR_SESSION,
        humans={HUMAN_KEY: "Developer <dev@example.com>"},
        prompts={"abcd1234abcd1234": {"tool": "claude", "id": "c1", "model": "gpt-4"}},
    )
    note = parse_note(text)
    assert note.schema_version == "authorship/3.0.0"
    assert note.lookup("src/main.rs", 3) is not None
    ai = note.lookup("src/main.rs", 3)
    assert ai is not None and ai.origin is Origin.AI and ai.tool == "cursor"
    assert ai.model == "claude-sonnet-4-5"
    human = note.lookup("src/main.rs", 17)
    assert human is not None and human.origin is Origin.HUMAN
    assert human.who == "Developer <dev@example.com>"
    assert note.lookup("src/main.rs", 12) is None  # untracked: git-ai has no data
    legacy = note.lookup("src/my file.rs", 50)
    assert legacy is not None and legacy.tool == "claude"


def test_unsorted_ranges_as_real_notes_carry_them() -> None:
    # git-ai writes ranges unsorted in practice ("...,508-531,456-457,450-451").
    codex = {SESSION: {"tool": "codex", "id": "x", "model": "gpt-5"}}
    text = authorship_note(
        {"a.rs": [(f"{SESSION}::t_1", [(508, 531), (456, 457), (2, 4)])]}, sessions=codex
    )
    note = parse_note(text)
    assert all(note.lookup("a.rs", n) for n in (3, 456, 520))
    assert note.lookup("a.rs", 500) is None


def test_a_later_entry_wins_over_an_earlier_one() -> None:
    text = authorship_note(
        {"f.py": [(f"{SESSION}::t_1", [(1, 10)]), (HUMAN_KEY, [(5, 5)])]},
        sessions=CURSOR_SESSION,
        humans={HUMAN_KEY: "Dev <dev@example.com>"},
    )
    note = parse_note(text)
    entry = note.lookup("f.py", 5)
    assert entry is not None and entry.origin is Origin.HUMAN
    other = note.lookup("f.py", 6)
    assert other is not None and other.origin is Origin.AI


def test_keys_without_metadata_are_ai_of_an_unknown_tool() -> None:
    note = parse_note(authorship_note({"f.py": [(f"{SESSION}::t_1", [(1, 2)])]}))
    entry = note.lookup("f.py", 1)
    assert entry is not None and entry.origin is Origin.AI and entry.tool is None
    assert note.unresolved == [f"{SESSION}::t_1"]


def test_an_empty_log_has_no_attestations() -> None:
    assert parse_note(authorship_note({})).attestations == []


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("src/a.py\n  abc 1-2\n", "no '---' line", None),
        ("src/a.py\n  abc 1-2\n---\n{not json", "not valid JSON", 4),
        ("---\n[]", "not a JSON object", 2),
        ('---\n{"schema_version": "authorship/2.0.0", "prompts": {}}', "unsupported", 2),
        ('  abc 1-2\n---\n{"schema_version": "authorship/3.0.0", "prompts": {}}', "before any", 1),
        ('a.py\n  abc 5-3\n---\n{"schema_version": "authorship/3.0.0", "prompts": {}}', "5-3", 2),
        ('a.py\n  abc x\n---\n{"schema_version": "authorship/3.0.0", "prompts": {}}', "'x'", 2),
        (
            'a.py\n  abc\n---\n{"schema_version": "authorship/3.0.0", "prompts": {}}',
            "bad attestation",
            2,
        ),
        (
            "a.py\n  s_1::t_1 1\n---\n"
            '{"schema_version": "authorship/3.0.0", "prompts": {}, "sessions": []}',
            "sessions",
            4,
        ),
    ],
)
def test_broken_notes_say_what_and_where(text: str, message: str, line: int | None) -> None:
    with pytest.raises(InputError) as info:
        parse_note(text, where="git-ai note on abc1234")
    assert message in info.value.message
    assert info.value.line == line
    assert "git-ai note on abc1234" in str(info.value)


keys = st.one_of(
    st.from_regex(r"s_[0-9a-f]{14}::t_[0-9a-f]{14}", fullmatch=True),
    st.from_regex(r"h_[0-9a-f]{14}", fullmatch=True),
    st.from_regex(r"[0-9a-f]{16}", fullmatch=True),
)
paths = st.from_regex(r"[a-z]{1,8}(/[a-z ]{1,8}){0,2}\.py", fullmatch=True)
spans = st.lists(
    st.tuples(st.integers(1, 500), st.integers(0, 20)).map(lambda t: (t[0], t[0] + t[1])),
    min_size=1,
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(paths, st.lists(st.tuples(keys, spans), min_size=1, max_size=4), max_size=4))
def test_any_note_written_to_the_standard_reads_back(
    files: dict[str, list[tuple[str, list[tuple[int, int]]]]],
) -> None:
    note = parse_note(authorship_note(files))
    for path, entries in files.items():
        for line in {a for _, ranges in entries for a, _ in ranges}:
            expected = next(
                key for key, ranges in reversed(entries) if any(a <= line <= b for a, b in ranges)
            )
            found = note.lookup(path, line)
            assert found is not None and found.key == expected
            want = Origin.HUMAN if expected.startswith("h_") else Origin.AI
            assert found.origin is want
