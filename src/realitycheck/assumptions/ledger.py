"""Load the assumption ledger a change carries: YAML files or a PR-body block, schema-checked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from pydantic import ValidationError

from realitycheck.assumptions.checks.sqlexpr import check_expression
from realitycheck.assumptions.model import LEDGER_SCHEMA_VERSION, Ledger
from realitycheck.core.diff import FileStatus
from realitycheck.core.errors import InputError
from realitycheck.core.git import Git

LEDGER_DIR = ".realitycheck/assumptions"
LEDGER_SUFFIXES = (".yaml", ".yml")
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")

Location = tuple[str | int, ...]


@cache
def ledger_schema() -> dict[str, Any]:
    """The JSON Schema of ledger version LEDGER_SCHEMA_VERSION, as shipped in the package."""
    text = resources.files("realitycheck.assumptions").joinpath("ledger.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def parse_ledger(text: str, *, source: str, first_line: int = 1) -> Ledger:
    """A ledger from YAML text; errors name `source` and the line (counted from `first_line`)."""
    offset = first_line - 1
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark is not None else None
        problem = exc.problem or exc.context or "cannot parse"
        raise InputError(f"not valid YAML: {problem}", path=source, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", path=source) from None
    if node is None or data is None:
        raise InputError(
            "the ledger is empty",
            path=source,
            line=first_line,
            hint="it needs at least `assumptions:` (run `realitycheck assumptions init`)",
        )
    _check_duplicate_keys(node, source, offset)
    if not isinstance(data, dict):
        raise InputError(
            "a ledger is a mapping with `change`, `assumptions` and `expected_changes`",
            path=source,
            line=node.start_mark.line + 1 + offset,
        )
    version = data.get("version", LEDGER_SCHEMA_VERSION)
    too_new = isinstance(version, int) and version > LEDGER_SCHEMA_VERSION
    if too_new and not isinstance(version, bool):
        raise InputError(
            f"ledger version {version} is newer than this realitycheck understands "
            f"({LEDGER_SCHEMA_VERSION})",
            path=source,
            line=_line_of(node, ("version",), offset),
            hint="upgrade realitycheck",
        )
    _validate_schema(data, node, source, offset)
    try:
        ledger = Ledger.model_validate(data)
    except ValidationError as exc:  # the schema should have caught it; keep the location anyway
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise InputError(
            f"{_dotted(loc)}: {err['msg'].lower()}", path=source, line=_line_of(node, loc, offset)
        ) from None
    ledger.source = source
    for index, assumption in enumerate(ledger.assumptions):
        line = _line_of(node, ("assumptions", index), offset) or first_line
        assumption._origin = (source, line)
        _check_semantics(assumption.model_dump(), source, node, index, offset)
    _check_unique_ids([ledger])
    return ledger


def ledger_blocks(body: str) -> Iterator[tuple[int, str]]:
    """Each fenced ```assumptions block of a Markdown text: (line of its first YAML line, text)."""
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence = m["fence"]
        info = m["info"].strip().split()
        end = i + 1
        while end < len(lines):
            close = lines[end].strip()
            if close.startswith(fence[0] * len(fence)) and not close.strip(fence[0]):
                break
            end += 1
        if info and info[0] == "assumptions":
            yield i + 2, "\n".join(lines[i + 1 : end]) + "\n"
        i = end + 1


def ledger_from_pr_body(path: Path) -> Ledger | None:
    """The ledger in a PR description file's ```assumptions blocks, or None when it has none."""
    try:
        body = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the PR body: {exc.strerror}", path=path) from None
    except UnicodeDecodeError:
        raise InputError("the PR body is not UTF-8 text", path=path) from None
    ledgers = [
        parse_ledger(text, source=str(path), first_line=n) for n, text in ledger_blocks(body)
    ]
    return merge_ledgers(ledgers) if ledgers else None


def change_ledger_files(git: Git, base: str | None, head: str) -> list[str]:
    """Ledger files the change adds or modifies under .realitycheck/assumptions/."""
    out: list[str] = []
    for diff in git.diff(base, head, paths=[LEDGER_DIR]):
        if diff.status is FileStatus.DELETED or diff.binary:
            continue
        if diff.path.startswith(LEDGER_DIR + "/") and diff.path.endswith(LEDGER_SUFFIXES):
            out.append(diff.path)
    return sorted(out)


def load_change_ledger(
    git: Git, base: str | None, head: str, *, pr_body: Path | None = None
) -> Ledger | None:
    """The ledger from files the change adds or modifies (read at head) and the PR body."""
    ledgers: list[Ledger] = []
    for rel in change_ledger_files(git, base, head):
        raw = git.show(head, rel)
        if raw is None:
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the ledger is not UTF-8 text", path=rel) from None
        ledgers.append(parse_ledger(text, source=rel))
    if pr_body is not None:
        from_body = ledger_from_pr_body(pr_body)
        if from_body is not None:
            ledgers.append(from_body)
    return merge_ledgers(ledgers) if ledgers else None


def merge_ledgers(ledgers: Sequence[Ledger]) -> Ledger:
    """Several ledgers as one; assumption ids must be unique across them."""
    if len(ledgers) == 1:
        return ledgers[0]
    _check_unique_ids(ledgers)
    merged = Ledger(
        version=max(ledger.version for ledger in ledgers),
        change=next((ledger.change for ledger in ledgers if ledger.change), None),
        assumptions=[a for ledger in ledgers for a in ledger.assumptions],
        expected_changes=[e for ledger in ledgers for e in ledger.expected_changes],
    )
    for target, original in zip(
        merged.assumptions, [a for ledger in ledgers for a in ledger.assumptions], strict=True
    ):
        target._origin = original.origin
    merged.source = ", ".join(dict.fromkeys(ledger.source or "?" for ledger in ledgers))
    return merged


# -- validation --------------------------------------------------------------------------------


def _validate_schema(data: Any, node: yaml.Node, source: str, offset: int) -> None:
    validator = jsonschema.Draft202012Validator(ledger_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return
    loc: Location = tuple(error.absolute_path)
    message = error.message
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = (
            set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
        )
        extra = sorted(str(k) for k in error.instance if k not in allowed)
        if extra:
            loc = (*loc, extra[0])
            known = ", ".join(sorted(allowed))
            message = f"unknown key '{extra[0]}' (known: {known})"
    elif error.validator == "required":
        message = str(error.message).replace("is a required property", "is missing")
    elif error.validator == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        message = f"{error.instance!r} is not one of: {options}"
    elif error.validator == "const" and loc and loc[-1] in ("present", "not_null"):
        message = "write `true` (leave the key out to not check it)"
    where = _dotted(loc)
    raise InputError(
        f"{where}: {message}" if where else message,
        path=source,
        line=_line_of(node, loc, offset, key=error.validator == "additionalProperties"),
    )


def _check_semantics(
    assumption: dict[str, Any], source: str, node: yaml.Node, index: int, offset: int
) -> None:
    check = assumption.get("check")
    if not check:
        return
    expect = check.get("expect") or {}
    needs_value = {"present", "not_null"} & set(expect)
    if needs_value and not check.get("path") and not check.get("probe"):
        loc: Location = ("assumptions", index, "check", "expect")
        raise InputError(
            f"{_dotted(loc)}: {sorted(needs_value)[0]} needs a `path` (or a `probe`)",
            path=source,
            line=_line_of(node, loc, offset),
        )
    sql = expect.get("sql")
    problem = check_expression(str(sql)) if sql is not None else None
    if problem is not None:  # checked at load, so a target without samples cannot hide it
        loc = ("assumptions", index, "check", "expect", "sql")
        raise InputError(
            f"{_dotted(loc)}: {problem}", path=source, line=_line_of(node, loc, offset)
        )
    rng = expect.get("range")
    if isinstance(rng, list) and len(rng) == 2 and None not in rng and rng[0] > rng[1]:
        loc = ("assumptions", index, "check", "expect", "range")
        raise InputError(
            f"{_dotted(loc)}: the lower bound is above the upper bound",
            path=source,
            line=_line_of(node, loc, offset),
        )


def _check_unique_ids(ledgers: Sequence[Ledger]) -> None:
    seen: dict[str, tuple[str, int] | None] = {}
    for ledger in ledgers:
        for assumption in ledger.assumptions:
            if assumption.id in seen:
                first = seen[assumption.id]
                origin = assumption.origin
                raise InputError(
                    f"assumption id '{assumption.id}' is used twice"
                    + (f" (first at {first[0]}:{first[1]})" if first else ""),
                    path=origin[0] if origin else ledger.source,
                    line=origin[1] if origin else None,
                )
            seen[assumption.id] = assumption.origin


def _check_duplicate_keys(node: yaml.Node, source: str, offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in keys:
                    raise InputError(
                        f"key '{key.value}' appears twice",
                        path=source,
                        line=key.start_mark.line + 1 + offset,
                    )
                keys.add(key.value)
            _check_duplicate_keys(value, source, offset)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(item, source, offset)


def _line_of(node: yaml.Node, loc: Location, offset: int, *, key: bool = False) -> int | None:
    """The line of the YAML node at `loc` (or of the deepest node that exists on the way)."""
    current = node
    line = node.start_mark.line + 1
    for step in loc:
        found: yaml.Node | None = None
        if isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(step):
                    found = k if key and step == loc[-1] else v
                    line = k.start_mark.line + 1
                    break
        elif (
            isinstance(current, yaml.SequenceNode)
            and isinstance(step, int)
            and 0 <= step < len(current.value)
        ):
            found = current.value[step]
        if found is None:
            break
        current = found
        line = found.start_mark.line + 1
    return line + offset


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for step in loc:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
