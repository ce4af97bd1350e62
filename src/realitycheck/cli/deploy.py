"""`realitycheck deploy plan`: a risk tier's rollout plan as Argo or Flagger manifests."""

from __future__ import annotations

from pathlib import Path

import click

from realitycheck.cli.main import EXIT_PASS
from realitycheck.cli.options import Common, common_options
from realitycheck.cli.progress import stderr
from realitycheck.core.errors import InputError
from realitycheck.deploy.manifests import render, resolve_plan, tier_from_report
from realitycheck.report import write_atomic


@click.group()
def deploy() -> None:
    """Deploy treatment: the rollout plan of a change's risk tier."""


@deploy.command("plan")
@click.option(
    "--controller",
    type=click.Choice(["argo", "flagger"]),
    required=True,
    help="Write an Argo Rollouts Rollout + AnalysisTemplate, or a Flagger Canary + "
    "MetricTemplates.",
)
@click.option("--tier", default=None, help="Risk tier: low, medium, high or critical.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Take the tier from a `verify --format json` report.",
)
@click.option(
    "--manifest",
    type=click.Path(path_type=Path),
    default=None,
    help="An existing Rollout or Canary: its strategy is replaced, everything else kept.",
)
@click.option("--name", "app", default="app", show_default=True, help="Application name.")
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Directory to write the manifests to (default: standard output).",
)
@common_options
def plan(
    common: Common,
    controller: str,
    tier: str | None,
    report_path: Path | None,
    manifest: Path | None,
    app: str,
    output_dir: Path | None,
) -> int:
    """Write the manifests that roll the change out as its tier's plan says.

    \b
    realitycheck verify --format json:report.json
    realitycheck deploy plan --controller argo --report report.json -o deploy/
    realitycheck deploy plan --controller flagger --tier critical --manifest canary.yaml
    """
    if (tier is None) == (report_path is None):
        raise InputError("give either --tier or --report", place="deploy plan")
    config = common.load_config()
    if report_path is not None:
        tier = tier_from_report(report_path)
    assert tier is not None
    rollout_plan = resolve_plan(tier, config.deploy)
    files = render(
        "argo" if controller == "argo" else "flagger", rollout_plan, app=app, existing=manifest
    )
    if output_dir is None:
        click.echo("---\n".join(files.values()), nl=False)
    else:
        if output_dir.exists() and not output_dir.is_dir():
            raise InputError("is not a directory", path=output_dir, place="-o")
        for name, text in files.items():
            write_atomic(output_dir / name, text)
        stderr.print(
            f"wrote {', '.join(files)} to {output_dir} (tier {tier}; {rollout_plan.describe()})"
        )
    return EXIT_PASS
