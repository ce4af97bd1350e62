"""`replay http --service NAME`: start base, head and a second base from [[replay.services]]."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from realitycheck.cli.options import Common
from realitycheck.core.config import Config
from realitycheck.core.errors import ConfigError, CorpusError, InputError
from realitycheck.core.git import Git
from realitycheck.core.report import Change
from realitycheck.pipeline import resolve_change
from realitycheck.replay import environment
from realitycheck.replay.change import ChangeReplay, NothingToReplay, corpus_or_error, replay_change
from realitycheck.replay.model import ReplayResult


def check_choice(service: str | None, urls: Sequence[str | None]) -> None:
    """Either a configured service or running URLs, never both, never neither."""
    given = [u for u in urls if u]
    if service and given:
        raise InputError(
            "--service starts the services itself: give --service or URLs, not both",
            place="replay http",
        )
    if not service and len([u for u in urls[:2] if u]) < 2:
        raise InputError(
            "nothing to replay against",
            place="replay http",
            hint="give --service NAME, or --baseline URL and --candidate URL",
        )


def replay_service(
    common: Common,
    git: Git,
    config: Config,
    name: str,
    base: str | None,
    head: str,
    patterns: Sequence[str],
    service_changes: dict[str, Any],
    events: Any,
) -> tuple[ReplayResult, Change]:
    """Replay the corpus through the named service, started from base and head (and base again)."""
    services = {s.name: s for s in config.replay.services}
    service = services.get(name)
    if service is None:
        raise ConfigError(
            f"no service {name!r} under [[replay.services]] "
            f"(configured: {', '.join(sorted(services)) or 'none'})",
            place="replay.services",
            hint="add one with name, command and ready_path; see docs/replay.md",
        )
    update = {k: v for k, v in service_changes.items() if v}
    if update.get("allow_methods"):
        update["allow_methods"] = [*service.allow_methods, *update["allow_methods"]]
    if patterns:
        update["targets"] = list(patterns)
    try:  # validated as the configuration is (a bad --comparator is one line)
        chosen = type(service).model_validate({**service.model_dump(), **update})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "options"
        raise ConfigError(
            f"--{where.replace('_', '-')}: {err['msg']}", place="replay http"
        ) from None
    config.replay = config.replay.model_copy(
        update={
            "services": [chosen],
            "functions": [],
            "discover": False,
            "coverage": False,
        }
    )
    base_sha, base_ref, head_sha = resolve_change(git, config, base, head)
    corpus_dir = common.corpus_dir(config, git.root)
    corpus_or_error(corpus_dir)
    from realitycheck.cli.replay import _ledger

    expected, why = _ledger(git, base_sha, head_sha)
    job = ChangeReplay(
        git=git,
        config=config,
        base=base_sha,
        head=head_sha,
        corpus_dir=corpus_dir,
        diffs=git.diff(base_sha, head_sha),
        expected=expected,
        environ=environment.inherited(),
        events=events,
    )
    try:
        result = replay_change(job)
    except NothingToReplay:
        raise CorpusError(
            f"no recorded target matches service {name!r}'s targets "
            f"({', '.join(update.get('targets', service.targets))})",
            path=corpus_dir,
            hint="see the targets with 'realitycheck corpus stats'",
        ) from None
    if why:
        result.warnings.insert(0, why)
    change = report_change(git, base_sha, head_sha, base_ref, head)
    return result, change


def report_change(
    git: Git, base: str | None, head: str, base_ref: str | None, head_ref: str
) -> Change:
    """The report's `change` section for a replay of base..head."""
    return Change(
        repo=str(git.root),
        base=base,
        head=head,
        base_ref=base_ref,
        head_ref=head_ref,
        commits=len(git.commits(base, head)),
    )
