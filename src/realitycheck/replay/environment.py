"""The environment that child processes (tests, services) start from."""

from __future__ import annotations

import os


def inherited() -> dict[str, str]:
    """A copy of this process's environment, for a child process to extend (never for settings)."""
    return dict(os.environ)
