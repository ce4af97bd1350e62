"""Where replay workers run: a small interface, its two backends, and the pool that uses them.

A `Backend` starts workers; a `WorkerHandle` runs the functions of `replay.worker` in a process
of its own (`replay.local`: a fresh local interpreter; `replay.ray_backend`: a Ray actor). A
`Pool` holds one revision's workers, spreads batches over them, and turns a worker that dies or
hangs into `crash` and `timeout` outcomes for the samples that caused it, replacing the worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from realitycheck.replay import values
from realitycheck.replay.worker import Item, Result

GRACE_SECONDS = 5.0
# A new worker (an interpreter, or a Ray actor unpacking its tree) may take long to start on a
# loaded machine; that time must never count against a sample's timeout.
STARTUP_SECONDS = 120.0
_RAY_LOSSES = {"RayActorError", "ActorDiedError", "ActorUnavailableError", "WorkerCrashedError"}


@dataclass(frozen=True)
class PoolSpec:
    """One revision's workers: its tree, the sys.path roots in it, limits and measurement."""

    name: str
    tree: Path
    roots: tuple[str, ...]
    timeout: float
    blob_root: Path | None = None
    coverage: str | None = None  # None, "target" or "sample"
    import_timeout: float | None = None  # None: the per-call timeout

    def __post_init__(self) -> None:
        for path in (self.tree, self.blob_root):
            if path is not None and not path.is_absolute():
                raise ValueError(f"replay workers need absolute paths, not {path}")

    def worker_spec(self) -> dict[str, Any]:
        """The plain dict `worker.init` receives."""
        return {
            "tree": str(self.tree),
            "roots": list(self.roots),
            "timeout": self.timeout,
            "blob_root": str(self.blob_root) if self.blob_root else None,
            "coverage": self.coverage,
            "import_timeout": self.import_timeout,
        }


class WorkerHandle(Protocol):
    """One worker process serving one revision."""

    def ready(self) -> Future[int]:
        """Answers (with the worker's process id) once the worker has started."""
        ...

    def probe(self, target: str, inputs: list[str] | None = None) -> Future[tuple[str, str]]:
        """Whether the revision has the target, and takes the recorded `inputs`."""
        ...

    def run(self, target: str, items: list[Item]) -> Future[list[Result]]:
        """Replay a batch."""
        ...

    def finish(self) -> Future[dict[str, dict[str, list[int]]]]:
        """Stop measuring and return executed lines per coverage context."""
        ...

    def kill(self) -> None:
        """Stop the worker at once."""
        ...

    def close(self) -> None:
        """Stop the worker after its queued work."""
        ...


class Backend(Protocol):
    """Starts workers."""

    name: str

    def start(self, spec: PoolSpec) -> WorkerHandle:
        """A new worker for the revision in `spec`."""
        ...

    def default_workers(self, pools: int) -> int:
        """How many workers each of `pools` concurrent pools should get."""
        ...

    def pool_size(self, pools: int, workers: int | None) -> int:
        """Workers per pool (`workers`, or the default), reserving what they need at once.

        Raises a ConfigError when the workers asked for cannot all run at the same time.
        """
        ...

    def close(self) -> None:
        """Release the backend."""
        ...


class WorkerLost(Exception):
    """A worker process ended while it had work."""


class WorkerError(Exception):
    """A worker could not do what was asked (a bug, not the code under replay failing)."""


@dataclass
class _Slot:
    handle: WorkerHandle
    pending: int = 0
    fresh: bool = True


@dataclass(frozen=True)
class Ticket:
    """A batch sent to a worker."""

    index: int
    handle: WorkerHandle
    future: Future[list[Result]]
    target: str
    items: list[Item]


