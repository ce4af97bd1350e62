"""Start a revision's HTTP service on a free loopback port, wait until it answers, stop it after."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

import httpx

from realitycheck.core.config.replay import HttpService
from realitycheck.core.errors import ConfigError, StageError

LOOPBACK = "127.0.0.1"
STOP_SECONDS = 5.0
PYTHONS = ("python", "python3", f"python3.{sys.version_info.minor}")


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def command_line(service: HttpService, fields: Mapping[str, str]) -> list[str]:
    """The service's command with {port}, {host}, {python} and {root} filled in."""
    words = shlex.split(service.command) if isinstance(service.command, str) else service.command
    try:
        return [word.format(**fields) for word in words]
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(
            f"service {service.name!r}: cannot fill in the command template ({exc})",
            place=f"replay.services.{service.name}.command",
            hint="use {port}, {host}, {python} and {root}; write {{ and }} for braces",
        ) from None


@contextlib.contextmanager
def running(
    service: HttpService,
    tree: Path,
    roots: tuple[str, ...],
    *,
    environ: Mapping[str, str],
    label: str,
    host: str = LOOPBACK,
    measure: Path | None = None,
) -> Iterator[str]:
    """Run the service from `tree` until the block ends; yields its base URL.

    With `measure` (a coverage data file) a Python service runs under coverage.py, limited to
    the tree, and writes the lines it executed there when it is stopped.
    """
    port = free_port(host)
    fields = {"port": str(port), "host": host, "python": sys.executable, "root": str(tree)}
    argv = command_line(service, fields)
    if measure is not None:
        argv = measured(argv, tree, measure)
    paths = [str((tree / r).resolve()) for r in roots]
    if environ.get("PYTHONPATH"):
        paths.append(environ["PYTHONPATH"])
    env = {**environ, "PYTHONPATH": os.pathsep.join(paths)}
    env.update({k: v.format(**fields) for k, v in service.env.items()})
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the service stops
    try:
        proc = subprocess.Popen(
            argv,
            cwd=tree / service.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        log.close()
        raise StageError(f"service {service.name!r} ({label}) could not start: {exc}") from None
    url = f"http://{host}:{port}"
    try:
        _wait_ready(service, proc, url, log, f"{label}; command: {shlex.join(argv)}")
        yield url
    finally:
        _stop(proc)
        log.close()


def is_python(argv: list[str]) -> bool:
    """Whether a command runs this Python interpreter (so coverage.py can wrap it)."""
    return bool(argv) and (argv[0] == sys.executable or Path(argv[0]).name in PYTHONS)


def measured(argv: list[str], tree: Path, data_file: Path) -> list[str]:
    """The command run under coverage.py (`python X` → `python -m coverage run … X`)."""
    if not is_python(argv):
        return argv
    rcfile = data_file.with_suffix(".rc")
    rcfile.write_text(f"[run]\ninclude =\n    {tree}{os.sep}*\nsigterm = true\n", encoding="utf-8")
    cov = ["-m", "coverage", "run", "--rcfile", str(rcfile), "--data-file", str(data_file)]
    return [argv[0], *cov, *argv[1:]]


def _wait_ready(
    service: HttpService, proc: subprocess.Popen[bytes], url: str, log: IO[bytes], label: str
) -> None:
    deadline = time.monotonic() + service.ready_timeout
    last = "no answer"
    with httpx.Client(timeout=1.0, trust_env=False, follow_redirects=False) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise StageError(
                    f"service {service.name!r} ({label}) exited with code {proc.returncode} "
                    f"before it was ready: {_tail(log)}"
                )
            try:
                status = client.get(url + service.ready_path).status_code
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            else:
                if status < 400:
                    return
                last = f"HTTP {status}"
            time.sleep(0.05)
    _stop(proc)
    raise StageError(
        f"service {service.name!r} ({label}) was not ready within {service.ready_timeout:.0f} s "
        f"at {service.ready_path} ({last}): {_tail(log)}"
    )


def _tail(log: IO[bytes], count: int = 5) -> str:
    """The last lines the service wrote, joined on one line."""
    log.seek(0)
    lines = [x.strip() for x in log.read().decode("utf-8", "replace").splitlines() if x.strip()]
    if not lines:
        return "(no output)"
    return "last output: " + " | ".join(line[:200] for line in lines[-count:])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
