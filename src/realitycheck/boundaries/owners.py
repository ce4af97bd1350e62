"""Who owns a file: the declared rule that matches it last, then CODEOWNERS from the base."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from realitycheck.boundaries.codeowners import LOCATIONS, Codeowners, parse, too_large
from realitycheck.boundaries.model import CodeownersFile, Policy
from realitycheck.boundaries.patterns import PathPattern
from realitycheck.boundaries.snapshot import Snapshot
from realitycheck.core.config.boundaries import BoundariesConfig
from realitycheck.core.errors import InputError


@dataclass(frozen=True)
class DeclaredRule:
    """A `[[boundaries.rules]]` entry with its patterns compiled."""

    name: str
    patterns: tuple[PathPattern, ...]
    owners: tuple[str, ...]
    policy: Policy
    reason: str

    def matches(self, path: str) -> bool:
        """Whether any of the rule's patterns covers the file."""
        return any(p.matches(path) for p in self.patterns)


def declared_rules(config: BoundariesConfig, source: Path | None) -> list[DeclaredRule]:
    """The configured rules with their patterns compiled (the configuration checked them)."""
    rules: list[DeclaredRule] = []
    where = str(source) if source is not None else "the configuration"
    for rule in config.rules:
        rules.append(
            DeclaredRule(
                name=rule.name,
                patterns=tuple(PathPattern(p) for p in rule.paths),
                owners=tuple(rule.owners),
                policy=Policy(rule.policy),
                reason=rule.reason or f"declared boundary '{rule.name}' in {where}",
            )
        )
    return rules


def winning_rule(rules: list[DeclaredRule], path: str) -> DeclaredRule | None:
    """The last declared rule that matches a file (the last match wins, as in CODEOWNERS)."""
    for rule in reversed(rules):
        if rule.matches(path):
            return rule
    return None


def load_codeowners(
    config: BoundariesConfig, base: Snapshot, head: Snapshot
) -> tuple[Codeowners | None, CodeownersFile | None]:
    """CODEOWNERS as GitHub uses it: from the base revision (head when there is no base)."""
    if config.codeowners is False:
        return None, None
    snap = base if base.rev is not None else head
    if isinstance(config.codeowners, str):
        path = config.codeowners
        text = snap.text(path)
        if text is None:
            raise InputError(
                f"the CODEOWNERS file named by boundaries.codeowners does not exist at "
                f"{(snap.rev or '')[:10]}",
                path=path,
                hint="it is read from the base revision, as GitHub does",
            )
        candidates = [(path, text)]
    else:
        snap.load(LOCATIONS)
        candidates = [(p, t) for p in LOCATIONS if (t := snap.text(p)) is not None]
    if not candidates:
        return None, None
    path, text = candidates[0]
    info = CodeownersFile(path=path, revision=snap.rev)
    if too_large(len(text.encode("utf-8"))):
        info.warnings.append(f"{path}: over 3 MB; GitHub does not load it, and neither do we")
        return None, info
    parsed = parse(text, path)
    info.rules = len(parsed.entries)
    info.warnings += parsed.warnings
    for other, _ in candidates[1:]:
        info.warnings.append(f"{other} is not used: GitHub reads {path} first")
    return parsed, info


def owners_for(
    path: str, rule: DeclaredRule | None, codeowners: Codeowners | None
) -> tuple[list[str], str | None]:
    """A file's owners and where they come from: the declared rule, then CODEOWNERS."""
    if rule is not None and rule.owners:
        return list(rule.owners), f"boundary rule '{rule.name}'"
    if codeowners is not None:
        entry = codeowners.match(path)
        if entry is not None:
            return list(entry.owners), f"{codeowners.path}:{entry.line}"
    return [], None
