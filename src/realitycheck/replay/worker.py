"""The replay worker: one revision's tree on sys.path, calling a target on recorded inputs.

A worker process serves exactly one revision, so the base and the head code never share an
interpreter. It imports only the standard library (and coverage.py when asked to measure), so
nothing of realitycheck's own dependencies leaks into the code under replay. Every local worker
process and every Ray actor runs these functions.

An item is `(sample_id, input_json)`; a result is `(sample_id, status, output_json, duration_ms)`
with status `return`, `raised`, `timeout` or `input-error`.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import os
import pickle
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from realitycheck.replay import values
from realitycheck.replay.binding import bind, load_blobs

Item = tuple[str, str]
Result = tuple[str, str, str, float]


class SampleTimeout(BaseException):
    """A call ran past its time limit (a BaseException, so `except Exception` cannot swallow it)."""


Resolved = tuple[Callable[..., Any], list[tuple[str, Any]]] | BaseException


class _State:
    def __init__(self) -> None:
        self.tree = Path()
        self.blob_root: Path | None = None
        self.timeout = 10.0
        self.import_timeout = 10.0
        self.alarm = False
        self.coverage: Any = None
        self.per_sample = False
        self.targets: dict[str, Resolved] = {}


_state = _State()


def init(spec: dict[str, Any]) -> None:
    """Prepare this process for one revision: sys.path, working folder, timer, coverage."""
    tree = Path(spec.get("tree") or Path.cwd()).resolve()
    _state.tree = tree
    roots = [str((tree / r).resolve()) for r in spec.get("roots", ["."])]
    sys.path[:0] = [r for r in roots if r not in sys.path]
    importlib.invalidate_caches()
    os.chdir(tree)
    blob_root = spec.get("blob_root")
    _state.blob_root = Path(blob_root) if blob_root else None
    _state.timeout = float(spec.get("timeout", 10.0))
    _state.import_timeout = float(spec.get("import_timeout") or _state.timeout)
    _state.targets = {}
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, _on_alarm)
        _state.alarm = True
    mode = spec.get("coverage")
    if mode:
        import coverage

        cov = coverage.Coverage(
            data_file=None, include=[f"{tree}{os.sep}*"], config_file=False, branch=False
        )
        cov.start()
        _state.coverage = cov
        _state.per_sample = mode == "sample"


def _on_alarm(signum: int, frame: object) -> None:
    raise SampleTimeout()


def pid() -> int:
    """This worker's process id (so a hung worker can be stopped)."""
    return os.getpid()


def probe(target: str, inputs: list[str] | None = None) -> tuple[str, str]:
    """Whether this tree can run the target on recorded inputs.

    ("ok", ""); ("missing", why) when the tree has no such function; ("broken", why) when
    importing it fails (or runs past the import timeout); ("signature", why) when not one of
    `inputs` (recorded input documents) binds to the function's parameters.
    """
    resolved = _resolve(target)
    if isinstance(resolved, BaseException):
        why = f"{values.type_name(resolved)}: {resolved}"
        return ("missing" if _is_missing(resolved, target) else "broken", why)
    fn, params = resolved
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # no signature to check (a builtin): the calls will tell
        return ("ok", "")
    first = ""
    for text in inputs or []:
        try:
            args = json.loads(text).get("args", {})
            pos, kw = bind(params, args if isinstance(args, dict) else {})
            signature.bind(*pos, **kw)
        except (TypeError, ValueError, AttributeError) as exc:
            first = first or f"{values.type_name(exc)}: {exc}"
            continue
        return ("ok", "")
    return ("signature", first) if first else ("ok", "")


def _is_missing(exc: BaseException, target: str) -> bool:
    module = target.partition(":")[0]
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return module == exc.name or module.startswith(exc.name + ".")
    return isinstance(exc, AttributeError) and getattr(exc, "_rc_lookup", False)


def _resolve(target: str) -> tuple[Callable[..., Any], list[tuple[str, Any]]] | BaseException:
    cached = _state.targets.get(target)
    if cached is not None:
        return cached
    if _state.coverage is not None:
        _state.coverage.switch_context(f"{target}|import")
    module_name, _, qualname = target.partition(":")
    result: tuple[Callable[..., Any], list[tuple[str, Any]]] | BaseException
    try:
        obj: Any = _import(module_name)
        for part in qualname.split("."):
            try:
                obj = getattr(obj, part)
            except AttributeError as exc:
                exc._rc_lookup = True  # type: ignore[attr-defined]
                raise
        if not callable(obj):
            raise TypeError(f"{target} is not callable")
        result = (obj, _parameters(obj))
    except Exception as exc:
        result = exc
    _state.targets[target] = result
    return result


