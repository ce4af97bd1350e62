"""`realitycheck github comment`: the report as one sticky pull-request comment and job summary."""

from __future__ import annotations

from pathlib import Path

import click

from realitycheck.cli.main import EXIT_PASS
from realitycheck.cli.progress import stderr
from realitycheck.core.errors import InputError
from realitycheck.core.github import DEFAULT_API
from realitycheck.integrations.github import (
    CommentError,
    PullRequestRef,
    StickyComment,
    from_event,
    load_handover,
    save_handover,
    write_summary,
)


@click.group()
def github() -> None:
    """Report to GitHub: the pull-request comment and the job summary."""


@github.command()
@click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The Markdown report (`verify -f markdown:PATH`).",
)
@click.option(
    "--summary",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="GITHUB_STEP_SUMMARY",
    default=None,
    help="Append the report to this job summary file.  [env: GITHUB_STEP_SUMMARY]",
)
@click.option("--key", default="", help="Keep one comment per key (several checks per PR).")
@click.option(
    "--save",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Save the comment for a workflow_run workflow to post instead of posting it "
    "(pull requests from forks).",
)
@click.option(
    "--from",
    "from_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Post the comment a pull_request workflow saved with --save.",
)
@click.option(
    "--expect-head",
    default=None,
    metavar="SHA",
    help="With --from: post only if the pull request's head is this commit "
    "(github.event.workflow_run.head_sha).",
)
@click.option(
    "--github-repo",
    metavar="OWNER/NAME",
    envvar="GITHUB_REPOSITORY",
    default=None,
    help="The repository.  [env: GITHUB_REPOSITORY]",
)
@click.option("--pr", type=click.IntRange(min=1), default=None, help="Pull request number.")
@click.option(
    "--github-event",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="GITHUB_EVENT_PATH",
    default=None,
    help="Event file to read the pull request from.  [env: GITHUB_EVENT_PATH]",
)
@click.option(
    "--github-token",
    envvar="GITHUB_TOKEN",
    default=None,
    help="Token that may comment on pull requests.  [env: GITHUB_TOKEN]",
)
@click.option(
    "--github-api-url",
    envvar="GITHUB_API_URL",
    default=DEFAULT_API,
    help="GitHub REST API root.  [env: GITHUB_API_URL]",
)
@click.option(
    "--on-error",
    type=click.Choice(["fail", "warn"]),
    default="fail",
    show_default=True,
    help="warn: a comment GitHub refuses is a warning (exit 0) once the summary is written.",
)
def comment(
    report: Path | None,
    summary: Path | None,
    key: str,
    save: Path | None,
    from_dir: Path | None,
    expect_head: str | None,
    github_repo: str | None,
    pr: int | None,
    github_event: Path | None,
    github_token: str | None,
    github_api_url: str,
    on_error: str,
) -> int:
    """Post the Markdown report as one pull-request comment, edited in place on every run.

    The report is appended to the job summary first, so it lands even when the token may not
    comment. Exit 0 when the comment is posted (or saved), 2 when it could not be.
    """
    if from_dir is not None:
        ref, key, markdown = _handover(from_dir, github_repo, expect_head)
    else:
        markdown = _read(report)
        if summary is not None:
            write_summary(summary, markdown)
            stderr.print(f"wrote the report to the job summary {summary}", highlight=False)
        ref = _pull_request(github_repo, pr, github_event)
        if save is not None:
            path = save_handover(save, ref, markdown, key)
            stderr.print(f"saved the comment for {ref.repo}#{ref.number} to {path}")
            return EXIT_PASS
    try:
        with StickyComment(ref.repo, ref.number, github_token, api_url=github_api_url) as sticky:
            if from_dir is not None and expect_head is not None:
                head = sticky.head_sha()
                if head != expect_head:
                    raise CommentError(
                        f"pull request #{ref.number}'s head is {head[:12]}, not {expect_head[:12]} "
                        "that the saved report was made for; not posting it",
                        hint="a newer push will post its own report",
                    )
            posted = sticky.post(markdown, key)
    except CommentError as exc:
        if on_error == "warn":
            click.echo(f"::warning title=realitycheck::could not comment: {exc}")
            return EXIT_PASS
        raise
    stderr.print(f"{posted.action} the comment on {ref.repo}#{ref.number}: {posted.url}")
    return EXIT_PASS


def _read(report: Path | None) -> str:
    if report is None:
        raise click.UsageError("give the Markdown report with --report PATH (or --from DIR)")
    try:
        return report.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the report: {exc.strerror}", path=report) from None


def _pull_request(repo: str | None, number: int | None, event: Path | None) -> PullRequestRef:
    from_file = from_event(event) if event is not None and event.is_file() else None
    repo = repo or (from_file.repo if from_file else None)
    number = number or (from_file.number if from_file else None)
    if repo is None or number is None:
        raise InputError(
            "no pull request to comment on",
            hint="run in a pull_request workflow, or pass --github-repo OWNER/NAME and --pr N",
        )
    head = from_file.head_sha if from_file and from_file.number == number else None
    return PullRequestRef(repo, number, head)


def _handover(
    folder: Path, repo: str | None, expect_head: str | None
) -> tuple[PullRequestRef, str, str]:
    if expect_head is None:
        raise click.UsageError(
            "--from needs --expect-head SHA (github.event.workflow_run.head_sha): the saved "
            "comment comes from untrusted code, and is posted only on the pull request it was "
            "made for"
        )
    ref, key, markdown = load_handover(folder)
    if repo is not None and ref.repo.lower() != repo.lower():
        raise InputError(
            f"the saved comment names {ref.repo}, not this repository {repo}", path=folder
        )
    if ref.head_sha is not None and ref.head_sha != expect_head:
        raise InputError(
            f"the saved comment was made for {ref.head_sha[:12]}, not {expect_head[:12]}",
            path=folder,
        )
    return ref, key, markdown
