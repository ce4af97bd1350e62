"""`realitycheck serve`: the canary judge for Argo Rollouts' web provider and Flagger's webhooks."""

from __future__ import annotations

from pathlib import Path

import click

from realitycheck.cli.main import EXIT_PASS
from realitycheck.cli.options import Common, common_options
from realitycheck.core.errors import ConfigError, InputError


def _token(token: str | None, token_file: Path | None) -> str | None:
    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(f"cannot read the token: {exc.strerror}", path=token_file) from exc
        if not text:
            raise InputError("the token file is empty", path=token_file)
        return text
    return token or None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option(
    "--token",
    envvar="REALITYCHECK_SERVE_TOKEN",
    default=None,
    hidden=True,
    help="Bearer token (prefer the environment variable).",
)
@click.option(
    "--token-file",
    type=click.Path(path_type=Path),
    default=None,
    help="File holding the bearer token callers must send.  [env: REALITYCHECK_SERVE_TOKEN]",
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path),
    default=None,
    help="SQLite file keeping every analysis' state (default: .realitycheck/serve.sqlite).",
)
@click.option(
    "--prometheus",
    default=None,
    help="Prometheus the judge reads (default: [judge.prometheus] url).",
)
@common_options
def serve(
    common: Common,
    host: str,
    port: int,
    token: str | None,
    token_file: Path | None,
    state_path: Path | None,
    prometheus: str | None,
) -> int:
    """Run the judge as a service that Argo Rollouts and Flagger call.

    \b
    REALITYCHECK_SERVE_TOKEN=... realitycheck serve --host 0.0.0.0 --port 8080
    Argo:    POST /argo/v1/measure            (always 200; the verdict is in $.verdict)
    Flagger: POST /flagger/rollout, /flagger/confirm-traffic-increase,
             /flagger/rollback, /flagger/confirm-promotion
    Also:    GET /healthz, /metrics, /openapi.json

    The metrics and their queries come from [judge]; the plans of the tiers from [deploy].
    See docs/deploy.md.
    """
    try:
        import uvicorn

        from realitycheck.serve import Settings, create_app
        from realitycheck.serve.judging import prometheus_judge
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise InputError(
            f"the service needs the 'serve' extra ({exc.name} is missing)",
            hint="pip install 'realitycheck[serve]'",
        ) from exc
    config = common.load_config()
    settings = Settings(
        state_path=state_path or common.repo / ".realitycheck" / "serve.sqlite",
        token=_token(token, token_file),
        host=host,
    )
    try:
        settings.check()
    except ValueError as exc:
        raise ConfigError(str(exc), place="--host") from exc
    judge = prometheus_judge(config.judge, prometheus)
    app = create_app(settings, judge, config.deploy)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
    return EXIT_PASS
