"""What the request path hands to the writer: raw pieces, turned into samples off the hot path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from realitycheck.corpus.capture.encode import Snapshot, resolve_pending
from realitycheck.corpus.http import BlobPut, http_input, http_output, http_target, template_path

SampleParts = tuple[str, str, dict[str, Any], dict[str, Any] | None, list[str]]


class FunctionCall:
    """A decorated function's call: its arguments and its return value or exception."""

    __slots__ = ("at", "duration_ms", "input", "nbytes", "output", "raised", "target")

    def __init__(
        self,
        target: str,
        input: Snapshot,
        output: Snapshot | None,
        raised: tuple[str, str] | None,
        duration_ms: float,
        at: float,
    ) -> None:
        self.target = target
        self.input = input
        self.output = output
        self.raised = raised
        self.duration_ms = duration_ms
        self.at = at
        self.nbytes = len(input.data) + sum(map(len, input.blobs)) + 200
        if output is not None:
            self.nbytes += len(output.data) + sum(map(len, output.blobs))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as constructor arguments: four times cheaper than slot state, and the
        # pickling runs in the host's writer thread, holding the host's interpreter lock.
        return _function_call, (
            self.target,
            (self.input.data, self.input.blobs, self.input.lossy),
            None
            if self.output is None
            else (self.output.data, self.output.blobs, self.output.lossy),
            self.raised,
            self.duration_ms,
            self.at,
        )

    def settle(self) -> None:
        """Nothing to resolve before another process takes the call."""

    def sample(self, blob: BlobPut) -> SampleParts:
        """(target, kind, input, output, tags)."""
        args = resolve_pending(orjson.loads(self.input.data), self.input.blobs, blob)
        tags = ["capture"]
        if self.raised is not None:
            output: dict[str, Any] = {"raised": {"type": self.raised[0], "message": self.raised[1]}}
        else:
            value = None
            if self.output is not None:
                value = resolve_pending(orjson.loads(self.output.data), self.output.blobs, blob)
            output = {"return": value}
        if self.input.lossy or (self.output is not None and self.output.lossy):
            tags.append("unserializable")
        return self.target, "function", {"args": args}, output, tags


def _snapshot(parts: tuple[bytes, list[bytes], bool]) -> Snapshot:
    snap = Snapshot()
    snap.data, snap.blobs, snap.lossy = parts
    return snap


def _function_call(
    target: str,
    input: tuple[bytes, list[bytes], bool],
    output: tuple[bytes, list[bytes], bool] | None,
    raised: tuple[str, str] | None,
    duration_ms: float,
    at: float,
) -> FunctionCall:
    """A FunctionCall from its pickled parts."""
    out = None if output is None else _snapshot(output)
    return FunctionCall(target, _snapshot(input), out, raised, duration_ms, at)


RouteResolver = Callable[[str, str], "str | None"]
HeaderPairs = list[tuple[str, str]] | list[tuple[bytes, bytes]]


class HttpExchange:
    """A request and its response, as raw bytes and header pairs."""

    __slots__ = (
        "at",
        "body",
        "duration_ms",
        "headers",
        "method",
        "nbytes",
        "path",
        "query",
        "resolver",
        "resp_body",
        "resp_headers",
        "route",
        "source",
        "status",
    )

    def __init__(
        self,
        method: str,
        path: str,
        query: str,
        headers: HeaderPairs,
        body: bytes,
        status: int,
        resp_headers: HeaderPairs,
        resp_body: bytes,
        duration_ms: float,
        at: float,
        route: str | None,
        source: str,
        resolver: RouteResolver | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.status = status
        self.resp_headers = resp_headers
        self.resp_body = resp_body
        self.duration_ms = duration_ms
        self.at = at
        self.route = route
        self.source = source
        self.resolver = resolver
        self.nbytes = len(body) + len(resp_body) + 64 * (len(headers) + len(resp_headers)) + 200

    def __reduce__(self) -> tuple[Any, ...]:
        # Constructor arguments, as for FunctionCall; the route resolver stays behind (call
        # `settle` first: a host's router cannot travel to another process).
        return HttpExchange, (
            self.method,
            self.path,
            self.query,
            self.headers,
            self.body,
            self.status,
            self.resp_headers,
            self.resp_body,
            self.duration_ms,
            self.at,
            self.route,
            self.source,
        )

    def settle(self) -> None:
        """Resolve the route here (a host's router cannot travel to another process)."""
        if self.route is None and self.resolver is not None:
            try:
                self.route = self.resolver(self.method, self.path)
            except Exception:  # a host's router may fail in any way
                self.route = None
        self.resolver = None

    def target(self) -> str:
        """`http:METHOD /route`, from the framework's route when known."""
        route = self.route
        if route is None and self.resolver is not None:
            try:
                route = self.resolver(self.method, self.path)
            except Exception:
                route = None
        return http_target(self.method, route or template_path(self.path))

    def sample(self, blob: BlobPut) -> SampleParts:
        """(target, kind, input, output, tags)."""
        sample_input = http_input(self.method, self.path, self.query, self.headers, self.body, blob)
        output = http_output(self.status, self.resp_headers, self.resp_body, blob)
        return self.target(), "http", sample_input, output, ["capture"]
