"""realitycheck: check AI-written code changes against reality."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "capture", "record"]


def __getattr__(name: str) -> Any:
    # The capture API is imported on first use, so `import realitycheck` stays cheap.
    if name == "record":
        from realitycheck.corpus.capture.decorator import record

        return record
    if name == "capture":
        import realitycheck.corpus.capture as capture

        return capture
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
