"""The ledger: YAML files or a PR-body block, checked with the shipped JSON Schema."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from realitycheck.assumptions.ledger import (
    ledger_blocks,
    ledger_from_pr_body,
    ledger_schema,
    load_change_ledger,
    parse_ledger,
)
from realitycheck.assumptions.model import LEDGER_SCHEMA_VERSION
from realitycheck.core.errors import InputError
from realitycheck.core.git import Git

from .conftest import MakeChange

DESIGN_EXAMPLE = """\
change: Fast path for PDF text extraction
assumptions:
  - id: A1
    kind: input-shape        # input-shape | upstream | failure-mode | environment | ordering
    statement: Every PDF we receive uses WinAnsi or Standard font encodings
    where: src/docsvc/extract.py:extract_text
    check:                   # optional; evaluated against the corpus
      target: fn:docsvc.extract:extract_text
      probe: docsvc.probes:font_encodings      # optional callable: sample -> value(s)
      path: $.args.pdf                          # or a JSON path into input/output
      expect: {in: [WinAnsiEncoding, StandardEncoding]}
      mostly: 1.0
expected_changes:            # divergences this change intends
  - {target: fn:docsvc.extract:extract_text, path: $.return, category: value-changed, note: x}
"""


def test_the_design_example_reads_as_version_1() -> None:
    ledger = parse_ledger(DESIGN_EXAMPLE, source="l.yaml")
    assert ledger.version == LEDGER_SCHEMA_VERSION == 1
    (a1,) = ledger.assumptions
    assert a1.check is not None and a1.check.expect == {
        "in": ["WinAnsiEncoding", "StandardEncoding"]
    }
    assert a1.origin == ("l.yaml", 3)
    assert ledger.expected_changes[0].category == "value-changed"
    assert ledger.source == "l.yaml"


def test_the_shipped_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = ledger_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f":{LEDGER_SCHEMA_VERSION}")
    jsonschema.validate(yaml.safe_load(DESIGN_EXAMPLE), schema)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("assumptions:\n  - id: A1\n    kind: inputshape\n    statement: s\n", 3, "not one of"),
        ("assumptions:\n  - id: A1\n    kind: upstream\n    statment: s\n", 4, "unknown key"),
        ("assumptions:\n  - id: A1\n    kind: upstream\n", 2, "'statement' is missing"),
        ("change: x\nassumptions: [\n", 3, "not valid YAML"),
        ("version: 2\nassumptions: []\n", 1, "newer than this realitycheck"),
        ("change: a\nchange: b\n", 2, "appears twice"),
        ("- just a list\n", 1, "a ledger is a mapping"),
        ("", 1, "the ledger is empty"),
        (
            "assumptions:\n  - id: A1\n    kind: upstream\n    statement: s\n    check:\n"
            "      path: $.a\n      expect: {present: false}\n",
            7,
            "write `true`",
        ),
        (
            "assumptions:\n  - id: A1\n    kind: upstream\n    statement: s\n    check:\n"
            "      target: fn:a:b\n      expect: {not_null: true}\n",
            7,
            "needs a `path`",
        ),
        (
            "assumptions:\n  - id: A1\n    kind: upstream\n    statement: s\n    check:\n"
            "      path: $.a\n      expect: {range: [5, 1]}\n",
            7,
            "lower bound is above",
        ),
        (
            "assumptions:\n  - {id: A1, kind: upstream, statement: s}\n"
            "  - {id: A1, kind: upstream, statement: t}\n",
            3,
            "used twice",
        ),
        (
            "assumptions:\n  - id: A1\n    kind: upstream\n    statement: s\n    mostly: 2\n",
            5,
            "unknown key",
        ),
    ],
)
def test_a_malformed_ledger_names_the_file_and_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as info:
        parse_ledger(text, source=".realitycheck/assumptions/x.yaml")
    err = info.value
    assert err.path == ".realitycheck/assumptions/x.yaml"
    assert err.line == line, str(err)
    assert words in str(err)


def test_pr_body_blocks_keep_their_line_numbers() -> None:
    body = (
        "Adds a fast path.\n\n```assumptions\nassumptions:\n  - id: A1\n    kind: upstream\n"
        "    statement: s\n```\n\n~~~~ assumptions\nassumptions:\n  - id: A2\n    kind: oops\n"
        "    statement: t\n~~~~\n```python\nprint()\n```\n"
    )
    blocks = list(ledger_blocks(body))
    assert [line for line, _ in blocks] == [4, 11]
    with pytest.raises(InputError) as info:
        parse_ledger(blocks[1][1], source="pr.md", first_line=blocks[1][0])
    assert info.value.line == 13


def test_a_pr_body_without_a_block_has_no_ledger(tmp_path: Path) -> None:
    body = tmp_path / "pr.md"
    body.write_text("Nothing declared here.\n\n```yaml\nassumptions: []\n```\n")
    assert ledger_from_pr_body(body) is None
    with pytest.raises(InputError, match="cannot read the PR body"):
        ledger_from_pr_body(tmp_path / "missing.md")


LEDGER = "assumptions:\n  - {id: %s, kind: upstream, statement: s}\n"


def test_only_files_the_change_adds_or_modifies_are_read(
    make_change: MakeChange, tmp_path: Path
) -> None:
    change = make_change(
        {
            ".realitycheck/assumptions/old.yaml": LEDGER % "OLD",
            ".realitycheck/assumptions/edited.yaml": LEDGER % "E1",
            ".realitycheck/assumptions/gone.yaml": LEDGER % "G1",
        },
        {
            ".realitycheck/assumptions/edited.yaml": LEDGER % "E2",
            ".realitycheck/assumptions/new.yml": LEDGER % "N1",
            ".realitycheck/assumptions/README.md": "not a ledger\n",
            "docs/assumptions.yaml": LEDGER % "ELSEWHERE",
        },
        remove=[".realitycheck/assumptions/gone.yaml"],
    )
    body = tmp_path / "pr.md"
    body.write_text("```assumptions\n" + LEDGER % "PR1" + "```\n")
    ledger = load_change_ledger(Git(change.root), change.base, change.head, pr_body=body)
    assert ledger is not None
    assert [a.id for a in ledger.assumptions] == ["E2", "N1", "PR1"]
    assert ledger.assumptions[0].origin == (".realitycheck/assumptions/edited.yaml", 2)
    assert ledger.assumptions[2].origin == (str(body), 3)


def test_no_ledger_when_the_change_carries_none(make_change: MakeChange) -> None:
    change = make_change({".realitycheck/assumptions/old.yaml": LEDGER % "A1"}, {"x.py": "x = 1\n"})
    assert load_change_ledger(Git(change.root), change.base, change.head) is None


def test_ids_must_be_unique_across_files(make_change: MakeChange) -> None:
    change = make_change(
        {},
        {
            ".realitycheck/assumptions/a.yaml": LEDGER % "A1",
            ".realitycheck/assumptions/b.yaml": LEDGER % "A1",
        },
    )
    with pytest.raises(InputError) as info:
        load_change_ledger(Git(change.root), change.base, change.head)
    assert info.value.path == ".realitycheck/assumptions/b.yaml"
    assert info.value.line == 2
    assert "first at .realitycheck/assumptions/a.yaml:2" in str(info.value)


def test_when_conditions_are_part_of_a_check() -> None:
    text = (
        "assumptions:\n  - id: A1\n    kind: input-shape\n    statement: s\n    check:\n"
        "      target: fn:a:b\n      path: $.args.e.data.object.source\n"
        "      expect: {not_null: true}\n      when:\n"
        "        - {path: $.args.e.type, expect: {matches: '^charge\\.'}}\n"
        "        - {path: $.args.e.livemode, expect: {in: [true]}, negate: true}\n"
    )
    (a1,) = parse_ledger(text, source="l.yaml").assumptions
    assert a1.check is not None
    assert [(c.path, c.negate) for c in a1.check.when] == [
        ("$.args.e.type", False),
        ("$.args.e.livemode", True),
    ]
    with pytest.raises(InputError) as info:
        parse_ledger(text.replace("$.args.e.type", "'$.args.e.items[*].type'"), source="l.yaml")
    assert info.value.line == 10 and "when[0].path" in str(info.value)


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("getenv('HOME') IS NOT NULL", "getenv() is not allowed"),
        ("value = (SELECT 1)", "subqueries are not allowed"),
        ("read_text('/etc/passwd') = value", "read_text() is not allowed"),
    ],
)
def test_a_forbidden_sql_check_fails_when_the_ledger_loads(expr: str, words: str) -> None:
    """Checked at load: a target with no samples (so no query runs) cannot let it pass."""
    text = f"""\
change: x
assumptions:
  - id: A1
    kind: input-shape
    statement: s
    check:
      target: fn:nothing.recorded:here
      path: $.args.n
      expect: {{sql: "{expr}"}}
"""
    with pytest.raises(InputError) as info:
        parse_ledger(text, source="ledger.yaml")
    assert (info.value.path, info.value.line) == ("ledger.yaml", 9)
    assert words in str(info.value) and "assumptions[0].check.expect.sql" in str(info.value)
