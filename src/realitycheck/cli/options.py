"""Options every command shares, and how report formats are asked for."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from realitycheck.core.config import Config, load_config
from realitycheck.core.git import Git
from realitycheck.report import supported_formats

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Common:
    """The options every command accepts."""

    repo: Path
    config: Path | None
    corpus: Path | None
    debug: bool

    def git(self) -> Git:
        """The repository named by --repo."""
        return Git(self.repo)

    def load_config(self, git: Git | None = None) -> Config:
        """The configuration: --config, or discovered from --repo up to the repository root."""
        return load_config(self.config, start=self.repo, stop=git.root if git else None)

    def corpus_dir(self, config: Config, root: Path) -> Path:
        """--corpus, then REALITYCHECK_CORPUS (already folded into config), then the default."""
        if self.corpus is not None:
            return self.corpus
        configured = getattr(config.corpus, "dir", None)
        if configured:
            path = Path(str(configured))
            return path if path.is_absolute() else root / path
        return root / ".realitycheck" / "corpus"


def common_options(func: F) -> F:
    """Add --repo, --config, --corpus and --debug; the command receives them as `common`."""

    @functools.wraps(func)
    def build(**kwargs: Any) -> Any:
        common = Common(
            repo=kwargs.pop("repo"),
            config=kwargs.pop("config_path"),
            corpus=kwargs.pop("corpus"),
            debug=kwargs.pop("debug"),
        )
        return func(common=common, **kwargs)

    decorators = [
        click.option(
            "--repo",
            type=click.Path(path_type=Path),
            default=Path(),
            show_default=".",
            help="The git repository to work on.",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path),
            default=None,
            help="Configuration file (default: realitycheck.toml or pyproject.toml, "
            "found by walking up to the repository root).",
        ),
        click.option(
            "--corpus",
            type=click.Path(path_type=Path),
            default=None,
            envvar="REALITYCHECK_CORPUS",
            help="Corpus directory (default: .realitycheck/corpus).  [env: REALITYCHECK_CORPUS]",
        ),
        click.option("--debug", is_flag=True, help="Show tracebacks on errors."),
    ]
    wrapped: Any = build
    for deco in reversed(decorators):
        wrapped = deco(wrapped)
    return wrapped  # type: ignore[no-any-return]


def parse_formats(
    values: tuple[str, ...], output: Path | None, allowed: list[str] | None = None
) -> list[tuple[str, str | None]]:
    """`--format FMT` or `--format FMT:PATH`, repeated; `--output` names the one path-less one."""
    allowed = allowed or supported_formats()
    pairs: list[tuple[str, str | None]] = []
    for value in values or ("text",):
        fmt, sep, path = value.partition(":")
        if fmt not in allowed:
            raise click.BadParameter(
                f"'{fmt}' is not one of {', '.join(allowed)}", param_hint="--format"
            )
        pairs.append((fmt, path if sep else None))
    pathless = [i for i, (_, p) in enumerate(pairs) if p is None]
    if output is not None:
        if len(pathless) != 1:
            raise click.BadParameter(
                "--output names the file of one format; with several, write --format FMT:PATH",
                param_hint="--output",
            )
        i = pathless[0]
        pairs[i] = (pairs[i][0], str(output))
    elif len(pathless) > 1:
        raise click.BadParameter(
            "only one format can go to standard output; give the others a path as FMT:PATH",
            param_hint="--format",
        )
    return pairs


def format_option(allowed: list[str] | None = None) -> Callable[[F], F]:
    """A repeatable --format option (FMT or FMT:PATH)."""
    names = ", ".join(allowed or supported_formats())
    return click.option(
        "--format",
        "-f",
        "formats",
        multiple=True,
        metavar="FMT[:PATH]",
        help=f"Report format: {names}. Repeat for several; FMT:PATH writes to a file.",
    )
