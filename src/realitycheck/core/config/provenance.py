"""`[provenance]`: settings of the provenance capability."""

from __future__ import annotations

from realitycheck.core.config.base import Section


class ProvenanceConfig(Section):
    """Settings of the provenance capability (its issue adds the keys)."""
