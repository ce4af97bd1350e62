"""`[assumptions]`: settings of the assumptions capability."""

from __future__ import annotations

from realitycheck.core.config.base import Section


class AssumptionsConfig(Section):
    """Settings of the assumptions capability (its issue adds the keys)."""
