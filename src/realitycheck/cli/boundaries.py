"""`realitycheck boundaries check`: the boundaries a change's AI-written lines touch."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from realitycheck.boundaries.approvals.inputs import API_URL, PR, REPO, TOKEN, read_event
from realitycheck.cli.main import EXIT_ERROR, EXIT_FAIL, EXIT_PASS
from realitycheck.cli.options import (
    Common,
    change_options,
    common_options,
    format_option,
    output_option,
    parse_formats,
)
from realitycheck.cli.output import emit_report
from realitycheck.cli.progress import ConsoleEvents
from realitycheck.core.report import Verdict
from realitycheck.pipeline import VerifyOptions, verify
from realitycheck.pipeline.registry import registered_stages

F = TypeVar("F", bound=Callable[..., Any])
EXIT = {Verdict.PASS: EXIT_PASS, Verdict.FAIL: EXIT_FAIL, Verdict.ERROR: EXIT_ERROR}
FORMATS = ["text", "json", "sarif", "markdown"]
STAGES = ("provenance", "boundaries")


def github_options(func: F) -> F:
    """Add the approval inputs; the command receives them as `github`, a dict for extra."""

    @functools.wraps(func)
    def build(**kwargs: Any) -> Any:
        github = {
            REPO: kwargs.pop("github_repo"),
            PR: kwargs.pop("pr"),
            TOKEN: kwargs.pop("github_token"),
            API_URL: kwargs.pop("github_api_url"),
        }
        return func(github={k: v for k, v in github.items() if v is not None}, **kwargs)

    decorators = [
        click.option(
            "--github-repo",
            metavar="OWNER/NAME",
            envvar="GITHUB_REPOSITORY",
            default=None,
            help="Repository whose pull request holds the approvals.  [env: GITHUB_REPOSITORY]",
        ),
        click.option(
            "--pr",
            type=click.IntRange(min=1),
            default=None,
            help="Pull request number (default: from the GitHub Actions event file).",
        ),
        click.option(
            "--github-token",
            envvar="GITHUB_TOKEN",
            default=None,
            show_default=False,
            help="Token that can read the pull request's reviews (prefer the environment "
            "variable).  [env: GITHUB_TOKEN]",
        ),
        click.option(
            "--github-api-url",
            envvar="GITHUB_API_URL",
            default=None,
            help="GitHub REST API root (GitHub Enterprise: https://HOST/api/v3).  "
            "[env: GITHUB_API_URL]",
        ),
    ]
    wrapped: Any = build
    for deco in reversed(decorators):
        wrapped = deco(wrapped)
    return wrapped  # type: ignore[no-any-return]


@click.group()
def boundaries() -> None:
    """Boundaries a model may not touch without a human owner."""


@boundaries.command()
@common_options
@change_options
@format_option(FORMATS)
@output_option("Write the (single) format to this file instead of standard output.")
@click.option(
    "--github-event",
    type=click.Path(path_type=Path),
    default=None,
    envvar="GITHUB_EVENT_PATH",
    help="GitHub Actions event file naming the pull request.  [env: GITHUB_EVENT_PATH]",
)
@github_options
def check(
    common: Common,
    base: str | None,
    head: str,
    formats: tuple[str, ...],
    output: Path | None,
    github_event: Path | None,
    github: dict[str, Any],
) -> int:
    """Find AI-written lines inside boundaries and check their owners' approvals.

    Boundaries are declared in [boundaries] of realitycheck.toml, owned through CODEOWNERS,
    and detected: contracts, migrations, route handlers and their models, public API,
    error handling at I/O seams, CI/deploy/auth configuration. Exit code 0 when every such
    change is allowed or approved, 1 when one is not, 2 when the input is bad.
    """
    pairs = parse_formats(formats, output, FORMATS)
    if github_event is not None and github_event.exists():
        read_event(github_event)  # a malformed event file is bad input: one line, exit 2
    options = VerifyOptions(
        repo=common.repo,
        base=base,
        head=head,
        config_path=common.config,
        corpus=common.corpus,
        event_path=github_event,
        debug=common.debug,
        extra=github,
    )
    stages = [s for s in registered_stages() if s.name in STAGES]
    report = verify(options, events=ConsoleEvents(), stages=stages)
    # Provenance only feeds the check: the report shows the boundaries (and keeps the verdict).
    shown = [s for s in report.stages if s.name == "boundaries"]
    report = report.model_copy(
        update={"stages": shown, "warnings": [w for s in shown for w in s.warnings]}
    )
    emit_report(report, pairs)
    return EXIT[report.verdict]
