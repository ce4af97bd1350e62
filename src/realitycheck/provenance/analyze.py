"""Provenance of a range: every commit judged, every changed line of head attributed.

The git work is batched: one `git log` for the commits, one `git notes list` and one
`git cat-file --batch` for the notes, one `git diff` for the changed lines, and one
`git blame --porcelain -L ...` per changed file (a few at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from realitycheck.core.config.provenance import ProvenanceConfig
from realitycheck.core.diff import FileDiff, FileStatus
from realitycheck.core.events import Events
from realitycheck.core.git import Git
from realitycheck.provenance.agent_trace import CommitShape, TraceRecord, read_traces, tie
from realitycheck.provenance.attribute import LineIndex, attribute_file
from realitycheck.provenance.blame import blame_files
from realitycheck.provenance.history import CommitRecord, commit_diffs, read_commits
from realitycheck.provenance.model import (
    CommitProvenance,
    FileProvenance,
    LineSpan,
    Origin,
    ProvenanceResult,
)
from realitycheck.provenance.notes import read_notes
from realitycheck.provenance.registry import load_registry
from realitycheck.provenance.signals import HumanRule
from realitycheck.provenance.verdicts import Judge


def analyze_range(
    git: Git,
    base: str | None,
    head: str,
    config: ProvenanceConfig,
    *,
    labels: Sequence[str] = (),
    events: Events | None = None,
) -> ProvenanceResult:
    """Who wrote each commit of base..head and each changed line of head (base None: the root)."""
    events = events or Events()
    head_sha = git.resolve(head)
    base_sha = git.resolve(base) if base is not None else None
    registry = load_registry(config)
    records = read_commits(git, base_sha, head_sha)
    warnings: list[str] = []
    notes: list[str] = []

    noteset = read_notes(git, config.notes_ref, records, recover=config.recover_rebased_notes)
    warnings += noteset.warnings
    traces = _load_traces(git, head_sha, config, warnings)
    shapes = [
        CommitShape(c.sha, c.parents[0] if c.parents else None, c.committed_at) for c in records
    ]
    untied = tie(traces, shapes, lambda shas: commit_diffs(git, shas))
    for reason, count in sorted(untied.items()):
        text = f"{count} Agent Trace record{'s' if count != 1 else ''} {reason}"
        (notes if "outside" in reason else warnings).append(text)

    index = LineIndex(
        notes=noteset.notes,
        trust_trace_human=config.trust_agent_trace_human,
        tool_name=lambda raw: registry.name_of(registry.tool_for(raw)),
    )
    by_commit: dict[str, list[TraceRecord]] = {}
    for record in traces:
        index.add_trace(record)
        if record.commit is not None:
            by_commit.setdefault(record.commit, []).append(record)
    judge = Judge(registry, HumanRule(config.human_identities), list(labels), config)
    commits = [
        judge.commit(
            c, noteset.notes.get(c.sha), noteset.recovered.get(c.sha), by_commit.get(c.sha, [])
        )
        for c in records
    ]
    table = {c.sha: c for c in commits}
    files = _attribute(git, base_sha, head_sha, config, table, index, records, warnings, events)
    notes += _range_notes(base_sha, head_sha, records, files, labels)
    if not records and any(f.unknown for f in files):
        warnings.append(
            "no commit of base..head leads to head's changes (head is not a descendant of "
            "base); the changed lines are unknown"
        )
    for warning in warnings:
        events.warning(f"provenance: {warning}")
    return ProvenanceResult(
        base=base_sha,
        head=head_sha,
        commits=commits,
        files=files,
        warnings=warnings,
        labels=list(labels),
        notes=notes,
        registry_version=registry.version,
    )


def _load_traces(
    git: Git, head: str, config: ProvenanceConfig, warnings: list[str]
) -> list[TraceRecord]:
    """Agent Trace records from head's tree and, when head is checked out, the work tree."""
    out: dict[str, TraceRecord] = {}
    checked_out = git.try_resolve("HEAD") == head
    for rel in config.agent_trace_files:
        sources: list[tuple[str, bytes | None]] = [(rel, git.show(head, rel))]
        if checked_out and (git.root / rel).is_file():
            sources.append((f"{rel} (work tree)", (git.root / Path(rel)).read_bytes()))
        for where, raw in sources:
            if raw is None:
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                warnings.append(f"{where}: not UTF-8 (byte {exc.start}); its records are ignored")
                continue
            records, problems = read_traces(text, source=where)
            warnings += problems
            for record in records:
                out.setdefault(record.id, record)
    return list(out.values())


