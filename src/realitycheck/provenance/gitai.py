"""Git AI authorship notes (`refs/notes/ai`, schema `authorship/3.0.0`), parsed.

A note is an attestation section, a line holding exactly `---`, and a JSON object. The
attestation section lists file paths (quoted when they hold whitespace), each followed by lines
indented by two spaces: an attestation key, a space, and line ranges such as `1-4,9,12-20`.
Keys starting `s_` are AI sessions (`s_<id>::t_<trace>`, looked up in `sessions`), keys starting
`h_` are known humans (`humans`), and bare hex keys are legacy AI sessions (`prompts`). Line
numbers refer to the file as it is in the commit the note is attached to.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from realitycheck.core.errors import InputError
from realitycheck.core.ranges import Range
from realitycheck.provenance.model import Origin

SCHEMA_PREFIX = "authorship/3."
DIVIDER = "---"


@dataclass(frozen=True)
class Attestation:
    """Lines of one file that one session (or one known human) wrote."""

    key: str
    origin: Origin
    ranges: tuple[Range, ...]
    tool: str | None = None
    model: str | None = None
    who: str | None = None

    def covers(self, line: int) -> bool:
        """Whether a line number falls inside the attestation's ranges."""
        return any(a <= line <= b for a, b in self.ranges)

    @property
    def line_count(self) -> int:
        """How many lines the attestation names."""
        return sum(b - a + 1 for a, b in self.ranges)

    def describe(self, name: Callable[[str], str] = str) -> str:
        """A short reason a reviewer can read; `name` turns a tool id into a display name."""
        if self.origin is Origin.HUMAN:
            return f"git-ai: known human {self.who or self.key}"
        what = name(self.tool) if self.tool else "an AI session"
        if self.model:
            what += f" ({self.model})"
        return f"git-ai: {what}, session {self.key.split('::', 1)[0]}"


@dataclass
class AuthorshipNote:
    """A parsed Git AI authorship log."""

    schema_version: str
    base_commit_sha: str
    git_ai_version: str | None
    files: dict[str, list[Attestation]] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)

    def lookup(self, path: str, line: int) -> Attestation | None:
        """The attestation of a line; a later entry wins over an earlier one, as git-ai reads."""
        for entry in reversed(self.files.get(path, ())):
            if entry.covers(line):
                return entry
        return None

    @property
    def attestations(self) -> list[Attestation]:
        """Every attestation of every file."""
        return [a for entries in self.files.values() for a in entries]


def parse_ranges(text: str, *, where: str, line: int) -> tuple[Range, ...]:
    """`1-4,9,12-20` as inclusive ranges."""
    out: list[Range] = []
    for part in text.split(","):
        if not part:
            continue
        first, sep, last = part.partition("-")
        try:
            a = int(first)
            b = int(last) if sep else a
        except ValueError:
            raise InputError(f"bad line range {part!r}", place=where, line=line) from None
        if a < 1 or b < a:
            raise InputError(f"bad line range {part!r}", place=where, line=line)
        out.append((a, b))
    if not out:
        raise InputError("attestation without line ranges", place=where, line=line)
    return tuple(out)


def _record(meta: dict[str, Any], table: str, key: str) -> dict[str, Any] | None:
    records = meta.get(table)
    if records is None:
        return None
    if not isinstance(records, dict):
        raise InputError(f"metadata field '{table}' is not an object", place=table)
    record = records.get(key)
    return record if isinstance(record, dict) else None


def _resolve(key: str, ranges: tuple[Range, ...], meta: dict[str, Any]) -> Attestation:
    if key.startswith("h_"):
        human = _record(meta, "humans", key)
        who = str(human.get("author")) if human and human.get("author") else None
        return Attestation(key, Origin.HUMAN, ranges, who=who)
    if key.startswith("s_"):
        record = _record(meta, "sessions", key.split("::", 1)[0])
    else:
        record = _record(meta, "prompts", key)
    agent = record.get("agent_id") if record else None
    agent = agent if isinstance(agent, dict) else {}
    tool = agent.get("tool")
    model = agent.get("model")
    return Attestation(
        key,
        Origin.AI,
        ranges,
        tool=str(tool) if tool else None,
        model=str(model) if model and model != "unknown" else None,
        who=str(record.get("human_author")) if record and record.get("human_author") else None,
    )


def parse_note(text: str, *, where: str = "note") -> AuthorshipNote:
    """Parse one note; InputError (with the note's line) when it is not a Git AI log."""
    lines = text.replace("\r\n", "\n").split("\n")
    try:
        divider = lines.index(DIVIDER)
    except ValueError:
        raise InputError("not a Git AI authorship log (no '---' line)", place=where) from None
    try:
        meta = json.loads("\n".join(lines[divider + 1 :]))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"metadata is not valid JSON: {exc.msg}", place=where, line=divider + 1 + exc.lineno
        ) from None
    if not isinstance(meta, dict):
        raise InputError("metadata is not a JSON object", place=where, line=divider + 2)
    version = meta.get("schema_version")
    if not isinstance(version, str) or not version.startswith(SCHEMA_PREFIX):
        raise InputError(
            f"unsupported schema_version {version!r} (reads authorship/3.x)",
            place=where,
            line=divider + 2,
        )
    note = AuthorshipNote(
        schema_version=version,
        base_commit_sha=str(meta.get("base_commit_sha") or ""),
        git_ai_version=str(meta["git_ai_version"]) if meta.get("git_ai_version") else None,
    )
    path: str | None = None
    for number, raw in enumerate(lines[:divider], start=1):
        line = raw.rstrip()
        if not line:
            continue
        if line.startswith("  "):
            if path is None:
                raise InputError("attestation before any file path", place=where, line=number)
            key, sep, spec = line[2:].partition(" ")
            if not sep or not key:
                raise InputError(f"bad attestation line {line!r}", place=where, line=number)
            ranges = parse_ranges(spec.strip(), where=where, line=number)
            try:
                entry = _resolve(key, ranges, meta)
            except InputError as exc:
                raise InputError(exc.message, place=where, line=divider + 2) from None
            if entry.origin is Origin.AI and entry.tool is None:
                note.unresolved.append(key)
            note.files.setdefault(path, []).append(entry)
        else:
            quoted = len(line) >= 2 and line[0] == '"' and line[-1] == '"'
            path = line[1:-1] if quoted else line
    return note
