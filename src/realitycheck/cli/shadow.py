"""`realitycheck shadow`: live requests through the primary, copies to a candidate, compared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from realitycheck import __version__
from realitycheck.cli.main import EXIT_ERROR, EXIT_FAIL, EXIT_PASS
from realitycheck.cli.options import Common, common_options
from realitycheck.cli.output import emit_json, emit_report
from realitycheck.cli.progress import stderr
from realitycheck.core.config import Config
from realitycheck.core.errors import ConfigError, CorpusError, InputError, RealityCheckError
from realitycheck.core.git import Git
from realitycheck.core.report import (
    SCHEMA_VERSION,
    Change,
    Report,
    StageReport,
    StageStatus,
    Verdict,
)
from realitycheck.replay.http import check_url
from realitycheck.replay.noise import Thresholds

FORMATS = ["text", "markdown", "json", "html"]


def _git(common: Common) -> Git | None:
    try:
        return common.git()
    except RealityCheckError:
        return None  # shadowing needs no repository; the head and the ledger then stay unknown


def _results(option: Path | None, config: Config, git: Git | None) -> Path:
    if option is not None:
        return option
    root = git.root if git is not None else Path.cwd()
    if config.shadow.results:
        path = Path(config.shadow.results)
        return path if path.is_absolute() else (config.root or root) / path
    return root / ".realitycheck" / "shadow"


def _ledger(git: Git | None, config: Config, head: str | None) -> tuple[Any, str | None]:
    """The head's expected_changes, or None and why not."""
    if git is None or head is None:
        return None, "expected_changes unavailable: not in a git repository"
    from realitycheck.cli.replay import _ledger as change_ledger
    from realitycheck.pipeline import resolve_change

    try:
        base, _, head_sha = resolve_change(git, config, None, head)
    except RealityCheckError as exc:
        return None, f"expected_changes unavailable: {exc}"
    return change_ledger(git, base, head_sha)


def _listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise click.BadParameter(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:8000)")
    return host, int(port)


@click.group(invoke_without_command=True)
@common_options
@click.option("--primary", metavar="URL", help="The service that answers clients (production).")
@click.option("--candidate", metavar="URL", help="The service running the change.")
@click.option(
    "--secondary", metavar="URL", help="A second instance of the primary's code (measures noise)."
)
@click.option(
    "--listen",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="HOST:PORT",
    callback=lambda ctx, param, value: _listen(value),
    help="Where the proxy listens (port 0: any free port).",
)
@click.option(
    "--results",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder the results are written to (default: .realitycheck/shadow).",
)
@click.option("--record", is_flag=True, help="Also record each exchange into the corpus.")
@click.option("--head", default="HEAD", show_default=True, help="The revision the candidate runs.")
@click.option(
    "--allow-host",
    multiple=True,
    metavar="HOST",
    help="Also allow this upstream host (only loopback is allowed by default).",
)
@click.pass_context
def shadow(
    ctx: click.Context,
    common: Common,
    primary: str | None,
    candidate: str | None,
    secondary: str | None,
    listen: tuple[str, int],
    results: Path | None,
    record: bool,
    head: str,
    allow_host: tuple[str, ...],
) -> int | None:
    """Serve live traffic from the primary and compare a copy's answer from the candidate.

    The client always gets the primary's answer, byte for byte; copies of safe requests
    (GET, HEAD, OPTIONS) go to the candidate (and the secondary) without credentials, and
    their answers are compared and thrown away. The live page is at /_realitycheck/.
    Stop with Ctrl-C; `realitycheck shadow report` reads the results, while running or after.
    """
    if ctx.invoked_subcommand is not None:
        return None
    if primary is None or candidate is None:
        raise click.UsageError("--primary and --candidate are required (or: shadow report)")
    from realitycheck.shadow.server import ShadowOptions, build, listen_socket, serve

    git = _git(common)
    config = common.load_config(git)
    allowed = (*config.replay.allowed_hosts, *allow_host)
    urls = {
        "primary": check_url(primary, allowed, option="--primary"),
        "candidate": check_url(candidate, allowed, option="--candidate"),
        "secondary": check_url(secondary, allowed, option="--secondary") if secondary else None,
    }
    try:
        sock = listen_socket(*listen)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {listen[0]}:{listen[1]}: {exc}", place="--listen"
        ) from None
    head_sha = None
    if git is not None:
        try:
            head_sha = git.resolve(head)
        except RealityCheckError:
            head_sha = None
    expected, why = _ledger(git, config, head_sha)
    if why:
        stderr.print(f"shadow: {why}", highlight=False)
    root = git.root if git is not None else Path.cwd()
    corpus_dir = common.corpus_dir(config, root)
    from realitycheck.corpus.redact import build_redactor

    try:
        redactor = build_redactor(corpus_dir, config.corpus.redaction, root=config.root)
    except OSError as exc:
        raise CorpusError(f"no usable redaction key: {exc}", path=corpus_dir) from None
    recorder = None
    if record:
        from realitycheck.corpus.capture.control import configure

        recorder = configure(corpus_dir, config=config, environ={})
        if recorder is None:
            raise CorpusError("capture could not be turned on", path=corpus_dir)
    built = build(
        ShadowOptions(
            primary=urls["primary"],  # type: ignore[arg-type]
            candidate=urls["candidate"],  # type: ignore[arg-type]
            secondary=urls["secondary"],
            results=_results(results, config, git),
            config=config.shadow,
            redactor=redactor,
            thresholds=Thresholds(
                config.replay.relative_threshold, config.replay.absolute_threshold
            ),
            expected=expected,
            head=head_sha,
            recorder=recorder,
        )
    )
    host, port = sock.getsockname()[:2]
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}"

    def ready() -> None:
        stderr.print(
            f"shadow: listening on {where} (primary {primary}, candidate {candidate}"
            + (f", secondary {secondary}" if secondary else "")
            + f"); live page {where}/_realitycheck/; results {built.path}",
            highlight=False,
            soft_wrap=True,
        )

    serve(built, sock, ready)
    counts = built.live()
    stderr.print(
        f"shadow: {counts.get('requests', 0)} requests, {counts.get('copied', 0)} copied, "
        f"{counts.get('compared', 0)} compared; results in {built.path}",
        highlight=False,
        soft_wrap=True,
    )
    return EXIT_PASS


