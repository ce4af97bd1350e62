"""ASGI middleware (Starlette, FastAPI, any ASGI app): record each HTTP request and response.

    app.add_middleware(RecordingMiddleware)          # Starlette / FastAPI
    app = RecordingMiddleware(app)                   # any ASGI app

The route is the framework's when it sets `scope["route"]` (Starlette and FastAPI do), so
`/users/42` under `/users/{user_id}` is recorded as `http:GET /users/{id}` (every parameter is
`{id}`, as importers name it); otherwise ids, UUIDs and long tokens in the path become `{id}`.
Bodies are copied as they stream past, up to `max_body_kb`.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from realitycheck.corpus.capture import state
from realitycheck.corpus.capture.items import HttpExchange, RouteResolver
from realitycheck.corpus.http import http_target, template_path

if TYPE_CHECKING:
    from realitycheck.corpus.capture.recorder import Recorder

_CONVERTER = re.compile(r"\{([^{}:]+):[^{}]+\}")  # Starlette's {name:int} -> {name}
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def route_from_scope(scope: Scope, root_path: str) -> str | None:
    """The route template the framework matched, with any mount prefix, or None."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return _from_params(scope)
    path = _template(path)
    prefix = str(scope.get("root_path", ""))[len(root_path) :]
    if not prefix:
        return path
    params = {str(v): k for k, v in (scope.get("path_params") or {}).items()}
    segments = prefix.split("/")
    prefix = "/".join("{" + params[s] + "}" if s in params else s for s in segments)
    return template_path(prefix) + path


@functools.lru_cache(maxsize=4096)
def _template(route: str) -> str:
    return _CONVERTER.sub(r"{\1}", route)


def _from_params(scope: Scope) -> str | None:
    """A template made by putting `{name}` where path parameters' values sit in the path."""
    params = scope.get("path_params")
    if not params:
        return None
    values = {str(v): k for k, v in params.items()}
    segments = str(scope.get("path", "")).split("/")
    return "/".join("{" + values[s] + "}" if s in values else s for s in segments)


class RecordingMiddleware:
    """Records requests to an ASGI app through the process's (or a given) recorder."""

    def __init__(
        self,
        app: App,
        recorder: Recorder | None = None,
        *,
        route_resolver: RouteResolver | None = None,
    ) -> None:
        self.app = app
        self.recorder = recorder
        self.route_resolver = route_resolver

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        recorder = self.recorder or state.CURRENT
        if scope["type"] != "http" or recorder is None:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path = scope.get("path") or "/"
        provisional = (
            None if recorder.sampler.everything else http_target(method, template_path(path))
        )
        if not recorder.admit(provisional):
            await self.app(scope, receive, send)
            return
        limit = recorder.settings.max_body_bytes
        root_path = str(scope.get("root_path", ""))
        request_body: list[bytes] = []
        response_body: list[bytes] = []
        response: dict[str, Any] = {}
        size = [0, 0]

        async def recv() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                size[0] += len(chunk)
                if size[0] <= limit:
                    request_body.append(chunk)
            return message

        async def snd(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                response["status"] = message["status"]
                response["headers"] = message.get("headers", ())
            elif kind == "http.response.body":
                chunk = message.get("body", b"")
                size[1] += len(chunk)
                if size[1] <= limit:
                    response_body.append(chunk)
            await send(message)

        at, start = time.time(), time.perf_counter()
        try:
            await self.app(scope, recv, snd)
        finally:
            duration = (time.perf_counter() - start) * 1000
            self._record(
                recorder,
                scope,
                root_path,
                request_body,
                response_body,
                response,
                size,
                duration,
                at,
            )

    def _record(
        self,
        recorder: Recorder,
        scope: Scope,
        root_path: str,
        request_body: list[bytes],
        response_body: list[bytes],
        response: dict[str, Any],
        size: list[int],
        duration: float,
        at: float,
    ) -> None:
        try:
            if "status" not in response:
                return  # the app failed before answering: there is no exchange to record
            if max(size) > recorder.settings.max_body_bytes:
                recorder.drop("too-large", f"a body of {scope.get('path')} is over max_body_kb")
                return
            exchange = HttpExchange(
                method=scope["method"],
                path=scope.get("path") or "/",
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=list(scope["headers"]),
                body=b"".join(request_body),
                status=int(response["status"]),
                resp_headers=list(response["headers"]),
                resp_body=b"".join(response_body),
                duration_ms=duration,
                at=at,
                route=route_from_scope(scope, root_path),
                source="capture:asgi",
                resolver=self.route_resolver,
            )
            recorder.submit(exchange)
        except Exception as exc:
            recorder.drop("error", f"could not record a request: {type(exc).__name__}: {exc}")
