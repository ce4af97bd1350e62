"""`assumptions init`: a ledger skeleton pre-filled with mined assumptions, and an agent prompt."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from realitycheck.assumptions.describe import bare
from realitycheck.assumptions.ledger import LEDGER_DIR
from realitycheck.assumptions.model import LEDGER_SCHEMA_VERSION, MinedAssumption

CONFIRM = "confirm or correct"


def slug(name: str | None) -> str:
    """A file name from a branch name or a commit subject (`feat/Fast path!` → `feat-fast-path`)."""
    text = re.sub(r"[^a-z0-9]+", "-", (name or "").lower()).strip("-")
    return text[:60].rstrip("-") or "change"


def ledger_path(name: str | None) -> str:
    """Where a change's ledger goes: `.realitycheck/assumptions/<slug>.yaml`."""
    return f"{LEDGER_DIR}/{slug(name)}.yaml"


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=10**6, sort_keys=False
    )
    return text.removesuffix("\n...\n").strip()


def _entry(i: int, m: MinedAssumption) -> list[str]:
    where = f"{m.file}:{m.function}" if m.function else f"{m.file}:{m.line}"
    lines = [
        f"  - id: A{i}  # {CONFIRM}: mined as {m.id} ({m.kind}) at {m.file}:{m.line}",
        f"    kind: {m.ledger_kind}",
        f"    statement: {_scalar(bare(m.statement).replace('`', ''))}",
        f"    where: {_scalar(where)}",
    ]
    if m.check is not None:
        check = m.check.model_dump(exclude_none=True)
        if check.get("mostly") == 1.0:
            check.pop("mostly")
        lines.append(f"    check: {_scalar(check)}")
    else:
        lines.append(f"    covers: {_scalar([f'{m.file}:{m.line}'])}")
    return lines


def skeleton(mined: Sequence[MinedAssumption], *, change: str | None) -> str:
    """YAML text of a ledger listing each mined assumption, each marked `confirm or correct`."""
    lines = [
        f"# realitycheck assumption ledger (schema version {LEDGER_SCHEMA_VERSION}). Each entry",
        "# was mined from the change: confirm or correct it, delete what is wrong, and add",
        "# what mining cannot see (ordering, performance, security, upstream behaviour).",
        f"version: {LEDGER_SCHEMA_VERSION}",
        f"change: {_scalar(change or 'what the change does, in a line')}",
        "assumptions:" + ("" if mined else " []"),
    ]
    for i, m in enumerate(mined, start=1):
        lines += _entry(i, m)
    lines += [
        "# divergences the change intends, e.g. {target: fn:pkg.mod:func, path: $.return}",
        "expected_changes: []",
    ]
    return "\n".join(lines) + "\n"


def agent_prompt(path: str, skeleton_text: str) -> str:
    """A prompt a team can hand its coding agent to write the ledger."""
    return f"""\
List every assumption this change depends on, in this format, in {path}
(YAML; realitycheck checks it against real recorded inputs before the change can merge).

For each assumption give an id (A1, A2, …), a kind (input-shape, upstream, failure-mode,
environment, ordering, performance or security), a one-sentence statement a reviewer can judge,
and `where` (file.py:function). Cover the inputs the code expects (fields always present, never
null, closed sets of values, formats it parses), failures it treats as impossible or swallows,
upstream behaviour it trusts (answers in time, succeeds first time, returns success), and the
environment it needs (variables, files).

When recorded inputs can show whether it holds, add a check:
  check:
    target: fn:package.module:function  # or http:METHOD /path/{{id}}
    path: $.args.<parameter>.<field>     # $.body / $.query / $.headers for HTTP; $.return
    expect: {{not_null: true}}  # present, not_null, type, in, range, matches, max_length, sql
    mostly: 1.0                          # the share of samples that must pass
A value that is not a JSON field (say, the fonts inside a PDF) can be checked with a probe:
`probe: package.module:function` maps the value at `path` to the value(s) to check.

realitycheck mined the assumptions below from the diff. Confirm, correct or delete each one,
and add those it cannot see:

{skeleton_text}"""
