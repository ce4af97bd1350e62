"""The ASGI app: the controllers' endpoints, `/healthz`, `/metrics` and `/openapi.json`."""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.exceptions import HTTPException

from realitycheck.core.config.deploy import TIERS, DeployConfig
from realitycheck.deploy.model import plan_for
from realitycheck.serve import contract
from realitycheck.serve.analyses import Analyses
from realitycheck.serve.model import (
    Answer,
    ArgoMeasure,
    Error,
    FlaggerPayload,
    JudgeError,
    JudgeFn,
    Settings,
    Subject,
)
from realitycheck.serve.store import Store

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Error, "description": "Missing or wrong bearer token."},
    422: {"model": Error, "description": "The request is malformed."},
    502: {"model": Error, "description": "The judge could not read its metrics."},
}
HOOK_ANSWERS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    409: {"model": Answer, "description": "No (Flagger counts any status above 202 as no)."},
}


class _Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "realitycheck_serve_requests",
            "Requests answered, by endpoint and status.",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.verdicts = Counter(
            "realitycheck_serve_verdicts",
            "Verdicts answered, by controller and verdict.",
            ["controller", "verdict"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            "realitycheck_serve_judge_seconds", "Time one poll of the judge took.",
            registry=self.registry,
        )  # fmt: skip


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _one_line(exc: RequestValidationError) -> str:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(p) for p in first.get("loc", ()))
    more = len(exc.errors()) - 1
    return f"{where}: {first.get('msg')}" + (f" (and {more} more)" if more > 0 else "")


def create_app(settings: Settings, judge: JudgeFn, config: DeployConfig | None = None) -> FastAPI:
    """The service: `judge` is called for every poll that is not yet decided."""
    settings.check()
    deploy = config or DeployConfig()
    store = Store(settings.state_path)
    analyses = Analyses(store, judge)
    metrics = _Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="realitycheck judge",
        version="1",
        description="The canary judge for Argo Rollouts (web metric provider) and Flagger "
        "(webhooks). Every verdict answer carries the verdict in `$.verdict`.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.analyses = analyses

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _one_line(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        return _error(500, f"internal error: {type(exc).__name__}")

    @app.middleware("http")
    async def _count(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        route = request.scope.get("route")  # the route's template: a bounded set of labels
        endpoint = getattr(route, "path", "unmatched")
        metrics.requests.labels(endpoint, str(response.status_code)).inc()
        return response

    def _authorised(header: str | None, metadata_token: str | None = None) -> None:
        if settings.token is None:
            return
        offered = metadata_token
        if header and header.startswith("Bearer "):
            offered = header[len("Bearer ") :]
        if offered is None or not hmac.compare_digest(offered.encode(), settings.token.encode()):
            raise HTTPException(401, "missing or wrong bearer token")

    def _poll(subject: Subject) -> Any:
        try:
            with metrics.seconds.time():
                record = analyses.poll(subject)
        except JudgeError as exc:
            raise HTTPException(502, f"the judge could not judge: {exc}") from exc
        metrics.verdicts.labels(subject.controller, record.decided or record.verdict).inc()
        return record

    def _flagger_subject(payload: FlaggerPayload) -> Subject:
        tier = payload.metadata.get("tier", "high")
        if tier not in TIERS:
            raise HTTPException(422, f"metadata.tier: unknown tier {tier!r}")
        return Subject(
            controller="flagger",
            namespace=payload.namespace,
            name=payload.name,
            revision=payload.checksum,
            baseline=None,
            plan=plan_for(tier, deploy),
        )

    def _hook_auth(request: Request, payload: FlaggerPayload) -> None:
        _authorised(request.headers.get("authorization"), payload.metadata.get("token"))

    @app.post("/argo/v1/measure", response_model=Answer, responses=ERRORS)
    def argo_measure(body: ArgoMeasure, request: Request) -> JSONResponse:
        """Argo Rollouts' web provider: always 200 with the verdict; non-2xx only on errors."""
        _authorised(request.headers.get("authorization"))
        subject = Subject(
            controller="argo",
            namespace=body.namespace,
            name=body.rollout,
            revision=body.revision,
            baseline=body.baseline,
            plan=plan_for(body.tier, deploy),
        )
        record = _poll(subject)
        return JSONResponse(
            contract.answer(record).model_dump(mode="json"),
            status_code=contract.argo_status(record),
        )

    failed: dict[int | str, dict[str, Any]] = {
        500: {"model": Answer, "description": "The judge failed the canary."}
    }

    @app.post("/flagger/rollout", response_model=Answer, responses={**ERRORS, **failed})
    def flagger_rollout(payload: FlaggerPayload, request: Request) -> JSONResponse:
        """Flagger's rollout hook: 500 (a failed check) when the judge failed it, else 200."""
        _hook_auth(request, payload)
        record = _poll(_flagger_subject(payload))
        return JSONResponse(
            contract.answer(record).model_dump(mode="json"),
            status_code=contract.flagger_rollout_status(record),
        )

    @app.post("/flagger/rollback", response_model=Answer, responses=HOOK_ANSWERS)
    def flagger_rollback(payload: FlaggerPayload, request: Request) -> JSONResponse:
        """Flagger's rollback hook (inverted): 200 only to roll back now."""
        _hook_auth(request, payload)
        subject = _flagger_subject(payload)
        record = analyses.read(subject)
        expired = record is not None and analyses.expired(record, subject)
        status, why = contract.flagger_rollback_status(record, expired)
        return _hook_answer(record, subject, status, why)

    @app.post("/flagger/confirm-traffic-increase", response_model=Answer, responses=HOOK_ANSWERS)
    def flagger_confirm_traffic_increase(payload: FlaggerPayload, request: Request) -> JSONResponse:
        """Flagger's confirm-traffic-increase hook: 200 once the step was held the plan's pause."""
        _hook_auth(request, payload)
        subject = _flagger_subject(payload)
        granted, why = analyses.next_step(subject)
        return _hook_answer(analyses.read(subject), subject, 200 if granted else 409, why)

    @app.post("/flagger/confirm-promotion", response_model=Answer, responses=HOOK_ANSWERS)
    def flagger_confirm_promotion(payload: FlaggerPayload, request: Request) -> JSONResponse:
        """Flagger's confirm-promotion hook: 200 only once the judge accepted the canary."""
        _hook_auth(request, payload)
        subject = _flagger_subject(payload)
        record = analyses.read(subject)
        status, why = contract.flagger_promotion_status(record)
        return _hook_answer(record, subject, status, why)

    @app.get("/healthz", responses={200: {"description": "The service and its store work."}})
    def healthz() -> dict[str, Literal["ok"]]:
        """Liveness and readiness: the state store answers."""
        store.get("healthz")
        return {"status": "ok"}

    @app.get("/metrics", response_class=PlainTextResponse)
    def prometheus_metrics() -> PlainTextResponse:
        """The service's own metrics, in Prometheus' text format."""
        return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app


def _hook_answer(record: Any, subject: Subject, status: int, why: str) -> JSONResponse:
    if record is None:
        body: dict[str, Any] = {
            "verdict": "nodata",
            "decided": None,
            "reason": why,
            "polls": 0,
            "started_at": None,
            "key": subject.key,
        }
        return JSONResponse(body, status_code=status)
    return JSONResponse(contract.answer(record, why).model_dump(mode="json"), status_code=status)
