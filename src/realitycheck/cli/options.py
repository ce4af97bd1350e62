"""Options every command shares, and how report formats are asked for."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from realitycheck.core.config import Config, load_config
from realitycheck.core.errors import InputError
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
        url = getattr(config.corpus, "url", None)
        if url:
            return CorpusLocation().convert(str(url), None, None)
        configured = getattr(config.corpus, "dir", None)
        if configured:
            path = Path(str(configured))
            return path if path.is_absolute() else root / path
        return root / ".realitycheck" / "corpus"


class CorpusLocation(click.ParamType):  # type: ignore[type-arg]
    """A corpus folder, or a URL (s3://bucket/prefix, file:///dir, …) checked here, whole.

    The location then travels as a `Path` (`s3:/bucket/prefix`), which corpus/remote/url.py
    reads back as the URL; a malformed URL fails now, as one line naming it.
    """

    name = "DIR|URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        if isinstance(value, Path):
            return value
        text = str(value)
        if "://" in text:
            from realitycheck.corpus.remote.url import parse

            parse(text)
        return Path(text)


def _absolute(path: Path | None) -> Path | None:
    """A path from the command line, resolved once against the directory it was given in.

    Replay workers change directory; a relative path read later would point elsewhere.
    """
    if path is None:
        return None
    from realitycheck.corpus.remote.url import is_remote

    return path if is_remote(path) else path.resolve()


def common_options(func: F) -> F:
    """Add --repo, --config, --corpus and --debug; the command receives them as `common`."""

    @functools.wraps(func)
    def build(**kwargs: Any) -> Any:
        common = Common(
            repo=kwargs.pop("repo"),
            config=kwargs.pop("config_path"),
            corpus=_absolute(kwargs.pop("corpus")),
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
            type=CorpusLocation(),
            default=None,
            envvar="REALITYCHECK_CORPUS",
            help="Corpus directory, or a URL such as s3://bucket/prefix (default: "
            ".realitycheck/corpus).  [env: REALITYCHECK_CORPUS]",
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


def text_json_option(func: F) -> F:
    """`--format/-f text|json` of the commands that print one listing rather than a report."""
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Output format.",
    )(func)


def _stack(func: F, decorators: list[Callable[[Any], Any]]) -> F:
    for deco in reversed(decorators):
        func = deco(func)
    return func


def change_options(func: F) -> F:
    """--base and --head: the range every command works on."""
    return _stack(
        func,
        [
            click.option(
                "--base",
                default=None,
                help="Base revision (default: merge-base with the default branch). "
                "'EMPTY' compares with the empty tree.",
            ),
            click.option("--head", default="HEAD", show_default=True, help="Head revision."),
        ],
    )


def label_options(func: F) -> F:
    """--pr-labels and --github-event; the command receives `labels` (a list), already merged."""

    @functools.wraps(func)
    def build(**kwargs: Any) -> Any:
        labels = split_labels(kwargs.pop("pr_labels"))
        event = kwargs.pop("github_event")
        if event is not None and event.exists():
            labels += labels_from_event(event)
        return func(labels=labels, github_event=event, **kwargs)

    wrapped: F = build  # type: ignore[assignment]
    return _stack(
        wrapped,
        [
            click.option(
                "--pr-labels",
                multiple=True,
                metavar="LABELS",
                help="Pull-request labels, comma-separated (e.g. ai-generated).",
            ),
            click.option(
                "--github-event",
                type=click.Path(path_type=Path),
                default=None,
                envvar="GITHUB_EVENT_PATH",
                help="GitHub event payload to read PR labels from.  [env: GITHUB_EVENT_PATH]",
            ),
        ],
    )


def output_option(help: str = "Write to this file instead of standard output.") -> Callable[[F], F]:
    """-o/--output PATH."""
    return click.option("--output", "-o", type=click.Path(path_type=Path), default=None, help=help)


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
