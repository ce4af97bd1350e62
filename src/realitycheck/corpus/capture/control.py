"""Turning capture on and off for the process: `configure`, `flush`, `disable`."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from realitycheck.core.config import Config, load_config
from realitycheck.core.errors import CorpusError, RealityCheckError
from realitycheck.corpus.capture import state
from realitycheck.corpus.capture.recorder import CaptureSettings, Recorder
from realitycheck.corpus.redact import build_redactor

log = logging.getLogger("realitycheck.capture")

ENV_SWITCH = "REALITYCHECK_CAPTURE"
ENV_CORPUS = "REALITYCHECK_CORPUS"
ENV_CONFIG = "REALITYCHECK_CONFIG"
ENV_KEY = "REALITYCHECK_REDACTION_KEY_FILE"
ENV_SPOOL = "REALITYCHECK_SPOOL"
_OFF = {"0", "false", "no", "off", ""}
_UNSET: Any = object()


def _config(config: Config | str | Path | None) -> Config:
    if isinstance(config, Config):
        return config
    if config is None:
        return Config()
    return load_config(Path(config))


def configure(
    corpus: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config: Config | str | Path | None = None,
    key_file: str | Path | None = None,
    rate: float | None = None,
    rates: Mapping[str, float] | None = None,
    max_per_hour: int | None = _UNSET,
    dedup: bool | None = None,
    batch_size: int | None = None,
    flush_seconds: float | None = None,
    writer: str | None = None,
    spool: str | Path | None = None,
) -> Recorder | None:
    """Turn capture on for this process (or off); returns the recorder, or None when off.

    The corpus folder comes from `corpus`, else `REALITYCHECK_CORPUS` in `environ`, else the
    configuration's `[corpus] dir`. Settings come from `[corpus.capture]` of `config` (a Config,
    or the path of a realitycheck.toml or pyproject.toml), overridden by the arguments. A
    problem that stops capture (no corpus named, no usable redaction key) is logged, and the
    application runs on without capture.

    When the corpus is a URL (s3://bucket/prefix, …), segments are written to a local spool
    folder (`spool`, else `REALITYCHECK_SPOOL`, else `[corpus] dir`, else .realitycheck/spool)
    and a shipper in the writing process uploads them (corpus/remote/shipper.py).
    """
    env = environ or {}
    disable()
    if ENV_SWITCH in env and env[ENV_SWITCH].strip().lower() in _OFF:
        return None
    try:
        cfg = _config(config if config is not None else env.get(ENV_CONFIG) or None)
    except RealityCheckError as exc:
        log.error("realitycheck capture is off: %s", exc)
        return None
    folder = corpus or env.get(ENV_CORPUS) or cfg.corpus.url or cfg.corpus.dir
    ship_to, folder = shipping(folder, spool or env.get(ENV_SPOOL), cfg.corpus.dir)
    if not folder:
        if env.get(ENV_SWITCH):
            log.error("realitycheck capture is off: no corpus folder (set %s)", ENV_CORPUS)
        return None
    root = Path(folder).expanduser()
    if not root.is_absolute() and cfg.root is not None and corpus is None:
        root = cfg.root / root
    cap = cfg.corpus.capture
    settings = CaptureSettings(
        corpus=root,
        rate=cap.rate if rate is None else rate,
        rates=dict(cap.rates if rates is None else rates),
        max_per_hour=cap.max_per_hour if max_per_hour is _UNSET else max_per_hour,
        dedup=cap.dedup if dedup is None else dedup,
        dedup_memory=cap.dedup_memory,
        queue_size=cap.queue_size,
        queue_bytes=int(cap.queue_mb * (1 << 20)),
        batch_size=cap.batch_size if batch_size is None else batch_size,
        flush_seconds=cap.flush_seconds if flush_seconds is None else flush_seconds,
        max_body_bytes=cap.max_body_kb * 1024,
        writer=cap.writer if writer is None else writer,
        ship_to=ship_to,
        ship_backlog_bytes=int(cap.ship_backlog_mb * (1 << 20)),
    )
    key = key_file or env.get(ENV_KEY) or None
    try:
        redactor = build_redactor(
            root, cfg.corpus.redaction, key_file=Path(key) if key else None, root=cfg.root
        )
    except (RealityCheckError, OSError) as exc:
        log.error("realitycheck capture is off: no usable redaction key: %s", exc)
        return None
    recorder = Recorder(settings, redactor)
    state.CURRENT = recorder
    limit = (
        f"at most {settings.max_per_hour} samples per target per hour "
        f"([corpus.capture] max_per_hour, default {CaptureSettings.max_per_hour}; "
        "unset it for no cap)"
        if settings.max_per_hour is not None
        else "no hourly cap"
    )
    log.info(
        "realitycheck capture on: into %s; rate %s, %s, %s",
        root,
        settings.rate,
        limit,
        "identical inputs skipped" if settings.dedup else "every input kept",
    )
    return recorder


def shipping(
    folder: str | Path | None, spool: str | Path | None, configured_dir: str | None
) -> tuple[str | None, str | Path | None]:
    """(the remote URL to ship to, or None; the local folder segments are written to)."""
    from realitycheck.corpus.remote.url import location_url

    url = location_url(folder) if folder else None
    if url is None:
        return None, folder
    return url, spool or configured_dir or Path(".realitycheck") / "spool"


@contextlib.contextmanager
def recording(corpus: str | Path, **options: Any) -> Iterator[Recorder]:
    """Capture into `corpus` inside a `with` block, then write everything and restore the
    process's previous capture state (for scripts, tests and demos)."""
    previous = state.CURRENT
    state.CURRENT = None
    try:
        recorder = configure(corpus, **options)
        if recorder is None:
            raise CorpusError(
                "capture could not be turned on", path=corpus, hint="see the realitycheck log"
            )
        yield recorder
        recorder.flush()
    finally:
        disable()
        state.CURRENT = previous


def current() -> Recorder | None:
    """The process's recorder, or None when capture is off."""
    return state.CURRENT


def capture_stats() -> dict[str, Any] | None:
    """This process's capture counts (written, sampled out, capped, dropped by reason), for
    an endpoint of the application; None when capture is off. They are the counts `corpus
    stats` shows, and remain readable here when the corpus cannot hold them (read-only)."""
    recorder = state.CURRENT
    return None if recorder is None else recorder.stats()


def flush(timeout: float | None = 10.0) -> bool:
    """Write everything captured so far (for tests, scripts and shutdown hooks)."""
    recorder = state.CURRENT
    return True if recorder is None else recorder.flush(timeout)


def disable(timeout: float | None = 5.0) -> None:
    """Turn capture off for this process, writing what is queued first."""
    recorder, state.CURRENT = state.CURRENT, None
    if recorder is not None:
        recorder.close(timeout)


def _after_fork() -> None:
    recorder = state.CURRENT
    if recorder is not None:
        recorder.after_fork()


os.register_at_fork(after_in_child=_after_fork)


def _at_exit() -> None:
    recorder = state.CURRENT
    if recorder is not None:
        recorder.close(2.0)


atexit.register(_at_exit)
