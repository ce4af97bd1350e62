"""`realitycheck.capture`: the documented name of the capture API (`realitycheck.corpus.capture`).

`from realitycheck.capture import RecordingMiddleware` and `realitycheck.capture.configure(...)`
reach the same module object; names are still imported on first use.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from realitycheck.corpus import capture as _capture

if TYPE_CHECKING:
    from realitycheck.corpus.capture.asgi import RecordingMiddleware as RecordingMiddleware
    from realitycheck.corpus.capture.control import configure as configure
    from realitycheck.corpus.capture.control import current as current
    from realitycheck.corpus.capture.control import disable as disable
    from realitycheck.corpus.capture.control import flush as flush
    from realitycheck.corpus.capture.control import recording as recording
    from realitycheck.corpus.capture.decorator import record as record
    from realitycheck.corpus.capture.recorder import CaptureSettings as CaptureSettings
    from realitycheck.corpus.capture.recorder import Recorder as Recorder
    from realitycheck.corpus.capture.wsgi import (
        WSGIRecordingMiddleware as WSGIRecordingMiddleware,
    )
    from realitycheck.corpus.capture.wsgi import django_routes as django_routes
    from realitycheck.corpus.capture.wsgi import flask_routes as flask_routes

sys.modules[__name__] = _capture
