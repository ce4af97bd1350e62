"""Built-in probes that mined assumptions name (a folder put on the probe workers' path)."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent
MODULE = "_realitycheck_conversions"


def probe(name: str) -> str:
    """The probe spec of a built-in conversion probe."""
    return f"{MODULE}:{name}"
