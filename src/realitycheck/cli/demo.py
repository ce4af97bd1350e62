"""`realitycheck demo`: the whole story on a bundled example."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from realitycheck.cli.options import format_option, parse_formats
from realitycheck.cli.output import emit_report
from realitycheck.cli.progress import ConsoleEvents, stderr
from realitycheck.demo.run import finish_demo, run_demo


@click.command()
@click.option(
    "--dir",
    "workdir",
    type=click.Path(path_type=Path),
    default=None,
    help="Build the example here and keep it (default: a temporary folder).",
)
@click.option(
    "--cache",
    type=click.Path(path_type=Path),
    default=None,
    help="Where downloaded example data is cached (default: ~/.cache/realitycheck).",
)
@format_option()
@click.option("--verbose", "-v", is_flag=True, help="Unfold every detail in the terminal report.")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
def demo(
    workdir: Path | None, cache: Path | None, formats: tuple[str, ...], verbose: bool, debug: bool
) -> int:
    """Build a small repository where a coding agent changed code, and verify it.

    The example's history has a human commit and a commit by Claude Code with its real
    trailer. The report shows what realitycheck finds. The demo exits 0 whatever the
    verdict: the verdict is the point of the story.
    """
    pairs = parse_formats(formats, None)

    def say(message: str) -> None:
        stderr.print(Text.assemble(("demo", "bold cyan"), " ", message))

    ctx, report = run_demo(workdir, cache=cache, events=ConsoleEvents(), say=say)
    emit_report(report, pairs, verbose=verbose)
    finish_demo(ctx, report)
    say(f"verify said {report.verdict.value.upper()}; the example repository is at {ctx.root}")
    say(f"try: realitycheck verify --repo {ctx.root} --base main --format markdown")
    return 0
