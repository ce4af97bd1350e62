"""Fixtures of the shadow tests: real upstream services and a real proxy, all on loopback."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from realitycheck.core.config.shadow import ShadowConfig
from realitycheck.corpus.redact import build_redactor
from realitycheck.shadow.server import UVICORN_OPTIONS, Shadow, ShadowOptions, build

from .upstream import Upstream, serve


@dataclass
class Services:
    """Three running variants of one service."""

    primary: Upstream
    candidate: Upstream
    secondary: Upstream
    urls: dict[str, str]


@dataclass
class Running:
    """A proxy serving on loopback."""

    url: str
    shadow: Shadow
    results: Path

    def settle(self, timeout: float = 20.0) -> None:
        """Wait until every copy sent so far has been judged (no timing is asserted)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = self.data()
            judged = data["compared"] + sum(data.get("skipped", {}).values())
            if data["in_flight"] == 0 and judged >= data["copied"]:
                return
            time.sleep(0.02)
        raise AssertionError(f"copies still in flight: {self.data()}")

    def data(self) -> dict[str, Any]:
        """What the live page shows (the worker's snapshot and the proxy's counts)."""
        return self.shadow.live()


@pytest.fixture
def services() -> Iterator[Services]:
    """Primary, candidate and secondary, each a uvicorn server in a thread."""
    p, c, s = Upstream("primary"), Upstream("candidate"), Upstream("secondary")
    with serve(p) as pu, serve(c) as cu, serve(s) as su:
        yield Services(p, c, s, {"primary": pu, "candidate": cu, "secondary": su})


ProxyFactory = Callable[..., contextlib.AbstractContextManager[Running]]


@pytest.fixture
def proxy(tmp_path: Path) -> ProxyFactory:
    """Build and serve a proxy: `with proxy(primary=..., candidate=..., **config) as running`."""

    @contextlib.contextmanager
    def start(
        primary: str,
        candidate: str,
        secondary: str | None = None,
        *,
        expected: Any = None,
        recorder: Any = None,
        **config: Any,
    ) -> Iterator[Running]:
        results = tmp_path / "results"
        shadow = build(
            ShadowOptions(
                primary=httpx.URL(primary),
                candidate=httpx.URL(candidate),
                secondary=httpx.URL(secondary) if secondary else None,
                results=results,
                config=ShadowConfig(**config),
                redactor=build_redactor(tmp_path / "corpus"),
                expected=expected,
                head="f" * 40,
                recorder=recorder,
            )
        )
        with serve(shadow.app, **UVICORN_OPTIONS) as url:
            yield Running(url, shadow, results)

    return start
