"""The live page in a real browser: headless Chromium loads it, its script draws and refreshes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from .conftest import ProxyFactory, Services

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _dump_dom(url: str, profile: Path, budget_ms: int = 5000) -> str:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (scripts/services.sh installs it where apt can)")
    result = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_live_page_shows_divergences_and_refreshes_itself(
    services: Services, proxy: ProxyFactory, tmp_path: Path
) -> None:
    urls = services.urls
    with proxy(urls["primary"], urls["candidate"], urls["secondary"]) as running:
        for i in range(6):
            httpx.get(f"{running.url}/users/{i}")
        httpx.get(running.url + "/secret")
        running.settle()
        assert httpx.get(running.url + "/_realitycheck", follow_redirects=True).status_code == 200
        dom = _dump_dom(running.url + "/_realitycheck/", tmp_path / "profile")
    refreshes = re.search(r'data-refreshes="(\d+)"', dom)
    assert refreshes is not None and int(refreshes.group(1)) >= 2  # it fetched again on its own
    assert "7 compared" in dom
    assert "http:GET /users/{id}" in dom
    assert "$.body.plan" in dom and "UNEXPECTED" in dom
    assert "noise (noise; primary-vs-secondary 6)" in dom  # request_id, cancelled by the secondary
    assert "&quot;plan&quot;: &quot;free&quot;" in dom or '"plan": "free"' in dom  # side by side
    assert "ada.lovelace@example.com" not in dom  # examples are redacted
    assert "sk_live_" not in dom


def test_live_page_says_nothing_compared_before_traffic(
    services: Services, proxy: ProxyFactory, tmp_path: Path
) -> None:
    with proxy(services.urls["primary"], services.urls["candidate"]) as running:
        dom = _dump_dom(running.url + "/_realitycheck/", tmp_path / "profile", 2500)
    assert "Nothing compared yet: no verdict." in dom
    assert "0 requests answered by the primary" in dom
