"""Lines of unknown origin: the setting that applies to a file, and how the report says it."""

from __future__ import annotations

from realitycheck.boundaries.model import BoundaryFinding
from realitycheck.boundaries.patterns import PathPattern
from realitycheck.core.config.boundaries import BoundariesConfig

RELAX = (
    'lines of unknown origin count as AI-written: boundaries.unknown_lines = "strict" '
    "(the default); to relax it where humans edit without AI markers, set it per path: "
    '[boundaries.unknown_lines_paths] ".github/**" = "warn"'
)


def unknown_setting(config: BoundariesConfig, path: str) -> tuple[str, str]:
    """The unknown_lines setting of a file, and the key it comes from (the last match wins)."""
    setting, source = config.unknown_lines, "boundaries.unknown_lines"
    for pattern, value in config.unknown_lines_paths.items():
        if PathPattern(pattern).matches(path):
            setting, source = value, f'boundaries.unknown_lines_paths "{pattern}"'
    return setting, source


def title(findings: list[BoundaryFinding]) -> str:
    """The findings table's title: who wrote the lines, as far as provenance knows."""
    origins = {f.origin for f in findings}
    if origins == {"unknown"}:
        return "Lines of unknown origin inside boundaries"
    if "unknown" in origins:
        return "AI-written lines and lines of unknown origin inside boundaries"
    return "AI-written lines inside boundaries"


def counted(findings: list[BoundaryFinding]) -> str:
    """`1 AI-written change and 2 changes of unknown origin`."""
    ai = sum(1 for f in findings if f.origin != "unknown")
    unknown = len(findings) - ai
    parts = []
    if ai:
        parts.append(f"{ai} AI-written change{'s' * (ai != 1)}")
    if unknown:
        parts.append(f"{unknown} change{'s' * (unknown != 1)} of unknown origin")
    return " and ".join(parts)
