"""Check a change: find boundary regions in head, intersect them with AI-written lines, and gate."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from realitycheck.boundaries.approvals import ApprovalSource
from realitycheck.boundaries.detectors import ChangedFile, Scope, registry, whole_file
from realitycheck.boundaries.gate import apply_approvals
from realitycheck.boundaries.model import (
    Approval,
    ApprovalState,
    BoundariesResult,
    BoundaryFinding,
    Policy,
    Region,
)
from realitycheck.boundaries.owners import (
    DeclaredRule,
    declared_rules,
    load_codeowners,
    owners_for,
    winning_rule,
)
from realitycheck.boundaries.snapshot import Snapshot
from realitycheck.boundaries.unknown import unknown_setting
from realitycheck.core.config.boundaries import BoundariesConfig
from realitycheck.core.events import Events
from realitycheck.core.git import Git
from realitycheck.core.ranges import count, expand, intersect, merge
from realitycheck.provenance.model import ProvenanceResult

STRICTNESS = {Policy.ALLOWED: 0, Policy.REQUIRES_APPROVAL: 1, Policy.FORBIDDEN: 2}
ORDER = ("routes", "contracts", "migrations", "public_api", "io_errors", "ci_config")
MAX_REASONS = 4


def changed_files(provenance: ProvenanceResult) -> list[ChangedFile]:
    """The text files head adds or modifies, with every changed line, from provenance."""
    out: list[ChangedFile] = []
    for f in provenance.files:
        lines = merge([*f.ai, *f.human, *f.unknown])
        if lines and not f.binary and f.status != "deleted":
            out.append(ChangedFile(f.path, f.old_path, tuple(lines)))
    return out


def find_regions(
    scope: Scope, config: BoundariesConfig, rules: list[DeclaredRule]
) -> tuple[list[tuple[Region, Policy]], list[str]]:
    """Every boundary region in the changed files with its policy, and the detectors run."""
    exempt: set[str] = set()
    found: list[tuple[Region, Policy]] = []
    for changed in scope.files:
        rule = winning_rule(rules, changed.path)
        if rule is None:
            continue
        if rule.policy is Policy.ALLOWED:
            exempt.add(changed.path)  # an explicit allow silences the detectors too
            continue
        region = whole_file(scope, changed.path, rule.name, rule.reason)
        found.append((region.model_copy(update={"declared": True}), rule.policy))
    ran: list[str] = []
    for name, detect in registry().items():
        setting = config.detectors.setting(name)
        if setting is False:
            continue
        ran.append(name)
        policy = Policy(setting) if isinstance(setting, str) else Policy(config.policy)
        if policy is Policy.ALLOWED:
            continue
        with scope.events.task(f"boundaries: {name}"):
            found += [(r, policy) for r in detect(scope) if r.path not in exempt]
    return found, ran


def check_change(
    git: Git,
    base: str | None,
    head: str,
    config: BoundariesConfig,
    provenance: ProvenanceResult,
    *,
    source: ApprovalSource | None = None,
    no_source: str = "no approval source",
    config_source: Path | None = None,
    events: Events | None = None,
) -> BoundariesResult:
    """The boundaries AI-written (or unknown) lines of base..head touch, with their approvals."""
    events = events or Events()
    rules = declared_rules(config, config_source)
    files = changed_files(provenance)
    head_snap, base_snap = Snapshot(git, head), Snapshot(git, base)
    head_snap.load(f.path for f in files)
    base_snap.load(f.old_path or f.path for f in files if f.path.endswith(".py"))
    codeowners, info = load_codeowners(config, base_snap, head_snap)
    result = BoundariesResult(
        base=base, head=head, unknown_lines=config.unknown_lines, codeowners=info
    )
    if info is not None:
        result.warnings += info.warnings
    scope = Scope(head=head_snap, base=base_snap, files=files, events=events)
    regions, result.detectors = find_regions(scope, config, rules)
    result.regions = len(regions)
    drafts: dict[tuple[str, str, tuple[tuple[int, int], ...]], list[tuple[Region, Policy]]]
    drafts = defaultdict(list)
    human: dict[str, set[int]] = defaultdict(set)
    for region, policy in regions:
        prov = provenance.file(region.path)
        if prov is None:
            continue
        human[region.path] |= expand(intersect(region.lines, prov.human))
        for origin, lines in (("ai", prov.ai), ("unknown", prov.unknown)):
            if origin == "unknown" and unknown_setting(config, region.path)[0] == "ignore":
                continue
            hit = intersect(region.lines, lines)
            if hit:
                drafts[(region.path, origin, tuple(hit))].append((region, policy))
    result.human_lines = sum(len(v) for v in human.values())
    for (path, origin, hit_lines), hits in sorted(drafts.items()):
        rule = winning_rule(rules, path)
        owners, owners_from = owners_for(path, rule, codeowners)
        result.findings.append(_finding(path, origin, [*hit_lines], hits, owners, owners_from))
    result.findings = _drop_covered(result.findings)
    approval_error = apply_approvals(
        result.findings,
        git=git,
        head=head,
        source=source,
        no_source=no_source,
        unowned=config.unowned,
        unknown_lines=lambda path: unknown_setting(config, path),
    )
    result.approval_source = source.description if source is not None else None
    result.approval_error = approval_error
    if source is None and any(f.approval.state is ApprovalState.MISSING for f in result.findings):
        result.approval_note = no_source
    return result


def _rank(region: Region) -> int:
    return -1 if region.declared else ORDER.index(region.rule) if region.rule in ORDER else 99


def _finding(
    path: str,
    origin: str,
    lines: list[tuple[int, int]],
    hits: list[tuple[Region, Policy]],
    owners: list[str],
    owners_from: str | None,
) -> BoundaryFinding:
    hits = sorted(hits, key=lambda h: (_rank(h[0]), h[0].symbol or ""))
    first = hits[0][0]
    policy = max((p for _, p in hits), key=lambda p: STRICTNESS[p])
    reasons = list(dict.fromkeys(r.reason for r, _ in hits))
    if len(reasons) > MAX_REASONS:
        reasons = [*reasons[:MAX_REASONS], f"and {len(reasons) - MAX_REASONS} more reasons"]
    also = list(dict.fromkeys(r.rule for r, _ in hits if r.rule != first.rule))
    return BoundaryFinding(
        rule=first.rule,
        declared=first.declared,
        path=path,
        lines=lines,
        origin=origin,
        policy=policy,
        owners=owners,
        owners_from=owners_from,
        symbol=first.symbol,
        reasons=reasons,
        also=also,
        approval=Approval(state=ApprovalState.NOT_NEEDED),
    )


def _drop_covered(findings: list[BoundaryFinding]) -> list[BoundaryFinding]:
    """Leave out a finding whose lines another finding of the same file and origin contains
    with at least as strict a policy, folding its reasons into that one."""
    kept: list[BoundaryFinding] = []
    for f in sorted(findings, key=lambda f: -count(f.lines)):
        wider = next(
            (
                k
                for k in kept
                if k.path == f.path
                and k.origin == f.origin
                and STRICTNESS[k.policy] >= STRICTNESS[f.policy]
                and expand(f.lines) <= expand(k.lines)
            ),
            None,
        )
        if wider is None:
            kept.append(f)
            continue
        for reason in f.reasons:
            if reason not in wider.reasons and len(wider.reasons) < MAX_REASONS + 2:
                wider.reasons.append(reason)
        if f.rule != wider.rule and f.rule not in wider.also:
            wider.also.append(f.rule)
    return sorted(kept, key=lambda f: (f.path, f.lines, f.origin))
