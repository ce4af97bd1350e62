"""The body of `verify`. Stages come from the registry; nothing here names a capability."""

from __future__ import annotations

from realitycheck import __version__
from realitycheck.core.config import Config, load_config
from realitycheck.core.errors import RealityCheckError, RevisionError
from realitycheck.core.events import Events
from realitycheck.core.git import Git
from realitycheck.core.report import (
    Change,
    Reason,
    Report,
    StageReport,
    StageStatus,
    Verdict,
)
from realitycheck.pipeline.context import Context, VerifyOptions
from realitycheck.pipeline.registry import registered_stages
from realitycheck.pipeline.stage import Skip, Stage

EMPTY_BASES = {"", "empty", "EMPTY", "root", "ROOT"}
AI_CHANGE_KEY = "ai_change"  # a stage that knows whether the change is AI-written sets this


def resolve_change(
    git: Git, config: Config, base: str | None, head: str, events: Events | None = None
) -> tuple[str | None, str | None, str]:
    """Resolve (base sha or None for the empty tree, base ref, head sha)."""
    head_sha = git.resolve(head)
    if base is not None and (base in EMPTY_BASES or base == git.empty_tree):
        return None, "(empty tree)", head_sha
    if base is not None:
        return git.resolve(base), base, head_sha
    branch = config.default_branch or git.default_branch()
    if branch is None:
        raise RevisionError(
            "no default branch to compare with",
            path=git.root,
            hint="pass --base REV or set default_branch in realitycheck.toml",
        )
    branch_sha = git.resolve(branch)
    merge_base = git.merge_base(branch_sha, head_sha)
    if merge_base is None:
        raise RevisionError(
            f"{head} and {branch} share no history", path=git.root, hint="pass --base REV"
        )
    return merge_base, f"merge-base({branch}, {head})", head_sha


def build_context(options: VerifyOptions, events: Events | None = None) -> Context:
    """Open the repository, load the configuration and resolve the range."""
    events = events or Events()
    git = Git(options.repo)
    config = load_config(options.config_path, start=options.repo, stop=git.root)
    base, base_ref, head = resolve_change(git, config, options.base, options.head, events)
    return Context(
        git=git,
        config=config,
        options=options,
        base=base,
        head=head,
        base_ref=base_ref,
        head_ref=options.head,
        commits=git.commits(base, head),
        events=events,
    )


def _wanted(stage: Stage, config: Config) -> str | None:
    """None when the policy asks for the stage, else why it is skipped."""
    policy = config.policy
    if stage.name in policy.skip:
        return "turned off by policy.skip"
    if policy.stages is not None and stage.name not in policy.stages:
        return "not listed in policy.stages"
    return None


def run_stages(ctx: Context, stages: list[Stage] | None = None) -> list[StageReport]:
    """Run each wanted stage in order; every stage ends as ran, skipped (why) or error (why)."""
    reports = ctx.reports
    known = {s.name for s in stages or registered_stages()}
    for name in ctx.config.policy.stages or []:
        if name not in known:
            raise RealityCheckError(
                f"policy.stages names an unknown stage '{name}'",
                path=ctx.config.source,
                hint=f"known stages: {', '.join(sorted(known))}",
            )
    for stage in stages or registered_stages():
        why = _wanted(stage, ctx.config)
        if why is not None:
            reports.append(StageReport.skipped(stage.name, stage.title, why))
            continue
        try:
            outcome = stage.run(ctx)
        except Skip as skip:
            reports.append(StageReport.skipped(stage.name, stage.title, skip.why))
            continue
        except RealityCheckError as exc:
            if ctx.options.debug:
                raise
            reports.append(StageReport.errored(stage.name, stage.title, str(exc)))
            continue
        except Exception as exc:  # a stage's bug must not hide the other stages' results
            if ctx.options.debug:
                raise
            why = f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)"
            reports.append(StageReport.errored(stage.name, stage.title, why))
            continue
        if outcome.result is not None:
            ctx.results[stage.name] = outcome.result
        reports.append(outcome.report)
    return reports


def decide(ctx: Context, reports: list[StageReport]) -> tuple[Verdict, list[Reason]]:
    """The verdict: failures fail; a required stage that did not run fails an AI change.

    A stage whose evidence falls short (no real input exercised the change) is never a pass:
    under `fail_closed` it fails an AI change, otherwise the verdict is `error`.
    """
    reasons = [r for s in reports for r in s.failures]
    ai_change = ctx.results.get(AI_CHANGE_KEY, True)  # unknown provenance counts as AI
    policy = ctx.config.policy
    closed = bool(ai_change and policy.fail_closed)
    for s in reports:
        missing = s.name in policy.required and s.status is not StageStatus.RAN
        if missing and closed:
            reasons.append(
                Reason(
                    check=s.name,
                    message=f"required stage '{s.name}' did not run ({s.reason}); "
                    "an AI change cannot pass without it",
                )
            )
    short = [
        Reason(check=r.check, message=f"insufficient evidence: {r.message}")
        for s in reports
        if s.status is StageStatus.RAN
        for r in s.insufficient
    ]
    if closed:
        reasons += short
    if reasons:
        return Verdict.FAIL, reasons
    if short or any(s.status is StageStatus.ERROR for s in reports):
        return Verdict.ERROR, short
    return Verdict.PASS, reasons


def verify(
    options: VerifyOptions, events: Events | None = None, stages: list[Stage] | None = None
) -> Report:
    """Run the whole verification path over one change and return its report."""
    ctx = build_context(options, events)
    reports = run_stages(ctx, stages)
    verdict, reasons = decide(ctx, reports)
    warnings = [w for s in reports for w in s.warnings]
    return Report(
        tool_version=__version__,
        verdict=verdict,
        reasons=reasons,
        change=Change(
            repo=str(ctx.git.root),
            base=ctx.base,
            head=ctx.head,
            base_ref=ctx.base_ref,
            head_ref=ctx.head_ref,
            commits=len(ctx.commits),
        ),
        stages=reports,
        warnings=warnings,
    )
