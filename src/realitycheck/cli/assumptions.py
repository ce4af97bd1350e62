"""`realitycheck assumptions init|mine|check`: the ledger a change carries, and what it forgot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.text import Text

from realitycheck.assumptions.analysis import analyse
from realitycheck.assumptions.model import LEDGER_SCHEMA_VERSION, AssumptionsResult
from realitycheck.assumptions.skeleton import agent_prompt, ledger_path, skeleton
from realitycheck.cli.main import EXIT_ERROR, EXIT_FAIL, EXIT_PASS
from realitycheck.cli.options import (
    Common,
    common_options,
    format_option,
    parse_formats,
    text_json_option,
)
from realitycheck.cli.options import change_options as range_options
from realitycheck.cli.output import emit_json, emit_report
from realitycheck.cli.progress import ConsoleEvents, stderr
from realitycheck.core.errors import InputError, StageError
from realitycheck.core.report import Verdict
from realitycheck.pipeline import VerifyOptions, verify
from realitycheck.pipeline.context import Context
from realitycheck.pipeline.registry import registered_stages
from realitycheck.pipeline.run import build_context
from realitycheck.pipeline.stages.assumptions import change_name, inputs_for
from realitycheck.report import write_atomic

F = TypeVar("F", bound=Callable[..., Any])
EXIT = {Verdict.PASS: EXIT_PASS, Verdict.FAIL: EXIT_FAIL, Verdict.ERROR: EXIT_ERROR}
CHECK_FORMATS = ["text", "json", "markdown", "sarif", "junit"]
STAGES = ("provenance", "assumptions")


def change_options(func: F) -> F:
    """--base, --head and --pr-body, shared by the subcommands."""
    pr_body = click.option(
        "--pr-body",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="A file holding the PR description; an ```assumptions block in it is read "
        "as (part of) the ledger.",
    )
    return range_options(pr_body(func))


def _options(common: Common, base: str | None, head: str, pr_body: Path | None) -> VerifyOptions:
    return VerifyOptions(
        repo=common.repo,
        base=base,
        head=head,
        config_path=common.config,
        corpus=common.corpus,
        pr_body=pr_body,
        debug=common.debug,
    )


def _static(ctx: Context) -> AssumptionsResult:
    inputs = inputs_for(ctx)
    inputs.check = False
    inputs.ai_line_share = 0.0  # provenance is not asked for here; the ledger is not judged
    return analyse(inputs)


@click.group()
def assumptions() -> None:
    """The assumption ledger a change carries, what mining finds, and checks against the corpus.

    \b
    init    write a ledger skeleton for the change, pre-filled with mined assumptions,
            and print a prompt to hand to a coding agent
    mine    list the assumptions the changed Python code makes (no corpus needed)
    check   check the ledger and the mined assumptions against the corpus; exit 1 when
            the gate fails
    """


@assumptions.command()
@common_options
@change_options
@text_json_option
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the ledger (default: .realitycheck/assumptions/<branch>.yaml).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing ledger file.")
def init(
    common: Common,
    base: str | None,
    head: str,
    pr_body: Path | None,
    fmt: str,
    output: Path | None,
    force: bool,
) -> int:
    """Write a ledger skeleton for the change and print a prompt for its coding agent.

    Every mined assumption becomes an entry marked "confirm or correct"; the prompt asks
    the agent to list every assumption the change depends on, in the ledger's format.
    """
    ctx = build_context(_options(common, base, head, pr_body), ConsoleEvents())
    result = _static(ctx)
    rel = ledger_path(change_name(ctx))
    target = output if output is not None else ctx.git.root / rel
    if target.exists() and not force:
        raise InputError(
            "a ledger already exists here",
            path=target,
            hint="edit it, or pass --force to overwrite it",
        )
    change = ctx.commits[-1].subject if ctx.commits else None
    text = skeleton(result.mined, change=change)
    write_atomic(target, text)
    shown = (
        str(target.relative_to(ctx.git.root))
        if target.is_relative_to(ctx.git.root)
        else str(target)
    )
    prompt = agent_prompt(shown, text)
    if fmt == "json":
        emit_json(
            {
                "schema_version": LEDGER_SCHEMA_VERSION,
                "path": shown,
                "mined": len(result.mined),
                "skeleton": text,
                "prompt": prompt,
                "warnings": result.warnings,
            }
        )
    else:
        stderr.print(
            f"wrote {shown} with {len(result.mined)} mined assumption(s) to confirm "
            "or correct; hand the prompt below to the coding agent",
            highlight=False,
        )
        click.echo(prompt, nl=False)
    return EXIT_PASS


@assumptions.command()
@common_options
@change_options
@text_json_option
def mine(common: Common, base: str | None, head: str, pr_body: Path | None, fmt: str) -> int:
    """List the assumptions the change's Python code makes, and which the ledger declares."""
    ctx = build_context(_options(common, base, head, pr_body), ConsoleEvents())
    result = _static(ctx)
    if fmt == "json":
        emit_json(
            {
                "schema_version": LEDGER_SCHEMA_VERSION,
                "base": ctx.base,
                "head": ctx.head,
                "ledger_source": result.ledger.source if result.ledger else None,
                "mined": [m.model_dump(mode="json", exclude={"result"}) for m in result.mined],
                "warnings": result.warnings,
            }
        )
        return EXIT_PASS
    from rich.console import Console
    from rich.table import Table

    for warning in result.warnings:
        stderr.print(Text.assemble(("warning:", "yellow"), " ", warning))
    if not result.mined:
        click.echo("No assumptions mined from the changed Python code.")
        return EXIT_PASS
    table = Table(
        title=f"{len(result.mined)} assumption(s) mined from the change", show_lines=False
    )
    for col in ("id", "kind", "where", "statement", "check", "declared by"):
        table.add_column(col, overflow="fold")
    for m in result.mined:
        check = f"{m.check.target} {m.check.path}" if m.check else f"none: {m.why_unchecked}"
        table.add_row(m.id, m.kind, f"{m.file}:{m.line}", m.statement, check, m.declared_by or "—")
    Console(highlight=False, emoji=False, markup=False).print(table)
    return EXIT_PASS


@assumptions.command()
@common_options
@change_options
@format_option(CHECK_FORMATS)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the (single) format to this file instead of standard output.",
)
def check(
    common: Common,
    base: str | None,
    head: str,
    pr_body: Path | None,
    formats: tuple[str, ...],
    output: Path | None,
) -> int:
    """Check the ledger and the mined assumptions against the corpus, and gate on them.

    Exit code 0 when the change passes, 1 when the assumptions gate fails, 2 when the input
    is bad (a malformed ledger names its file and line).
    """
    pairs = parse_formats(formats, output, CHECK_FORMATS)
    stages = [s for s in registered_stages() if s.name in STAGES]
    report = verify(_options(common, base, head, pr_body), events=ConsoleEvents(), stages=stages)
    stage = report.stage("assumptions")
    if stage is not None and stage.status.value == "error":
        raise StageError(stage.reason or "the assumptions stage failed")
    emit_report(report, pairs)
    return EXIT[report.verdict]
