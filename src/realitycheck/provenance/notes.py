"""Git AI notes of the range: listed once, read in one `git cat-file --batch`, parsed.

A rebase, an amend or a cherry-pick gives a commit a new id, and git copies its notes only when
`notes.rewriteRef` says so. A note left on the old commit is found again when that commit has
the same author, the same author time and the same patch (`git patch-id --stable`) as a commit of
the range; such a note counts for the whole commit, since its line numbers belong to the old one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from realitycheck.core.errors import GitError, InputError
from realitycheck.core.git import Git
from realitycheck.provenance.gitai import AuthorshipNote, parse_note
from realitycheck.provenance.history import CommitRecord, patch_ids, read_some


@dataclass
class NoteSet:
    """The notes found for the commits of a range."""

    notes: dict[str, AuthorshipNote] = field(default_factory=dict)
    recovered: dict[str, tuple[str, AuthorshipNote]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def list_notes(git: Git, ref: str) -> dict[str, str]:
    """Every annotated commit under a notes ref, mapped to its note's blob id."""
    try:
        listing = git.run("notes", f"--ref={ref}", "list")
    except GitError:
        return {}
    out: dict[str, str] = {}
    for row in listing.splitlines():
        blob, _, commit = row.partition(" ")
        if commit:
            out[commit.strip()] = blob.strip()
    return out


def _parse(
    git: Git, pairs: Sequence[tuple[str, str]], warnings: list[str]
) -> dict[str, AuthorshipNote]:
    out: dict[str, AuthorshipNote] = {}
    texts = git.cat_blobs([blob for _, blob in pairs])
    for (sha, _), text in zip(pairs, texts, strict=True):
        try:
            out[sha] = parse_note(text, where=f"git-ai note on {sha[:10]}")
        except InputError as exc:
            line = f", line {exc.line}" if exc.line else ""
            warnings.append(f"{exc.place}{line}: {exc.message}; that note's evidence is ignored")
    return out


def read_notes(
    git: Git, ref: str, commits: Sequence[CommitRecord], *, recover: bool = True
) -> NoteSet:
    """The parsed notes of the range's commits, and notes recovered across history rewrites."""
    result = NoteSet()
    listing = list_notes(git, ref)
    if not listing:
        return result
    in_range = {c.sha for c in commits}
    wanted = [(c.sha, listing[c.sha]) for c in commits if c.sha in listing]
    result.notes = _parse(git, wanted, result.warnings)
    missing = [c for c in commits if c.sha not in listing]
    outside = [sha for sha in listing if sha not in in_range]
    if not (recover and missing and outside):
        return result
    for new, old in match_rewritten(git, missing, outside).items():
        parsed = _parse(git, [(old, listing[old])], result.warnings)
        if old in parsed:
            result.recovered[new] = (old, parsed[old])
    return result


def match_rewritten(git: Git, commits: Sequence[CommitRecord], others: list[str]) -> dict[str, str]:
    """Commits of the range that are a rewrite of one of `others` (same author, time, patch)."""
    by_key: dict[tuple[str, int], list[str]] = {}
    for old in read_some(git, others):
        by_key.setdefault((old.author.email.lower(), old.authored_at), []).append(old.sha)
    pairs = {
        c.sha: by_key[key]
        for c in commits
        if (key := (c.author.email.lower(), c.authored_at)) in by_key
    }
    if not pairs:
        return {}
    ids = patch_ids(git, sorted({*pairs, *(s for olds in pairs.values() for s in olds)}))
    out: dict[str, str] = {}
    for new, olds in pairs.items():
        match = next(
            (o for o in olds if o != new and ids.get(o) and ids.get(o) == ids.get(new)), None
        )
        if match is not None:
            out[new] = match
    return out
