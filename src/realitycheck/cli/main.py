"""The `realitycheck` command. The only place that turns exceptions into exit codes.

Exit codes: 0 pass, 1 the policy gate failed, 2 bad input or could not run.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from realitycheck import __version__
from realitycheck.core.errors import RealityCheckError

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

# The one registration point for commands: name -> "module:attribute".
COMMANDS: dict[str, str] = {
    "verify": "realitycheck.cli.verify:verify",
    "demo": "realitycheck.cli.demo:demo",
    "provenance": "realitycheck.cli.provenance:provenance",
    "boundaries": "realitycheck.cli.boundaries:boundaries",
    "assumptions": "realitycheck.cli.assumptions:assumptions",
    "replay": "realitycheck.cli.replay:replay",
    "corpus": "realitycheck.cli.corpus:corpus",
    "github": "realitycheck.cli.github:github",
    "precommit": "realitycheck.cli.precommit:precommit",
    "deploy": "realitycheck.cli.deploy:deploy",
    "serve": "realitycheck.cli.serve:serve",
    "judge": "realitycheck.cli.judge:judge",
    "shadow": "realitycheck.cli.shadow:shadow",
}


class LazyGroup(click.Group):
    """A group whose commands are imported only when used, so `--help` stays fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module, _, attr = spec.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="realitycheck")
def cli() -> None:
    """Check AI-written code changes against reality.

    Start with `realitycheck demo`, then run `realitycheck verify` in your repository.
    """


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return (and exit with) its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        result: Any = cli.main(args=args, prog_name="realitycheck", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        if debug or type(exc).__name__ == "NoArgsIsHelpError":  # a group's help, asked for
            exc.show()
        else:
            click.echo(f"realitycheck: error: {_click_line(exc)}", err=True)
        code = EXIT_ERROR if exc.exit_code != 0 else 0
    except click.Abort:
        click.echo("realitycheck: interrupted", err=True)
        code = 130
    except RealityCheckError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"realitycheck: error: {one_line(str(exc), debug)}", err=True)
        code = EXIT_ERROR
    except KeyboardInterrupt:
        click.echo("realitycheck: interrupted", err=True)
        code = 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.echo(
            f"realitycheck: internal error: {type(exc).__name__}: {one_line(str(exc), debug)} "
            "(run again with --debug for a traceback)",
            err=True,
        )
        code = EXIT_ERROR
    else:
        code = result if isinstance(result, int) else EXIT_PASS
    if argv is None:
        sys.exit(code)
    return code


def one_line(text: str, debug: bool) -> str:
    """A message on one line: its first line, the rest only with `--debug`."""
    first, sep, rest = text.strip().partition("\n")
    if not sep or not rest.strip():
        return first
    if debug:
        return text.strip()
    return first.rstrip() + " (more with --debug)"


def _click_line(exc: click.ClickException) -> str:
    """A usage error on one line, naming the command whose `--help` explains it."""
    message = one_line(exc.format_message(), False)
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        return f"{message} (see `{ctx.command_path} --help`)"
    return message


if __name__ == "__main__":  # pragma: no cover
    main()
