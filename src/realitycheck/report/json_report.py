"""The JSON report (DESIGN.md's schema, `schema_version` 1)."""

from __future__ import annotations

import json

from realitycheck.core.report import Report


def render(report: Report, *, color: bool = False) -> str:
    """Exactly one JSON document."""
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False, default=str)
