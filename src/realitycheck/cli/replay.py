"""`realitycheck replay`: recorded inputs through two revisions (or two services), compared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from realitycheck import __version__
from realitycheck.cli.main import EXIT_ERROR, EXIT_FAIL, EXIT_PASS
from realitycheck.cli.options import Common, change_options, common_options
from realitycheck.cli.output import emit_json, emit_report
from realitycheck.cli.progress import ConsoleEvents
from realitycheck.core.config import Config
from realitycheck.core.errors import ConfigError, CorpusError, RealityCheckError
from realitycheck.core.git import Git
from realitycheck.core.report import (
    SCHEMA_VERSION,
    Change,
    Reason,
    Report,
    StageReport,
    StageStatus,
    Verdict,
)
from realitycheck.pipeline import resolve_change
from realitycheck.replay import environment
from realitycheck.replay.change import ChangeReplay, NothingToReplay, corpus_or_error, replay_change
from realitycheck.replay.http import Endpoints, check_url, settings_for
from realitycheck.replay.model import ReplayResult
from realitycheck.replay.present import present
from realitycheck.replay.sender import replay_http
from realitycheck.replay.sufficiency import assess
from realitycheck.replay.targets import HTTP, function_name, http_targets

FORMATS = ["text", "markdown", "json"]


def _format_options(func: Any) -> Any:
    func = click.option(
        "--output",
        "-o",
        type=click.Path(path_type=Path),
        default=None,
        help="Write the report to this file instead of standard output.",
    )(func)
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="Report format.",
    )(func)


def _emit(
    result: ReplayResult,
    change: Change,
    fmt: str,
    output: Path | None,
    fail_on: str,
    fail_closed: bool = True,
) -> int:
    parts = present(result, fail_on)
    reasons = list(parts.failures)
    short = [
        Reason(check=r.check, message=f"insufficient evidence: {r.message}")
        for r in parts.insufficient
    ]
    if parts.failures or (short and fail_closed):  # unknown provenance counts as AI
        reasons += short
        verdict = Verdict.FAIL
    else:
        verdict = Verdict.ERROR if short else Verdict.PASS
        reasons += short
    if fmt == "json":
        emit_json(
            {
                "schema_version": SCHEMA_VERSION,
                "tool_version": __version__,
                "verdict": verdict.value,
                "reasons": [r.model_dump() for r in reasons],
                "change": change.model_dump(),
                "replay": {
                    "status": "ran",
                    **result.to_json(),
                    "insufficient": [r.message for r in parts.insufficient],
                },
                "warnings": result.warnings,
            },
            output,
        )
    else:
        stage = StageReport(
            name="replay",
            title="Differential replay",
            status=StageStatus.RAN,
            summary=parts.summary,
            failures=parts.failures,
            blocks=parts.blocks,
            checks=parts.checks,
            warnings=result.warnings,
            insufficient=parts.insufficient,
        )
        report = Report(
            tool_version=__version__,
            verdict=verdict,
            reasons=reasons,
            change=change,
            stages=[stage],
        )
        emit_report(report, [(fmt, str(output) if output else None)])
    return {Verdict.FAIL: EXIT_FAIL, Verdict.ERROR: EXIT_ERROR}.get(verdict, EXIT_PASS)


def _ledger(git: Git, base: str | None, head: str) -> tuple[list[Any] | None, str | None]:
    try:
        from realitycheck.assumptions.ledger import load_change_ledger
    except ImportError:
        return None, "expected_changes unavailable: the ledger reader is not installed"
    try:
        ledger = load_change_ledger(git, base, head)
    except RealityCheckError as exc:
        return None, f"expected_changes unavailable: {exc}"
    return (list(ledger.expected_changes), None) if ledger is not None else (None, None)


def _test_origin(git: Git, base: str | None, head: str, config: Config, events: Any) -> Any:
    try:
        from realitycheck.pipeline.stages.replay import origin_of_tests
        from realitycheck.provenance.analyze import analyze_range
    except ImportError:
        return None
    try:
        provenance = analyze_range(git, base, head, config.provenance, events=events)
    except RealityCheckError:
        return None
    return origin_of_tests(provenance)


@click.group()
def replay() -> None:
    """Replay recorded inputs through the base and the head and compare what comes out.

    Divergences are grouped by JSON path and category; differences that a second run of
    the base also shows are noise. Exit code 0 when nothing unexpected diverged, 1 when
    something did, 2 when the input is bad.
    """


@replay.command("function")
@common_options
@click.option(
    "--target",
    "-t",
    "targets",
    multiple=True,
    required=True,
    metavar="MODULE:QUALNAME",
    help="The function to replay (repeat for several), e.g. docsvc.extract:extract_text.",
)
@change_options
@_format_options
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    default=None,
    help="Where workers run (default: replay.executor, local).",
)
@click.option(
    "--address",
    default=None,
    envvar="RAY_ADDRESS",
    help="Ray cluster address for --executor ray.  [env: RAY_ADDRESS]",
)
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Workers per revision.")
@click.option(
    "--max-samples", type=click.IntRange(min=1), default=None, help="Samples per target, at most."
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds per call.")
@click.option("--noise/--no-noise", default=None, help="Replay the base twice to measure noise.")
@click.option(
    "--coverage/--no-coverage", default=None, help="Measure reality coverage (runs the tests)."
)
def function(
    common: Common,
    targets: tuple[str, ...],
    base: str | None,
    head: str,
    fmt: str,
    output: Path | None,
    executor: str | None,
    address: str | None,
    workers: int | None,
    max_samples: int | None,
    timeout: float | None,
    noise: bool | None,
    coverage: bool | None,
) -> int:
    """Replay a function's recorded calls through base and head, in separate processes."""
    for target in targets:
        name = target.removeprefix("fn:")
        module, sep, qualname = name.partition(":")
        if not sep or not module or not qualname:
            raise click.BadParameter(
                f"{target!r} is not MODULE:QUALNAME (e.g. docsvc.extract:extract_text)",
                param_hint="--target",
            )
    git = common.git()
    config = common.load_config(git)
    overrides = {
        "executor": executor,
        "address": address,
        "workers": workers,
        "max_samples": max_samples,
        "timeout": timeout,
        "noise": noise,
        "coverage": coverage,
    }
    config.replay = config.replay.model_copy(
        update={k: v for k, v in overrides.items() if v is not None}
    )
    base_sha, base_ref, head_sha = resolve_change(git, config, base, head)
    events = ConsoleEvents()
    expected, why = _ledger(git, base_sha, head_sha)
    test_origin = None
    if config.replay.coverage:
        test_origin = _test_origin(git, base_sha, head_sha, config, events)
    corpus_dir = common.corpus_dir(config, git.root)
    recorded = corpus_or_error(corpus_dir).targets()
    for target in targets:
        name = function_name(target)
        if not recorded.get(name):
            known = sorted(t for t in recorded if t.startswith("fn:"))
            raise CorpusError(
                f"no recorded samples of {name}",
                path=corpus_dir,
                hint="recorded functions: " + (", ".join(known[:8]) or "none"),
            )
    job = ChangeReplay(
        git=git,
        config=config,
        base=base_sha,
        head=head_sha,
        corpus_dir=corpus_dir,
        diffs=git.diff(base_sha, head_sha),
        expected=expected,
        test_origin=test_origin,
        environ=environment.inherited(),
        functions=list(targets),
        events=events,
    )
    try:
        result = replay_change(job)
    except NothingToReplay as exc:
        raise CorpusError(str(exc), path=corpus_dir) from None
    if why:
        result.warnings.insert(0, why)
    from realitycheck.cli.replay_service import report_change

    change = report_change(git, base_sha, head_sha, base_ref, head)
    return _emit(result, change, fmt, output, config.replay.fail_on, config.policy.fail_closed)


