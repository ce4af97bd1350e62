"""The judge as a service: Argo Rollouts' web metric provider and Flagger's webhooks.

`create_app(settings, judge)` builds the ASGI app; `realitycheck serve` runs it with uvicorn.
The sequential state of every analysis lives in a SQLite file (`store.py`), committed before an
answer leaves, so a restart or a `kill -9` loses no evidence and changes no decision.
"""

from __future__ import annotations

from realitycheck.serve.app import create_app
from realitycheck.serve.model import Outcome, Settings, Subject

__all__ = ["Outcome", "Settings", "Subject", "create_app"]
