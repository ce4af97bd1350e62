"""A small service instrumented with prometheus-client, started by the judge's Prometheus tests.

Its behaviour comes from the environment: SERVICE_DELAY_MS (added latency per request) and
SERVICE_ERROR_EVERY (every Nth request answers 500; 0 never). Run with uvicorn.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

DELAY = float(os.environ.get("SERVICE_DELAY_MS", "0")) / 1000
ERROR_EVERY = int(os.environ.get("SERVICE_ERROR_EVERY", "0"))
REGISTRY = CollectorRegistry()
REQUESTS = Counter("app_requests", "Requests served", ["status"], registry=REGISTRY)
LATENCY = Histogram(
    "app_request_seconds",
    "Request latency",
    buckets=(0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2),
    registry=REGISTRY,
)
COUNTER = itertools.count(1)


async def work(request: Request) -> Response:
    with LATENCY.time():
        await asyncio.sleep(0.003 + random.random() * 0.004 + DELAY)
        failed = ERROR_EVERY and next(COUNTER) % ERROR_EVERY == 0
        status = 500 if failed else 200
    REQUESTS.labels(status=str(status)).inc()
    return PlainTextResponse("failed" if failed else "ok", status_code=status)


async def metrics(request: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


app = Starlette(routes=[Route("/work", work), Route("/metrics", metrics)])
