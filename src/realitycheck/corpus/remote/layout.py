"""Which remote segments are live: shipped segments, plus compaction outputs, minus replaced ones.

A remote corpus is a set of objects that are written once and never changed:

    corpus.json                          {"format_version": 1}
    segments/seg-<time>-<rand>.parquet   shipped by capture or `corpus push`, one PUT each
    compacted/seg-<time>-<rand>.parquet  outputs of `corpus compact` (and of imports), invisible
                                         until a commit names them
    commits/cmt-<time>-<rand>.json       {"outputs": [...], "replaces": [...]}: one PUT makes a
                                         compaction, a prune or an import visible, all at once
    blobs/sha256/<2 hex>/<62 hex>        content-addressed bytes

Nothing is ever overwritten with other content and no object is shared by two writers, so two
writers never clobber each other. Commits are read in name order; a commit is accepted only if
everything it replaces is live at that point (a shipped segment, or an output of an accepted
commit, not already replaced) and its outputs are new. Two compactors racing over the same
segments therefore cannot both count them: the later commit is rejected, and removed (with its
outputs) by the next maintenance run. A reader lists `segments/` first and `commits/` second, so
it sees either the set before a commit or the set after it, never both nor neither; replaced
objects are deleted only after a grace period, so a reader that listed them can still read them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEGMENTS = "segments"
COMPACTED = "compacted"
COMMITS = "commits"
BLOBS = "blobs"
META = "corpus.json"


@dataclass(frozen=True)
class Commit:
    """One commit record: objects that appear, and objects that disappear, together."""

    name: str
    outputs: tuple[str, ...]
    replaces: tuple[str, ...]
    at: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The record as stored."""
        return {"outputs": list(self.outputs), "replaces": list(self.replaces), "at": self.at}


@dataclass
class Resolution:
    """The live set, and what maintenance may clean up."""

    live: list[str]
    accepted: list[Commit] = field(default_factory=list)
    rejected: list[Commit] = field(default_factory=list)
    replaced: dict[str, float] = field(default_factory=dict)  # key -> when its commit was made


def resolve(segments: Iterable[str], commits: Iterable[Commit]) -> Resolution:
    """The live segment keys (relative to the corpus root), oldest first."""
    outputs: set[str] = set()
    replaced: dict[str, float] = {}
    accepted: list[Commit] = []
    rejected: list[Commit] = []
    for commit in sorted(commits, key=lambda c: c.name):
        sources_live = all(
            (key.startswith(SEGMENTS + "/") or key in outputs) and key not in replaced
            for key in commit.replaces
        )
        outputs_new = all(
            key.startswith(COMPACTED + "/") and key not in outputs and key not in replaced
            for key in commit.outputs
        )
        if sources_live and outputs_new and len(set(commit.outputs)) == len(commit.outputs):
            accepted.append(commit)
            outputs.update(commit.outputs)
            replaced.update(dict.fromkeys(commit.replaces, commit.at))
        else:
            rejected.append(commit)
    live = (set(segments) | outputs) - replaced.keys()
    return Resolution(sorted(live, key=_age), accepted, rejected, replaced)


def _age(key: str) -> tuple[str, str]:
    """Segments sort by their time stamp, wherever they live."""
    name = key.rsplit("/", 1)[-1]
    return name, key


def parse_commit(name: str, data: Any) -> Commit | None:
    """A commit record as read; None when it is not one (ignored, never half-trusted)."""
    if not isinstance(data, dict):
        return None
    outputs, replaces = data.get("outputs"), data.get("replaces")
    if not isinstance(outputs, list) or not isinstance(replaces, list):
        return None
    if not all(isinstance(k, str) for k in [*outputs, *replaces]):
        return None
    at = data.get("at")
    return Commit(
        name, tuple(outputs), tuple(replaces), float(at) if isinstance(at, (int, float)) else 0.0
    )


def local_live(root: Path) -> list[Path]:
    """The live segments of a local folder that `corpus compact` or `prune` maintained.

    A local folder is the same layout as a `file://` corpus; once it has commits, its readers
    must honour them too (or they would count a compacted sample twice).
    """
    segments = [f"{SEGMENTS}/{p.name}" for p in sorted((root / SEGMENTS).glob("seg-*.parquet"))]
    commits = []
    for path in sorted((root / COMMITS).glob("cmt-*.json")):
        try:
            commit = parse_commit(f"{COMMITS}/{path.name}", json.loads(path.read_bytes()))
        except (OSError, ValueError):
            continue
        if commit is not None:
            commits.append(commit)
    return [root / key for key in resolve(segments, commits).live]
