"""The fast checks the pre-commit hooks run, on the commit as it is about to be made.

A `commit-msg` hook knows the staged tree and the message, but the commit does not exist yet.
`staged_commit` writes it as a dangling commit object (`git write-tree`, `git commit-tree` with
the message and the configured author, parent HEAD): the same object git is about to create,
so provenance reads the real trailers and identity, and nothing is moved, staged or committed.
The change is that commit and, on a branch, the branch's commits since the default branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from realitycheck.assumptions.ledger import change_ledger_files, load_change_ledger
from realitycheck.core.config import Config
from realitycheck.core.errors import InputError, RevisionError
from realitycheck.core.git import Git
from realitycheck.core.report import Report
from realitycheck.pipeline import VerifyOptions, verify
from realitycheck.pipeline.registry import registered_stages
from realitycheck.pipeline.run import resolve_change
from realitycheck.provenance.analyze import analyze_range


@dataclass(frozen=True)
class Change:
    """The commit about to be made (a dangling object), and the base it is compared with."""

    base: str | None
    head: str


def staged_commit(git: Git, message_file: Path) -> str:
    """The commit `git commit` is about to create, written as a dangling object."""
    try:
        raw = message_file.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the commit message: {exc.strerror}", path=message_file
        ) from None
    message = git.run("stripspace", "--strip-comments", input=raw)
    tree = git.run("write-tree").strip()
    parent = git.try_resolve("HEAD^{commit}")
    args = ["commit-tree", tree, *(["-p", parent] if parent else [])]
    return git.run(*args, input=message.encode()).strip()


def change_for(git: Git, config: Config, head: str) -> Change:
    """Base: the merge-base with the default branch; on it (or without one), the parent."""
    parent = git.try_resolve(f"{head}^")
    try:
        base, _, _ = resolve_change(git, config, None, head)
    except RevisionError:
        return Change(parent, head)
    if base == head:
        return Change(parent, head)
    return Change(base, head)


@dataclass
class LedgerCheck:
    """Whether an AI change carries its ledger, and what to say about it."""

    ok: bool
    lines: list[str] = field(default_factory=list)


def check_ledger(git: Git, config: Config, change: Change) -> LedgerCheck:
    """An AI-written change above the configured share must add or modify a valid ledger."""
    provenance = analyze_range(git, change.base, change.head, config.provenance)
    share = provenance.ai_line_share
    files = change_ledger_files(git, change.base, change.head)
    ledger = load_change_ledger(git, change.base, change.head)  # a malformed ledger raises
    needed = share > config.assumptions.require_ledger_above
    said = f"a model wrote {share:.0%} of the changed lines"
    if ledger is not None:
        count = len(ledger.assumptions)
        return LedgerCheck(True, [f"{said}; the ledger ({', '.join(files)}) declares {count}"])
    if not needed:
        limit = config.assumptions.require_ledger_above
        return LedgerCheck(True, [f"{said} (at most {limit:.0%}): no ledger needed"])
    blocking = config.assumptions.missing_ledger == "fail"
    lines = [
        f"{said}, and the change carries no assumption ledger",
        "  add one under .realitycheck/assumptions/ (start with `realitycheck assumptions "
        "init`), stage it, and commit again",
    ]
    if not blocking:
        lines.append(f"  (assumptions.missing_ledger = {config.assumptions.missing_ledger!r})")
    return LedgerCheck(not blocking, lines)


def check_boundaries(root: Path, config_path: Path | None, change: Change) -> Report:
    """Provenance and boundaries of the change; AI-written lines in a boundary fail it."""
    options = VerifyOptions(
        repo=root, base=change.base or "EMPTY", head=change.head, config_path=config_path
    )
    stages = [s for s in registered_stages() if s.name in ("provenance", "boundaries")]
    return verify(options, stages=stages)
