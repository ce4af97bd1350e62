"""Ledger files written but not committed: read when the head is the checkout, named otherwise."""

from __future__ import annotations

from realitycheck.assumptions.ledger import LEDGER_DIR, LEDGER_SUFFIXES, parse_ledger
from realitycheck.assumptions.model import Ledger
from realitycheck.core.errors import GitError, InputError
from realitycheck.core.git import Git

UNCOMMITTED = "(working tree, not committed)"


def uncommitted_ledger_files(git: Git) -> list[str]:
    """Ledger files under .realitycheck/assumptions/ that are new or changed since HEAD."""
    try:
        out = git.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", LEDGER_DIR)
    except GitError:
        return []
    paths: list[str] = []
    for entry in out.split("\0"):
        status, path = entry[:2], entry[3:]
        if not path or "D" in status or not path.endswith(LEDGER_SUFFIXES):
            continue
        if path.startswith(LEDGER_DIR + "/"):
            paths.append(path)
    return sorted(paths)


def worktree_ledgers(git: Git) -> list[Ledger]:
    """The uncommitted ledger files, parsed from disk; each names itself as not committed."""
    ledgers: list[Ledger] = []
    for rel in uncommitted_ledger_files(git):
        try:
            text = (git.root / rel).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError("the ledger is not UTF-8 text", path=rel) from None
        except OSError:
            continue
        ledger = parse_ledger(text, source=rel)
        ledger.source = f"{rel} {UNCOMMITTED}"
        ledgers.append(ledger)
    return ledgers
