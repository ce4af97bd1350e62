"""`@realitycheck.record()`: record a function's arguments and its result or exception.

Until capture is configured for the process, the wrapper only looks up one global and calls
through, so the decorator can stay in production code (and in code that replay workers import)
at no cost. Arguments are bound to parameter names (`{"args": {"payload": ..., "strict": true}}`,
defaults filled in, `self`/`cls` left out) and serialized before the call, since the function
may change them.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar, overload

from realitycheck.corpus.capture import state
from realitycheck.corpus.capture.encode import snapshot
from realitycheck.corpus.capture.items import FunctionCall

F = TypeVar("F", bound=Callable[..., Any])
TARGET_ATTRIBUTE = "__realitycheck_target__"


class Binder:
    """Binds a call's arguments to the function's parameter names, cheaply."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.signature = inspect.signature(fn)
        params = list(self.signature.parameters.values())
        self.skip_first = (
            bool(params)
            and params[0].name in ("self", "cls")
            and ("." in getattr(fn, "__qualname__", ""))
        )
        simple = all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params)
        self.names = [p.name for p in params] if simple else None
        self.defaults = {p.name: p.default for p in params if p.default is not p.empty}
        if self.skip_first and params:
            self.defaults.pop(params[0].name, None)

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The arguments by parameter name (`*args` and `**kwargs` under their own names)."""
        if self.names is not None and len(args) <= len(self.names):
            out = dict(self.defaults)
            out.update(zip(self.names, args, strict=False))
            out.update(kwargs)
        else:
            try:
                bound = self.signature.bind_partial(*args, **kwargs)
            except TypeError:  # the call itself will fail the same way; record what was given
                return {"$args": list(args), "$kwargs": dict(kwargs)}
            bound.apply_defaults()
            out = dict(bound.arguments)
        if self.skip_first and out:
            out.pop(next(iter(self.signature.parameters)), None)
        return out


def target_of(fn: Callable[..., Any], name: str | None) -> str:
    """`fn:module:qualname`, or the given name (prefixed with `fn:` unless it has a kind)."""
    if name:
        return name if name.startswith(("fn:", "http:")) else f"fn:{name}"
    return f"fn:{fn.__module__}:{fn.__qualname__}"


def _qualified(exc: BaseException) -> str:
    kind = type(exc)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def _finish(
    target: str, inputs: Any, result: Any, raised: BaseException | None, start: float, at: float
) -> None:
    recorder = state.CURRENT
    if recorder is None:
        return
    try:
        duration = (time.perf_counter() - start) * 1000
        output = None if raised is not None else snapshot(result)
        error = (_qualified(raised), str(raised)[:2000]) if raised is not None else None
        call = FunctionCall(target, inputs, output, error, duration, at)
        if call.nbytes > recorder.settings.max_body_bytes:
            recorder.drop("too-large", f"a call of {target} is larger than max_body_kb")
            return
        recorder.submit(call)
    except Exception as exc:
        recorder.drop("error", f"could not record {target}: {type(exc).__name__}: {exc}")


def _wrap(fn: Callable[..., Any], name: str | None) -> Callable[..., Any]:
    target = target_of(fn, name)
    binder: Binder | None = None

    def begin(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        nonlocal binder
        if binder is None:
            binder = Binder(fn)
        return snapshot(binder.bind(args, kwargs))

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def arecorded(*args: Any, **kwargs: Any) -> Any:
            recorder = state.CURRENT
            if recorder is None or not recorder.admit(target):
                return await fn(*args, **kwargs)
            try:
                inputs, at, start = begin(args, kwargs), time.time(), time.perf_counter()
            except Exception:
                return await fn(*args, **kwargs)
            try:
                result = await fn(*args, **kwargs)
            except Exception as exc:
                _finish(target, inputs, None, exc, start, at)
                raise
            _finish(target, inputs, result, None, start, at)
            return result

        wrapper: Callable[..., Any] = arecorded
    else:

        @functools.wraps(fn)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            recorder = state.CURRENT
            if recorder is None or not recorder.admit(target):
                return fn(*args, **kwargs)
            try:
                inputs, at, start = begin(args, kwargs), time.time(), time.perf_counter()
            except Exception:
                return fn(*args, **kwargs)
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:
                _finish(target, inputs, None, exc, start, at)
                raise
            _finish(target, inputs, result, None, start, at)
            return result

        wrapper = recorded
    setattr(wrapper, TARGET_ATTRIBUTE, target)
    return wrapper


@overload
def record(name: F, /) -> F: ...
@overload
def record(name: str | None = None, /) -> Callable[[F], F]: ...
def record(name: Any = None, /) -> Any:
    """Record calls of the decorated function (target `fn:module:qualname`, or `fn:<name>`).

    Works on functions, async functions, methods, static and class methods. Records nothing
    until `realitycheck.capture.configure(...)` enables capture for the process.
    """
    if callable(name) or isinstance(name, (staticmethod, classmethod)):
        return _decorate(name, None)

    def decorator(fn: F) -> F:
        return _decorate(fn, name)  # type: ignore[no-any-return]

    return decorator


def _decorate(fn: Any, name: str | None) -> Any:
    if isinstance(fn, staticmethod):
        return staticmethod(_wrap(fn.__func__, name))
    if isinstance(fn, classmethod):
        return classmethod(_wrap(fn.__func__, name))
    return _wrap(fn, name)
