"""`[boundaries]`: settings of the boundaries capability."""

from __future__ import annotations

from realitycheck.core.config.base import Section


class BoundariesConfig(Section):
    """Settings of the boundaries capability (its issue adds the keys)."""
