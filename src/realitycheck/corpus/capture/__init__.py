"""In-process capture: the `record` decorator, ASGI and WSGI middleware, and `configure`.

Nothing is recorded until the host application calls `configure` (usually at start-up):

    import os, realitycheck
    realitycheck.capture.configure(environ=os.environ)      # on when REALITYCHECK_CAPTURE=1
    realitycheck.capture.configure(corpus="/var/lib/app/corpus", rate=0.1)

`REALITYCHECK_CAPTURE=0` in the environment passed in turns capture off whatever else is given,
so processes that import the host's code for other reasons (replay workers, tests) stay inert.
Names are imported on first use, so importing the decorator costs almost nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "record": "realitycheck.corpus.capture.decorator",
    "configure": "realitycheck.corpus.capture.control",
    "current": "realitycheck.corpus.capture.control",
    "flush": "realitycheck.corpus.capture.control",
    "disable": "realitycheck.corpus.capture.control",
    "recording": "realitycheck.corpus.capture.control",
    "CaptureSettings": "realitycheck.corpus.capture.recorder",
    "Recorder": "realitycheck.corpus.capture.recorder",
    "RecordingMiddleware": "realitycheck.corpus.capture.asgi",
    "WSGIRecordingMiddleware": "realitycheck.corpus.capture.wsgi",
    "django_routes": "realitycheck.corpus.capture.wsgi",
    "flask_routes": "realitycheck.corpus.capture.wsgi",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
