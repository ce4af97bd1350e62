"""WSGI middleware (Flask, Django, any WSGI app): record each request and response.

    app.wsgi_app = WSGIRecordingMiddleware(app.wsgi_app, route_resolver=flask_routes(app))
    application = WSGIRecordingMiddleware(get_wsgi_application(), route_resolver=django_routes())

A request body with a Content-Length up to `max_body_kb` is read first and handed to the app
from memory; the response is copied as it streams out, and recorded when the server closes it.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from realitycheck.corpus.capture import state
from realitycheck.corpus.capture.items import HttpExchange, RouteResolver
from realitycheck.corpus.http import http_target, template_path

if TYPE_CHECKING:
    from realitycheck.corpus.capture.recorder import Recorder

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def flask_routes(app: Any) -> RouteResolver:
    """A resolver giving Flask's rule for a request (`/users/<int:id>` → `/users/{id}`)."""

    def resolve(method: str, path: str) -> str | None:
        adapter = app.url_map.bind("localhost", url_scheme="http")
        try:
            rule, _ = adapter.match(path, method=method, return_rule=True)
        except Exception:
            return None
        return _CONVERTER.sub(r"{\1}", str(rule.rule))

    return resolve


def django_routes(urlconf: str | None = None) -> RouteResolver:
    """A resolver giving Django's route for a request (`users/<int:pk>/` → `/users/{pk}/`)."""

    def resolve(method: str, path: str) -> str | None:
        from django.urls import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
            Resolver404,
            resolve,
        )

        try:
            match = resolve(path, urlconf)
        except Resolver404:
            return None
        route = getattr(match, "route", None)
        if not route:
            return None
        route = _CONVERTER.sub(r"{\1}", str(route)).lstrip("^").rstrip("$")
        return "/" + route.lstrip("/")

    return resolve


class _Body:
    """The response iterable, copied as it is consumed; records the exchange when closed."""

    def __init__(
        self, inner: Iterable[bytes], done: Callable[[list[bytes], bool], None], limit: int
    ) -> None:
        self.inner = inner
        self.done = done
        self.limit = limit
        self.chunks: list[bytes] = []
        self.size = 0
        self.finished = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.size += len(chunk)
            if self.size <= self.limit:
                self.chunks.append(chunk)
            yield chunk
        self._finish()  # the whole body went out (a server also calls close, later)

    def close(self) -> None:
        try:
            close = getattr(self.inner, "close", None)
            if close is not None:
                close()
        finally:
            self._finish()

    def _finish(self) -> None:
        if not self.finished:
            self.finished = True
            self.done(self.chunks, self.size > self.limit)


class WSGIRecordingMiddleware:
    """Records requests to a WSGI app through the process's (or a given) recorder."""

    def __init__(
        self,
        app: WSGIApp,
        recorder: Recorder | None = None,
        *,
        route_resolver: RouteResolver | None = None,
    ) -> None:
        self.app = app
        self.recorder = recorder
        self.route_resolver = route_resolver

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        recorder = self.recorder or state.CURRENT
        if recorder is None:
            return self.app(environ, start_response)
        method = str(environ.get("REQUEST_METHOD", "GET"))
        path = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", "") or "/")
        provisional = (
            None if recorder.sampler.everything else http_target(method, template_path(path))
        )
        if not recorder.admit(provisional):
            return self.app(environ, start_response)
        limit = recorder.settings.max_body_bytes
        body, too_large = self._read_body(environ, limit)
        response: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            response["status"] = status
            response["headers"] = headers
            if exc_info is not None:
                return start_response(status, headers, exc_info)
            return start_response(status, headers)

        at, began = time.time(), time.perf_counter()

        def done(chunks: list[bytes], over: bool) -> None:
            self._record(
                recorder,
                environ,
                method,
                path,
                body,
                too_large or over,
                response,
                chunks,
                (time.perf_counter() - began) * 1000,
                at,
            )

        return _Body(self.app(environ, start), done, limit)

    def _read_body(self, environ: dict[str, Any], limit: int) -> tuple[bytes, bool]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= 0:
            return b"", False
        if length > limit:
            return b"", True
        stream = environ["wsgi.input"]
        body = stream.read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return body, False

    def _record(
        self,
        recorder: Recorder,
        environ: dict[str, Any],
        method: str,
        path: str,
        body: bytes,
        too_large: bool,
        response: dict[str, Any],
        chunks: list[bytes],
        duration: float,
        at: float,
    ) -> None:
        try:
            if "status" not in response:
                return
            if too_large:
                recorder.drop("too-large", f"a body of {path} is over max_body_kb")
                return
            headers = [
                (key[5:].replace("_", "-").lower(), str(value))
                for key, value in environ.items()
                if key.startswith("HTTP_")
            ]
            for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                if environ.get(key):
                    headers.append((key.replace("_", "-").lower(), str(environ[key])))
            exchange = HttpExchange(
                method=method,
                path=path,
                query=str(environ.get("QUERY_STRING", "")),
                headers=headers,
                body=body,
                status=int(str(response["status"]).split(" ", 1)[0]),
                resp_headers=list(response["headers"]),
                resp_body=b"".join(chunks),
                duration_ms=duration,
                at=at,
                route=None,
                source="capture:wsgi",
                resolver=self.route_resolver,
            )
            recorder.submit(exchange)
        except Exception as exc:
            recorder.drop("error", f"could not record a request: {type(exc).__name__}: {exc}")