@replay.command("http")
@common_options
@click.option(
    "--service",
    default=None,
    metavar="NAME",
    help="Start this [[replay.services]] entry from --base and --head (and the base again "
    "for noise), as verify does; instead of --baseline and --candidate.",
)
@change_options
@click.option("--baseline", default=None, metavar="URL", help="The service running the base.")
@click.option("--candidate", default=None, metavar="URL", help="The service running the head.")
@click.option(
    "--secondary",
    default=None,
    metavar="URL",
    help="A second instance of the base, to measure noise.",
)
@click.option(
    "--target",
    "-t",
    "patterns",
    multiple=True,
    metavar="NAME",
    help="Recorded HTTP targets to replay (shell patterns; default: all): 'http:GET /users/*'.",
)
@click.option(
    "--allow-host",
    multiple=True,
    metavar="HOST",
    help="Also allow contacting this host (only loopback is allowed by default).",
)
@click.option(
    "--allow-method",
    multiple=True,
    metavar="METHOD",
    help="Replay this method too (only GET, HEAD and OPTIONS are replayed by default).",
)
@click.option("--concurrency", type=click.IntRange(min=1), default=None, help="Requests in flight.")
@click.option(
    "--rate", type=click.FloatRange(min=0, min_open=True), default=None, help="Requests/second."
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds a request.")
@click.option(
    "--header",
    "headers",
    multiple=True,
    metavar="NAME",
    help="A response header to compare (default: content-type).",
)
@click.option(
    "--comparator",
    default=None,
    help="How bodies are compared: json, text, exact or module:function (default json).",
)
@_format_options
def http(
    common: Common,
    service: str | None,
    base: str | None,
    head: str,
    baseline: str | None,
    candidate: str | None,
    secondary: str | None,
    patterns: tuple[str, ...],
    allow_host: tuple[str, ...],
    allow_method: tuple[str, ...],
    concurrency: int | None,
    rate: float | None,
    timeout: float | None,
    headers: tuple[str, ...],
    comparator: str | None,
    fmt: str,
    output: Path | None,
) -> int:
    """Send the corpus's recorded requests to two services and compare the answers.

    With --service NAME the services are started from the revisions as `verify` does;
    otherwise give the URLs of a running base and head (and a second base for noise).
    """
    from realitycheck.cli.replay_service import check_choice, replay_service

    check_choice(service, [baseline, candidate, secondary])
    git = common.git()
    config = common.load_config(git)
    overrides = {"concurrency": concurrency, "rate": rate, "timeout": timeout}
    config.replay = config.replay.model_copy(
        update={k: v for k, v in overrides.items() if v is not None}
    )
    if service is not None:
        changes = {
            "allow_methods": [m.upper() for m in allow_method],
            "compare_headers": [h.lower() for h in headers],
            "comparator": comparator,
        }
        result, change = replay_service(
            common, git, config, service, base, head, patterns, changes, ConsoleEvents()
        )
        return _emit(result, change, fmt, output, config.replay.fail_on)
    assert baseline is not None and candidate is not None  # check_choice made sure
    settings = settings_for(config.replay, allow_methods=allow_method, allow_hosts=allow_host)
    if headers:
        settings = _replace(settings, compare_headers=tuple(h.lower() for h in headers))
    if comparator:
        from realitycheck.core.config.replay import Comparison

        try:
            comparison = Comparison(comparator=comparator)
        except ValueError as exc:
            raise ConfigError(str(exc).splitlines()[-1], place="--comparator") from None
        settings = _replace(settings, comparison=comparison)
    endpoints = Endpoints(
        check_url(baseline, settings.allowed_hosts, option="--baseline"),
        check_url(candidate, settings.allowed_hosts, option="--candidate"),
        check_url(secondary, settings.allowed_hosts, option="--secondary") if secondary else None,
    )
    corpus_dir = common.corpus_dir(config, git.root)
    corpus = corpus_or_error(corpus_dir)
    targets = http_targets(corpus.targets(), [_pattern(p) for p in patterns] or ["http:*"])
    if not targets:
        raise CorpusError(
            "no recorded HTTP target matches" + (f" {', '.join(patterns)}" if patterns else ""),
            path=corpus_dir,
            hint="see the targets with 'realitycheck corpus stats'",
        )
    result = ReplayResult(base=None, head=str(endpoints.candidate), executor="http")
    result.warnings.append(
        "expected_changes unavailable for URLs: every divergence counts as unexpected"
    )
    result.warnings.append(
        "reality coverage not measured: realitycheck did not start these services (configure "
        "them in [[replay.services]] and run verify to measure what real requests execute)"
    )
    result.targets = replay_http(corpus, targets, endpoints, settings, events=ConsoleEvents())
    assess(result, config.replay)
    change = Change(repo=str(git.root), base=str(endpoints.baseline), head=str(endpoints.candidate))
    return _emit(result, change, fmt, output, config.replay.fail_on, config.policy.fail_closed)


def _pattern(value: str) -> str:
    return value if value.startswith(HTTP) else HTTP + value


def _replace(settings: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(settings, **changes)
