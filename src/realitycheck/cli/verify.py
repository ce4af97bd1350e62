"""`realitycheck verify`: run the whole verification path over one change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from realitycheck.cli.boundaries import github_options
from realitycheck.cli.main import EXIT_ERROR, EXIT_FAIL, EXIT_PASS
from realitycheck.cli.options import (
    Common,
    change_options,
    common_options,
    format_option,
    label_options,
    output_option,
    parse_formats,
)
from realitycheck.cli.output import emit_report
from realitycheck.cli.progress import ConsoleEvents
from realitycheck.core.report import Verdict
from realitycheck.pipeline import VerifyOptions
from realitycheck.pipeline import verify as run_verify

EXIT = {Verdict.PASS: EXIT_PASS, Verdict.FAIL: EXIT_FAIL, Verdict.ERROR: EXIT_ERROR}


@click.command()
@common_options
@change_options
@format_option()
@output_option("Write the (single) report format to this file instead of standard output.")
@label_options
@click.option(
    "--pr-body",
    type=click.Path(path_type=Path),
    default=None,
    help="A file holding the pull-request description.",
)
@github_options
@click.option("--verbose", "-v", is_flag=True, help="Unfold every detail in the terminal report.")
def verify(
    common: Common,
    base: str | None,
    head: str,
    formats: tuple[str, ...],
    output: Path | None,
    labels: list[str],
    pr_body: Path | None,
    github_event: Path | None,
    github: dict[str, Any],
    verbose: bool,
) -> int:
    """Run every stage the policy asks for over base..head and gate on the result.

    Exit code 0 when the change passes, 1 when the policy gate fails, 2 when the input is bad
    or the check could not run.
    """
    pairs = parse_formats(formats, output)
    options = VerifyOptions(
        repo=common.repo,
        base=base,
        head=head,
        config_path=common.config,
        corpus=common.corpus,
        pr_labels=labels,
        pr_body=pr_body,
        event_path=github_event,
        debug=common.debug,
        extra=dict(github),
    )
    report = run_verify(options, events=ConsoleEvents())
    emit_report(report, pairs, verbose=verbose)
    return EXIT[report.verdict]