@dataclass
class Pool:
    """One revision's workers."""

    backend: Backend
    spec: PoolSpec
    size: int
    slots: list[_Slot] = field(default_factory=list)
    coverage: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    restarts: int = 0

    def __post_init__(self) -> None:
        self.slots = [_Slot(self.backend.start(self.spec)) for _ in range(self.size)]

    def probe(self, target: str, inputs: list[str] | None = None) -> tuple[str, str]:
        """Whether this revision can run the target (asked of the first worker).

        The answer must come within the import timeout (plus start-up time): a worker stuck
        importing is killed and replaced, and the state is `stuck`.
        """
        slot = self.slots[0]
        slot.fresh = False
        limit = (self.spec.import_timeout or self.spec.timeout) + GRACE_SECONDS
        try:
            slot.handle.ready().result(timeout=STARTUP_SECONDS)
        except FutureTimeout:
            self._replace(0, only_if=slot.handle)
            return ("stuck", f"the worker did not start within {STARTUP_SECONDS:g} s")
        except Exception as exc:
            if not _is_worker_loss(exc):
                raise
            self._replace(0, only_if=slot.handle)
            return ("broken", f"the worker could not start: {exc}")
        try:
            return slot.handle.probe(target, inputs).result(timeout=limit)
        except FutureTimeout:
            self._replace(0, only_if=slot.handle)
            return (
                "stuck",
                f"importing {target} did not finish within {limit:g} s; the worker was killed",
            )
        except Exception as exc:
            if not _is_worker_loss(exc):
                raise
            self._replace(0, only_if=slot.handle)
            return ("broken", f"the worker died importing {target}: {exc}")

    def _warm(self, index: int, target: str) -> None:
        """Wait for a new worker to start and import the target, outside any sample's timeout."""
        slot = self.slots[index]
        if not slot.fresh:
            return
        slot.fresh = False
        try:
            slot.handle.probe(target).result(timeout=STARTUP_SECONDS)
        except Exception as exc:  # a worker that cannot start shows up on its first batch
            if not (_is_worker_loss(exc) or isinstance(exc, FutureTimeout)):
                raise

    def submit(self, target: str, items: list[Item]) -> Ticket:
        """Send a batch to the least busy worker."""
        index = min(range(len(self.slots)), key=lambda i: self.slots[i].pending)
        self._warm(index, target)
        slot = self.slots[index]
        slot.pending += 1
        return Ticket(index, slot.handle, slot.handle.run(target, items), target, items)

    def collect(self, ticket: Ticket) -> list[Result]:
        """The results of a batch; a dead or hung worker is replaced and the batch retried."""
        slot = self.slots[ticket.index]
        if slot.handle is ticket.handle:
            slot.pending -= 1
        deadline = self.spec.timeout * len(ticket.items) + GRACE_SECONDS
        try:
            return ticket.future.result(timeout=deadline)
        except FutureTimeout:
            self._replace(ticket.index, only_if=ticket.handle)
        except Exception as exc:
            if not _is_worker_loss(exc):
                raise
            self._replace(ticket.index, only_if=ticket.handle)
        return self._one_by_one(ticket.index, ticket.target, ticket.items)

    def _one_by_one(self, index: int, target: str, items: list[Item]) -> list[Result]:
        out: list[Result] = []
        for item in items:
            self._warm(index, target)
            future = self.slots[index].handle.run(target, [item])
            try:
                out += future.result(timeout=self.spec.timeout + GRACE_SECONDS)
            except FutureTimeout:
                doc = values.canonical({"timeout": {"seconds": self.spec.timeout}})
                out.append((item[0], "timeout", doc, self.spec.timeout * 1000.0))
                self._replace(index, only_if=self.slots[index].handle)
            except Exception as exc:
                if not _is_worker_loss(exc):
                    raise
                reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                doc = values.canonical({"crashed": {"reason": reason}})
                out.append((item[0], "crash", doc, 0.0))
                self._replace(index, only_if=self.slots[index].handle)
        return out

    def _replace(self, index: int, *, only_if: WorkerHandle) -> None:
        slot = self.slots[index]
        if slot.handle is not only_if:
            return
        self._harvest(slot.handle, kill=True)
        slot.handle = self.backend.start(self.spec)
        slot.pending = 0
        slot.fresh = True
        self.restarts += 1

    def _harvest(self, handle: WorkerHandle, *, kill: bool) -> None:
        if kill:
            handle.kill()
            return
        try:
            measured = handle.finish().result(timeout=60)
        except Exception:  # a worker that cannot report its coverage loses only that
            measured = {}
        for context, files in measured.items():
            target = self.coverage.setdefault(context, {})
            for path, lines in files.items():
                target[path] = sorted(set(target.get(path, [])) | set(lines))
        handle.close()

    def close(self) -> dict[str, dict[str, list[int]]]:
        """Stop every worker; returns the executed lines they measured, per context."""
        for slot in self.slots:
            self._harvest(slot.handle, kill=False)
        self.slots = []
        return self.coverage


def _is_worker_loss(exc: BaseException) -> bool:
    if isinstance(exc, WorkerLost):
        return True
    return type(exc).__name__ in _RAY_LOSSES


def backend_for(name: str, address: str | None = None) -> Backend:
    """The backend named `local` or `ray`."""
    if name == "ray":
        from realitycheck.replay.ray_backend import RayBackend

        return RayBackend(address)
    from realitycheck.replay.local import LocalBackend

    return LocalBackend()


def chunks(items: Sequence[Item], size: int) -> list[list[Item]]:
    """Items cut into batches of at most `size`."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