def _attribute(
    git: Git,
    base: str | None,
    head: str,
    config: ProvenanceConfig,
    commits: dict[str, CommitProvenance],
    index: LineIndex,
    records: list[CommitRecord],
    warnings: list[str],
    events: Events,
) -> list[FileProvenance]:
    """Each changed file of base..head, its changed lines attributed."""
    diffs = git.diff(base, head)
    for path, blob in sorted(git.skipped.items()):
        warnings.append(
            f"{path}: skipped, git cannot read its blob {blob[:10]} (missing from the "
            "repository's objects; `git fsck` lists what else is damaged)"
        )
    special: dict[str, str] = {}
    requests: list[tuple[str, list[tuple[int, int]]]] = []
    for fd in diffs:
        word = _special(fd, config)
        if word is not None:
            special[fd.path] = word
        elif fd.added_lines:
            requests.append((fd.path, fd.changed_ranges))
    with events.task("blaming changed lines", total=len(requests)) as task:
        blamed, failed = blame_files(git, head, base, requests, on_done=task.advance)
    for path, why in failed.items():
        warnings.append(f"git blame failed for {path} ({why}); its changed lines are unknown")
    files: list[FileProvenance] = []
    for fd in diffs:
        if fd.path in special and special[fd.path].startswith("huge"):
            files.append(_huge(git, base, head, fd, commits, special[fd.path]))
            continue
        note = special.get(fd.path) or _rename_note(fd)
        if fd.binary or fd.submodule or fd.status is FileStatus.DELETED:
            files.append(attribute_file(_no_lines(fd), None, commits, index, note=note))
        else:
            files.append(attribute_file(fd, blamed.get(fd.path), commits, index, note=note))
    return files


def _special(fd: FileDiff, config: ProvenanceConfig) -> str | None:
    if fd.status is FileStatus.DELETED:
        return "deleted: no lines left in head"
    if fd.binary:
        return "binary file: no lines to attribute"
    if fd.submodule:
        return "submodule: its own commits are not attributed here"
    if len(fd.added_lines) > config.max_file_lines:
        return (
            f"huge: {len(fd.added_lines)} changed lines (more than max_file_lines "
            f"{config.max_file_lines}), not blamed"
        )
    return None


def _rename_note(fd: FileDiff) -> str | None:
    if fd.old_path and fd.status in (FileStatus.RENAMED, FileStatus.COPIED):
        word = "renamed" if fd.status is FileStatus.RENAMED else "copied"
        if not fd.added_lines:
            return f"{word} from {fd.old_path}, no line changed"
        return f"{word} from {fd.old_path}"
    if not fd.added_lines:
        return "no line added or changed (only removals or a mode change)"
    return None


def _no_lines(fd: FileDiff) -> FileDiff:
    return FileDiff(path=fd.path, old_path=fd.old_path, status=fd.status, binary=fd.binary)


def _huge(
    git: Git,
    base: str | None,
    head: str,
    fd: FileDiff,
    commits: dict[str, CommitProvenance],
    word: str,
) -> FileProvenance:
    """A file too big to blame: its lines take the one origin of the commits that touched it."""
    spec = head if base is None else f"{base}..{head}"
    touched = git.run("log", "--format=%H", spec, "--", fd.path).split()
    origins = {commits[s].default_origin for s in touched if s in commits}
    origin = origins.pop() if len(origins) == 1 else Origin.UNKNOWN
    ranges = fd.changed_ranges
    how = (
        f"{word}; every commit that touched it is {origin.value}"
        if origin is not Origin.UNKNOWN
        else f"{word}; the commits that touched it disagree, so its lines are unknown"
    )
    return FileProvenance(
        path=fd.path,
        old_path=fd.old_path,
        status=fd.status.value,
        binary=False,
        ai=ranges if origin is Origin.AI else [],
        human=ranges if origin is Origin.HUMAN else [],
        unknown=ranges if origin is Origin.UNKNOWN else [],
        note=how,
        spans=[
            LineSpan(start=a, end=b, origin=origin, source="commit", detail=how) for a, b in ranges
        ],
    )


def _range_notes(
    base: str | None,
    head: str,
    records: list[CommitRecord],
    files: list[FileProvenance],
    labels: Sequence[str],
) -> list[str]:
    out: list[str] = []
    if base is None:
        out.append("root: the range starts at the empty tree, so every line of head is new")
    if not records:
        same = base == head
        out.append(
            "empty range: base and head are the same commit (on the default branch itself? "
            "pass --base HEAD~1, or the branch the change will merge into)"
            if same
            else "empty range: no commit is reachable from head but not from base"
        )
    if labels:
        out.append("pull-request labels considered: " + ", ".join(labels))
    merges = sum(1 for c in records if c.is_merge)
    if merges:
        out.append(f"{merges} merge commit{'s' if merges != 1 else ''} in the range")
    return out
