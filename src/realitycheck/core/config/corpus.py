"""`[corpus]`: settings of the corpus capability."""

from __future__ import annotations

from realitycheck.core.config.base import Section


class CorpusConfig(Section):
    """Settings of the corpus capability (its issue adds the keys)."""