@shadow.command("report")
@common_options
@click.option(
    "--results",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of the results (default: .realitycheck/shadow).",
)
@click.option(
    "--head", default=None, help="Only runs of this revision (default: every run in the folder)."
)
@click.option(
    "--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True
)
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None)
def report(
    common: Common, results: Path | None, head: str | None, fmt: str, output: Path | None
) -> int:
    """Judge the results of shadow runs: divergences by route and JSON path, noise, rates.

    Exit code 0 when nothing unexpected diverged, 1 when something did, 2 when nothing was
    compared (no verdict) or the input is bad.
    """
    from realitycheck.shadow.present import present
    from realitycheck.shadow.results import read_runs
    from realitycheck.shadow.summary import summarise

    git = _git(common)
    config = common.load_config(git)
    folder = _results(results, config, git)
    head_sha = None
    if head is not None:
        if git is None:
            raise InputError("--head needs a git repository", place="--head")
        head_sha = git.resolve(head)
    runs = read_runs(folder, head_sha)
    if not runs:
        raise InputError(
            "no shadow results" + (f" for {head}" if head else ""),
            path=folder,
            hint="run 'realitycheck shadow --primary URL --candidate URL' first",
        )
    run_head = runs[-1].meta.get("head")
    expected, why = _ledger(git, config, run_head) if run_head else (None, None)
    thresholds = Thresholds(config.replay.relative_threshold, config.replay.absolute_threshold)
    result = summarise(runs, thresholds, expected)
    if why:
        result.warnings.insert(0, why)
    parts = present(result, config.replay.fail_on)
    verdict = Verdict.ERROR if parts.error else Verdict.FAIL if parts.failures else Verdict.PASS
    change = Change(
        repo=str(git.root if git is not None else folder),
        base="primary",
        head=run_head or "candidate",
        base_ref=f"primary {result.primary}",
        head_ref=f"candidate {result.candidate}",
    )
    status = StageStatus.ERROR if parts.error else StageStatus.RAN
    if fmt == "json":
        section = {"status": status.value, **result.to_json()}
        if parts.error:
            section["reason"] = parts.error
        emit_json(
            {
                "schema_version": SCHEMA_VERSION,
                "tool_version": __version__,
                "verdict": verdict.value,
                "reasons": [r.model_dump() for r in parts.failures],
                "change": change.model_dump(),
                "shadow": section,
                "warnings": result.warnings,
            },
            output,
        )
    else:
        stage = StageReport(
            name="shadow",
            title="Shadow traffic",
            status=status,
            reason=parts.error,
            summary=parts.summary,
            failures=parts.failures,
            blocks=parts.blocks,
            checks=parts.checks,
            warnings=result.warnings,
        )
        doc = Report(
            tool_version=__version__,
            verdict=verdict,
            reasons=list(parts.failures),
            change=change,
            stages=[stage],
        )
        emit_report(doc, [(fmt, str(output) if output else None)])
    if verdict is Verdict.ERROR:
        return EXIT_ERROR
    return EXIT_FAIL if verdict is Verdict.FAIL else EXIT_PASS
