"""`realitycheck verify`: run the whole verification path over one change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from realitycheck.cli.boundaries import github_options
from realitycheck.cli.main import EXIT_ERROR, EXIT_FAIL, EXIT_PASS
from realitycheck.cli.options import Common, common_options, format_option, parse_formats
from realitycheck.cli.output import emit_report
from realitycheck.cli.progress import ConsoleEvents
from realitycheck.core.errors import InputError
from realitycheck.core.report import Verdict
from realitycheck.pipeline import VerifyOptions
from realitycheck.pipeline import verify as run_verify

EXIT = {Verdict.PASS: EXIT_PASS, Verdict.FAIL: EXIT_FAIL, Verdict.ERROR: EXIT_ERROR}


def labels_from_event(path: Path) -> list[str]:
    """The pull request's label names from a GitHub Actions event payload file."""
    try:
        event = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the event file: {exc.strerror}", path=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    pr = event.get("pull_request") if isinstance(event, dict) else None
    labels = pr.get("labels", []) if isinstance(pr, dict) else []
    return [str(lab.get("name")) for lab in labels if isinstance(lab, dict) and lab.get("name")]


def split_labels(values: tuple[str, ...]) -> list[str]:
    """`--pr-labels a,b --pr-labels c` as one list."""
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


@click.command()
@common_options
@click.option(
    "--base",
    default=None,
    help="Base revision (default: merge-base with the default "
    "branch). 'EMPTY' compares with the empty tree.",
)
@click.option("--head", default="HEAD", show_default=True, help="Head revision.")
@format_option()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the (single) report format to this file instead of standard output.",
)
@click.option(
    "--pr-labels",
    multiple=True,
    metavar="LABELS",
    help="Pull-request labels, comma-separated (e.g. ai-generated).",
)
@click.option(
    "--pr-body",
    type=click.Path(path_type=Path),
    default=None,
    help="A file holding the pull-request description.",
)
@click.option(
    "--github-event",
    type=click.Path(path_type=Path),
    default=None,
    envvar="GITHUB_EVENT_PATH",
    help="GitHub event payload to read PR labels from.  [env: GITHUB_EVENT_PATH]",
)
@github_options
@click.option("--verbose", "-v", is_flag=True, help="Unfold every detail in the terminal report.")
def verify(
    common: Common,
    base: str | None,
    head: str,
    formats: tuple[str, ...],
    output: Path | None,
    pr_labels: tuple[str, ...],
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
    labels = split_labels(pr_labels)
    if github_event is not None and github_event.exists():
        labels += labels_from_event(github_event)
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
