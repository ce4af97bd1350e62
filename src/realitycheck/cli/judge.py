"""`realitycheck judge`: compare a canary with its baseline, from files or from Prometheus.

Exit codes: 0 pass, 1 fail, 2 bad input or could not run, 3 inconclusive, 4 no data.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

import click

from realitycheck.cli.output import emit_json
from realitycheck.core.config import load_config
from realitycheck.core.config.judge import Mode
from realitycheck.core.errors import InputError
from realitycheck.judge import (
    Counts,
    JudgeConfig,
    MetricSpec,
    Series,
    State,
    load_judge_config,
    read_metrics,
    read_prometheus,
)
from realitycheck.judge import (
    judge as run_judge,
)
from realitycheck.judge.explain import explain
from realitycheck.report import write_atomic


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    text = value.strip()
    try:
        if text.replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(text), tz=timezone.utc)
        when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not an ISO 8601 time (2026-12-04T10:00:00Z) or Unix seconds",
            param_hint=name,
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _infer(baseline: dict[str, Series], canary: dict[str, Series]) -> JudgeConfig:
    names = list(dict.fromkeys([*baseline, *canary]))
    specs = []
    for name in names:
        value = baseline.get(name, canary.get(name))
        if isinstance(value, Counts):
            specs.append(MetricSpec(name=name, kind="counts"))
        else:
            specs.append(MetricSpec(name=name, kind="samples"))
    return JudgeConfig(metrics=specs)


def _config(path: Path | None, repo: Path) -> JudgeConfig | None:
    if path is not None:
        return load_judge_config(path)
    found = load_config(start=repo)
    return found.judge if found.judge.metrics else None


def _check_names(config: JudgeConfig, data: dict[str, Series], path: Path) -> None:
    known = {m.name for m in config.metrics}
    for name in data:
        if name not in known:
            raise InputError(
                f"unknown metric '{name}' (the configuration has: {', '.join(sorted(known))})",
                path=path,
                place=f"metric '{name}'",
            )


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--baseline", type=click.Path(path_type=Path), help="Baseline metrics (.json/.csv).")
@click.option("--canary", type=click.Path(path_type=Path), help="Canary metrics (.json/.csv).")
@click.option("--prometheus", metavar="URL", help="Read both sides from this Prometheus.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="canary.toml, realitycheck.toml with [judge], or a Kayenta canary config .json "
    "(default: [judge] of realitycheck.toml; from files, every metric in them).",
)
@click.option("--mode", type=click.Choice(["sequential", "kayenta"]), help="Default: config's.")
@click.option("--start", metavar="TIME", help="Start of the window (Prometheus), ISO 8601.")
@click.option("--end", metavar="TIME", help="End of the window (Prometheus; default: now).")
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path),
    help="Sequential state carried between polls: read if it exists, then rewritten.",
)
@click.option("--elapsed", type=float, help="Seconds since the canary began (for the deadline).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the JSON here.")
@click.option(
    "--repo",
    type=click.Path(path_type=Path),
    default=Path(),
    show_default=".",
    help="Where to look for realitycheck.toml when --config is not given.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
def judge(
    baseline: Path | None,
    canary: Path | None,
    prometheus: str | None,
    config_path: Path | None,
    mode: str | None,
    start: str | None,
    end: str | None,
    state_path: Path | None,
    elapsed: float | None,
    fmt: str,
    output: Path | None,
    repo: Path,
    debug: bool,
) -> int:
    """Judge a canary against its baseline: pass, fail, inconclusive or nodata.

    From files: --baseline F --canary F, each JSON ({"metric": [numbers]},
    {"metric": {"events": N, "total": M}} or {"metric": {"buckets": {"<le>": N}}})
    or CSV (one column per metric).
    From Prometheus: --prometheus URL --config canary.toml --start TIME [--end TIME].

    Exit codes: 0 pass, 1 fail, 2 bad input, 3 inconclusive, 4 nodata.
    """
    config = _config(config_path, repo)
    notes: dict[str, str] = {}
    if prometheus:
        if baseline or canary:
            raise click.UsageError("give either --prometheus or --baseline/--canary, not both")
        if config is None:
            raise click.UsageError("--prometheus needs --config naming the metrics and queries")
        began = _when(start, "--start")
        if began is None:
            raise click.UsageError("--prometheus needs --start")
        until = _when(end, "--end") or datetime.now(timezone.utc)
        if until <= began:
            raise click.BadParameter("must be after --start", param_hint="--end")
        data = read_prometheus(prometheus, config, start=began, end=until)
        base, can, notes = data.baseline, data.canary, data.notes
        if elapsed is None:
            elapsed = (until - began).total_seconds()
    else:
        if baseline is None or canary is None:
            raise click.UsageError("give --baseline and --canary files, or --prometheus URL")
        base, can = read_metrics(baseline), read_metrics(canary)
        if config is None:
            config = _infer(base, can)
        else:
            _check_names(config, base, baseline)
            _check_names(config, can, canary)
    state = None
    if state_path is not None and state_path.exists():
        state = State.from_json(state_path.read_text(encoding="utf-8"), source=str(state_path))
    if elapsed is not None and not math.isfinite(elapsed):
        raise click.BadParameter("must be a finite number of seconds", param_hint="--elapsed")
    chosen: Mode | None = "kayenta" if mode == "kayenta" else "sequential" if mode else None
    result = run_judge(
        base, can, config, mode=chosen, state=state or State(), elapsed=elapsed, notes=notes
    )
    if state_path is not None and result.state is not None:
        write_atomic(state_path, State.from_dict(result.state).to_json())
    if fmt == "json" or output is not None:
        emit_json(result.to_dict(), output)
    if fmt == "text":
        for line in explain(result):
            click.echo(line)
    return result.exit_code
