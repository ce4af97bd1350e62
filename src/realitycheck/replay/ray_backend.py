"""The Ray backend: each replay worker is a Ray actor (`pip install realitycheck[ray]`).

Each revision's tree travels through Ray's object store as a tar archive that the actor unpacks
into a folder of its own, so workers on other machines import the same code; blob bytes are read
here and sent with each batch. Scheduling, placement and transport are Ray's.
"""

from __future__ import annotations

import importlib
import io
import math
import os
import re
import shutil
import socket
import tarfile
import tempfile
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from realitycheck.core.errors import ConfigError
from realitycheck.replay import worker
from realitycheck.replay.executor import PoolSpec, WorkerHandle
from realitycheck.replay.worker import Item, Result

CONNECT_SECONDS = 5.0
_BLOB = re.compile(r'"\$blob"\s*:\s*"(sha256:[0-9a-f]{64})"')


class ReplayActor:
    """The actor's body: the worker functions, in the actor's own process."""

    def __init__(self, spec: dict[str, Any], archive: bytes) -> None:
        self.tree = Path(tempfile.mkdtemp(prefix="realitycheck-tree-"))
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(self.tree, filter="data")
            else:  # pragma: no cover - Python before 3.10.12
                tar.extractall(self.tree)
        worker.init({**spec, "tree": str(self.tree)})

    def pid(self) -> int:
        """The actor's process id: it answers once the actor has started."""
        return os.getpid()

    def probe(self, target: str, inputs: list[str] | None = None) -> tuple[str, str]:
        """Whether the revision has the target, and takes the recorded inputs."""
        return worker.probe(target, inputs)

    def run(self, target: str, items: list[Item], blobs: dict[str, bytes]) -> list[Result]:
        """Replay a batch."""
        return worker.run_batch(target, items, blobs)

    def finish(self) -> dict[str, dict[str, list[int]]]:
        """Stop measuring; executed lines per context. The unpacked tree is removed."""
        measured = worker.finish()
        os.chdir(tempfile.gettempdir())
        shutil.rmtree(self.tree, ignore_errors=True)
        return measured


class RayWorker:
    """A handle on one actor."""

    def __init__(self, actor: Any, blob_root: Path | None) -> None:
        self.actor = actor
        self.blob_root = blob_root

    def ready(self) -> Future[int]:
        future: Future[int] = self.actor.pid.remote().future()
        return future

    def probe(self, target: str, inputs: list[str] | None = None) -> Future[tuple[str, str]]:
        future: Future[tuple[str, str]] = self.actor.probe.remote(target, inputs).future()
        return future

    def run(self, target: str, items: list[Item]) -> Future[list[Result]]:
        future: Future[list[Result]] = self.actor.run.remote(
            target, items, self._blobs(items)
        ).future()
        return future

    def _blobs(self, items: list[Item]) -> dict[str, bytes]:
        refs = {ref for _, text in items for ref in _BLOB.findall(text)}
        if not refs or self.blob_root is None:
            return {}
        out: dict[str, bytes] = {}
        for ref in refs:
            digest = ref.partition(":")[2]
            path = self.blob_root / "sha256" / digest[:2] / digest[2:]
            if path.is_file():
                out[ref] = path.read_bytes()
        return out

    def finish(self) -> Future[dict[str, dict[str, list[int]]]]:
        future: Future[dict[str, dict[str, list[int]]]] = self.actor.finish.remote().future()
        return future

    def kill(self) -> None:
        _ray().kill(self.actor)

    def close(self) -> None:
        _ray().kill(self.actor)


class RayBackend:
    """Workers as Ray actors on a cluster at `address`, or on a local instance Ray starts."""

    name = "ray"

    def __init__(self, address: str | None = None) -> None:
        try:
            ray = _ray()
        except ImportError:
            raise ConfigError(
                "the ray executor needs Ray", hint="pip install 'realitycheck[ray]'"
            ) from None
        self._owned = not ray.is_initialized()
        if self._owned:
            _check_reachable(address)
            try:
                ray.init(
                    address=address,
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                )
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ConfigError(
                    f"cannot reach the Ray cluster at {address or 'a new local instance'}: "
                    f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                    place="--address",
                ) from None
        self._actor_class: Any = ray.remote(num_cpus=1, max_restarts=0)(ReplayActor)
        self._archives: dict[Path, Any] = {}

    def start(self, spec: PoolSpec) -> WorkerHandle:
        if spec.tree not in self._archives:
            self._archives[spec.tree] = _ray().put(archive(spec.tree))
        remote_spec = {**spec.worker_spec(), "blob_root": None}
        actor = self._actor_class.remote(remote_spec, self._archives[spec.tree])
        return RayWorker(actor, spec.blob_root)

    def default_workers(self, pools: int) -> int:
        return max(1, int(self._cpus()) // max(1, pools))

    def pool_size(self, pools: int, workers: int | None) -> int:
        """Fit every actor of every pool into the cluster's CPUs, or fail at once.

        Left to itself, each pool gets its share and each actor a fraction of a CPU when there
        are more actors than CPUs (three pools on two CPUs); asked for more workers than the
        cluster can place, nothing starts: an actor Ray cannot place would wait forever.
        """
        cpus = self._cpus()
        pools = max(1, pools)
        if workers is not None:
            if workers * pools > cpus:
                raise ConfigError(
                    f"the ray executor asked for {workers * pools} CPUs ({pools} pools × "
                    f"{workers} workers × 1 CPU) and the cluster has {cpus:g}",
                    place="replay.workers",
                    hint="lower replay.workers (or --workers), leave it unset, or turn noise off",
                )
            return workers
        if cpus <= 0:
            raise ConfigError("the Ray cluster has no CPU to run replay workers on")
        size = self.default_workers(pools)
        # Ray counts resources in steps of 1/10,000: round down, so the shares add up to no more
        per_actor = math.floor(min(1.0, cpus / (size * pools)) * 10_000) / 10_000
        self._actor_class = self._actor_class.options(num_cpus=per_actor)
        return size

    def _cpus(self) -> float:
        return float(_ray().cluster_resources().get("CPU", 0))

    def close(self) -> None:
        ray = _ray()
        if self._owned and ray.is_initialized():
            ray.shutdown()


def _check_reachable(address: str | None) -> None:
    """Fail fast, with one clear line, when a `host:port` address does not answer."""
    match = re.fullmatch(r"(?:ray://)?\[?([\w.:-]+?)\]?:(\d+)", address or "")
    if match is None:
        return
    host, port = match.group(1), int(match.group(2))
    try:
        with socket.create_connection((host, port), timeout=CONNECT_SECONDS):
            pass
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}",
            place="--address",
            hint="start it with 'ray start --head', or leave out --address for a local one",
        ) from None


def archive(tree: Path) -> bytes:
    """A tree's files as an uncompressed tar archive."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:") as tar:
        tar.add(tree, arcname=".")
    return buffer.getvalue()


def _ray() -> Any:
    """The ray module (typed loosely: it is an optional dependency)."""
    return importlib.import_module("ray")
