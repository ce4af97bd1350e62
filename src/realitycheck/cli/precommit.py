"""`realitycheck precommit`: the checks behind the pre-commit hooks (.pre-commit-hooks.yaml)."""

from __future__ import annotations

from pathlib import Path

import click

from realitycheck.cli.main import EXIT_ERROR, EXIT_FAIL, EXIT_PASS
from realitycheck.cli.options import Common, common_options
from realitycheck.core.report import Verdict
from realitycheck.integrations.precommit import (
    change_for,
    check_boundaries,
    check_ledger,
    staged_commit,
)

MESSAGE = click.argument(
    "message_file", type=click.Path(path_type=Path, dir_okay=False), metavar="COMMIT_MSG_FILE"
)


@click.group()
def precommit() -> None:
    """Checks of the commit about to be made, for pre-commit's commit-msg stage."""


@precommit.command()
@common_options
@MESSAGE
def ledger(common: Common, message_file: Path) -> int:
    """Fail an AI-written commit whose change carries no assumption ledger.

    Exit 0 when a valid ledger is there or none is needed, 1 when it is missing, 2 when the
    ledger is malformed.
    """
    git = common.git()
    config = common.load_config(git)
    change = change_for(git, config, staged_commit(git, message_file))
    result = check_ledger(git, config, change)
    for line in result.lines:
        click.echo(f"realitycheck: {line}" if not line.startswith(" ") else line)
    return EXIT_PASS if result.ok else EXIT_FAIL


@precommit.command()
@common_options
@MESSAGE
def boundaries(common: Common, message_file: Path) -> int:
    """Fail a commit that puts AI-written lines inside a boundary its owners must approve.

    Approvals come from the pull request later; to commit anyway and ask the owners there,
    skip the hook once: `SKIP=realitycheck-boundaries git commit ...`.
    """
    git = common.git()
    config = common.load_config(git)
    change = change_for(git, config, staged_commit(git, message_file))
    report = check_boundaries(git.root, common.config, change)
    stage = report.stage("boundaries")
    if stage is None or stage.status.value != "ran":
        why = stage.reason if stage is not None else "the boundaries stage is not registered"
        click.echo(f"realitycheck: boundaries could not be checked: {why}", err=True)
        return EXIT_ERROR
    if report.verdict is Verdict.PASS or not stage.failures:
        click.echo(f"realitycheck: {stage.summary or 'no AI-written lines inside a boundary'}")
        return EXIT_PASS
    click.echo("realitycheck: AI-written lines inside a boundary need their owners' approval:")
    for failure in stage.failures:
        click.echo(f"  {failure.message}")
    click.echo(
        "  open a pull request for the owners to approve, or commit anyway with "
        "SKIP=realitycheck-boundaries"
    )
    return EXIT_FAIL
