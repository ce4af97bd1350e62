"""Commit-wide evidence: identities, trailers, message lines, labels and configured humans."""

from __future__ import annotations

import re
from collections.abc import Sequence

from realitycheck.core.config.provenance import ProvenanceConfig, Role
from realitycheck.provenance.history import CommitRecord, Identity
from realitycheck.provenance.model import Evidence, Origin
from realitycheck.provenance.registry import Hit, Registry

HUMAN_CONFIDENCE = 0.9


def _glob(pattern: str) -> re.Pattern[str]:
    body = re.escape(pattern.strip().lower()).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(f"^{body}$", re.IGNORECASE)


class HumanRule:
    """`provenance.human_identities`: emails, `Name <email>` entries, email globs or name globs."""

    def __init__(self, entries: Sequence[str]) -> None:
        self.entries: list[tuple[str, str, re.Pattern[str]]] = []
        for entry in entries:
            who = Identity.parse(entry)
            if who is not None and who.email:
                self.entries.append((entry, "email", _glob(who.email)))
            elif "@" in entry:
                self.entries.append((entry, "email", _glob(entry)))
            else:
                self.entries.append((entry, "name", _glob(entry)))

    def match(self, who: Identity) -> str | None:
        """The configured entry an identity matches, or None."""
        for entry, field, pattern in self.entries:
            text = who.email if field == "email" else who.name
            if text and pattern.match(text.strip()):
                return entry
        return None


def _identity_evidence(
    registry: Registry, who: Identity, role: Role, line: str | None
) -> list[Evidence]:
    hits = registry.match_identity(who, role)
    out: list[Evidence] = []
    for hit in hits:
        out.append(_from_hit(registry, hit, who=who, role=role, line=line))
    if not hits and role != "co-author" and who.is_bot:
        out.append(
            Evidence(
                source="identity",
                detail=f"{role} {who} is an automation bot, not a known coding agent",
                origin=Origin.UNKNOWN,
                confidence=0.0,
            )
        )
    return out


def _name_strength(confidence: float, tool: str) -> str:
    """How much an author name alone says, in words that match its confidence."""
    if confidence >= 0.8:
        return f"the name marks {tool}'s commits"
    if confidence >= 0.5:
        return f"the name suggests {tool} (the email is not the tool's)"
    return f"the name looks like {tool} (only a hint: the email is not the tool's)"


def _from_hit(
    registry: Registry, hit: Hit, *, who: Identity | None, role: Role | None, line: str | None
) -> Evidence:
    marker = hit.marker
    tool = registry.name_of(hit.tool)
    if line is not None:
        detail, source = line, "trailer"
    elif who is not None:
        detail, source = f"{role} {who}", "identity"
    elif marker.kind == "subject":
        detail, source = f"the subject starts with '{marker.match.strip()}'", "message"
    else:
        detail, source = f"the message says '{marker.match}'", "message"
    if marker.kind == "name":
        detail += f" — {_name_strength(marker.confidence, tool)}"
        if marker.note:
            detail += f" ({marker.note})"
    elif marker.kind == "bot":
        detail += f" — {tool} (GitHub bot {marker.match})"
    else:
        detail += f" — {tool}"
    if hit.from_config:
        detail += " (marker from configuration)"
    return Evidence(
        source=source, detail=detail, origin=Origin.AI, tool=hit.tool, confidence=marker.confidence
    )


def commit_evidence(
    commit: CommitRecord,
    registry: Registry,
    humans: HumanRule,
    labels: Sequence[str],
    config: ProvenanceConfig,
) -> list[Evidence]:
    """Everything the commit itself, the labels and the configuration say about its author."""
    out = _identity_evidence(registry, commit.author, "author", None)
    if commit.committer != commit.author:
        out += _identity_evidence(registry, commit.committer, "committer", None)
    co_lines = set()
    for trailer, who in commit.co_authors:
        co_lines.add(trailer.line)
        out += _identity_evidence(registry, who, "co-author", trailer.line)
    for trailer in commit.trailers:
        if trailer.line in co_lines:
            continue
        for hit in registry.match_trailer(trailer.key, trailer.value):
            out.append(_from_hit(registry, hit, who=None, role=None, line=trailer.line))
    for hit in registry.match_message(commit.message):
        out.append(_from_hit(registry, hit, who=None, role=None, line=None))
    wanted = {label.lower() for label in config.ai_labels}
    for label in labels:
        if label.lower() in wanted:
            out.append(
                Evidence(
                    source="label",
                    detail=f"the pull request is labelled '{label}'",
                    origin=Origin.AI,
                    confidence=config.label_confidence,
                )
            )
    entry = humans.match(commit.author)
    if entry is not None:
        out.append(
            Evidence(
                source="config",
                detail=f"author {commit.author} is listed in provenance.human_identities",
                origin=Origin.HUMAN,
                confidence=HUMAN_CONFIDENCE,
            )
        )
    return _dedupe(out)


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, str]] = set()
    out: list[Evidence] = []
    for item in evidence:
        key = (item.source, item.detail)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