def _import(module_name: str) -> Any:
    """Import a module, within the import timeout (a hang becomes a TimeoutError)."""
    if _state.alarm:
        signal.setitimer(signal.ITIMER_REAL, _state.import_timeout)
    try:
        return importlib.import_module(module_name)
    except SampleTimeout:
        raise TimeoutError(
            f"importing {module_name} ran past {_state.import_timeout:g} s"
        ) from None
    finally:
        if _state.alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _parameters(fn: Callable[..., Any]) -> list[tuple[str, Any]]:
    try:
        return [(p.name, p.kind) for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return []


def run_batch(
    target: str, items: list[Item], blobs: dict[str, bytes] | None = None
) -> list[Result]:
    """Call the target on each item and capture what it returned or raised, and how long."""
    resolved = _resolve(target)
    cov = _state.coverage
    out: list[Result] = []
    if cov is not None and not _state.per_sample:
        cov.switch_context(target)
    for sample_id, input_json in items:
        if isinstance(resolved, BaseException):
            out.append((sample_id, "raised", values.raised(resolved), 0.0))
            continue
        fn, params = resolved
        try:
            recorded = json.loads(input_json)
            args = load_blobs(recorded.get("args", {}), blobs, _state.blob_root)
            pos, kw = bind(params, args)
        except Exception as exc:
            out.append((sample_id, "input-error", values.raised(exc), 0.0))
            continue
        if cov is not None and _state.per_sample:
            cov.switch_context(f"{target}|{sample_id}")
        out.append((sample_id, *_call(fn, pos, kw)))
    return out


def _call(fn: Callable[..., Any], pos: list[Any], kw: dict[str, Any]) -> tuple[str, str, float]:
    start = time.perf_counter()
    if _state.alarm:
        signal.setitimer(signal.ITIMER_REAL, _state.timeout)
    try:
        value = fn(*pos, **kw)
        if inspect.iscoroutine(value):
            value = asyncio.run(value)
        status, text = "return", values.returned(value)
    except SampleTimeout:
        status, text = "timeout", values.canonical({"timeout": {"seconds": _state.timeout}})
    except (Exception, SystemExit, GeneratorExit) as exc:
        status, text = "raised", values.raised(exc)
    finally:
        if _state.alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return status, text, (time.perf_counter() - start) * 1000.0


def finish() -> dict[str, dict[str, list[int]]]:
    """Stop measuring and return the executed lines per coverage context and tree-relative file."""
    cov = _state.coverage
    if cov is None:
        return {}
    cov.stop()
    data = cov.get_data()
    out: dict[str, dict[str, list[int]]] = {}
    prefix = f"{_state.tree}{os.sep}"
    for path in data.measured_files():
        if not path.startswith(prefix):
            continue
        rel = Path(path[len(prefix) :]).as_posix()
        for line, contexts in data.contexts_by_lineno(path).items():
            for context in contexts:
                out.setdefault(context, {}).setdefault(rel, []).append(line)
    _state.coverage = None
    return out


HEADER = struct.Struct("!Q")


def serve() -> None:
    """Answer requests on standard input until it closes (the local backend's worker process).

    A request is `(seq, method, args)` and a reply `(seq, ok, value)`, each pickled behind an
    8-byte length; the pipe joins two processes of the same installation, nothing else. The
    code under replay may print: its standard output goes to standard error instead.
    """
    channel_in = sys.stdin.buffer
    channel_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    methods: dict[str, Callable[..., Any]] = {
        "init": init,
        "pid": pid,
        "probe": probe,
        "run": run_batch,
        "finish": finish,
    }
    while True:
        header = channel_in.read(HEADER.size)
        if len(header) < HEADER.size:
            return
        (size,) = HEADER.unpack(header)
        seq, method, args = pickle.loads(channel_in.read(size))
        try:
            reply = (seq, True, methods[method](*args))
        except Exception as exc:
            reply = (seq, False, f"{values.type_name(exc)}: {exc}")
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        channel_out.write(HEADER.pack(len(data)) + data)
        channel_out.flush()


if __name__ == "__main__":
    serve()
