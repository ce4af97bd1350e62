"""`[replay]`: settings of the replay capability."""

from __future__ import annotations

from realitycheck.core.config.base import Section


class ReplayConfig(Section):
    """Settings of the replay capability (its issue adds the keys)."""
