"""Real Stripe webhook events from the npm registry (`npm pack stripe-mock-data`), cached."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "stripe-mock-data"
PACKAGE = "stripe-mock-data@1.0.3"


def stripe_events() -> list[tuple[str, dict[str, Any]]]:
    """(file name, event) for every webhook event in the package; skips when npm is unreachable."""
    webhooks = CACHE / "package" / "data" / "webhooks"
    if not webhooks.is_dir():
        _download()
    out: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(webhooks.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for event in data if isinstance(data, list) else [data]:
            out.append((f"{path.parent.name}/{path.name}", event))
    return out


def _download() -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed, so stripe-mock-data cannot be fetched")
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE.parent) as tmp:
        try:
            proc = subprocess.run(
                ["npm", "pack", PACKAGE, "--pack-destination", tmp, "--silent"],
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.skip("the npm registry did not answer in time")
        tarballs = list(Path(tmp).glob("*.tgz"))
        if proc.returncode != 0 or not tarballs:
            pytest.skip(f"npm pack {PACKAGE} failed: {proc.stderr.strip()[-200:]}")
        unpacked = Path(tmp) / "out"
        with tarfile.open(tarballs[0]) as tar:
            tar.extractall(unpacked, filter="data")
        try:
            (unpacked).rename(CACHE)
        except OSError:  # another worker got there first
            if not CACHE.is_dir():
                raise
