"""ASGI and WSGI capture: routes from the framework, bodies of every kind, servers on loopback."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx

from realitycheck.corpus.capture import RecordingMiddleware, WSGIRecordingMiddleware, flask_routes
from realitycheck.corpus.capture.control import recording
from realitycheck.corpus.store import Corpus

from .servers import uvicorn_server


def by_target(root: Path) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for s in Corpus(root).iter_samples():
        out.setdefault(s.target, []).append(s)
    return out


def starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Mount, Route

    async def user(request: Request) -> JSONResponse:
        return JSONResponse({"id": request.path_params["user_id"]})

    async def upload(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"got {len(await request.body())} bytes")

    api = Mount("/api/{tenant}", routes=[Route("/users/{user_id:int}", user)])
    app = Starlette(routes=[api, Route("/upload", upload, methods=["POST"])])
    app.add_middleware(RecordingMiddleware)
    return app


def test_starlette_routes_mounts_and_bodies(corpus_dir: Path, key_file: Path) -> None:
    with (
        recording(corpus_dir, key_file=key_file, max_per_hour=None),
        uvicorn_server(starlette_app()) as base,
        httpx.Client(base_url=base) as client,
    ):
        assert client.get("/api/acme/users/42").json() == {"id": 42}
        assert client.get("/api/globex/users/7?verbose=1").status_code == 200
        files = {"doc": ("a.bin", b"\x00\x01binary", "application/octet-stream")}
        assert client.post("/upload", data={"title": "hi"}, files=files).status_code == 200
        assert client.get("/nowhere/123").status_code == 404
    got = by_target(corpus_dir)
    users = got["http:GET /api/{id}/users/{id}"]
    assert len(users) == 2
    assert users[1].input["query"] == {"verbose": "1"}
    assert users[0].output["body"] == {"id": 42}
    (upload,) = got["http:POST /upload"]
    body = upload.input["body"]
    assert body["title"] == "hi"
    assert body["doc"]["filename"] == "a.bin"
    assert Corpus(corpus_dir).blobs.get(body["doc"]["content"]) == b"\x00\x01binary"
    assert "http:GET /nowhere/{id}" in got
    assert got["http:GET /nowhere/{id}"][0].output["status"] == 404


def test_fastapi_route_template(corpus_dir: Path, key_file: Path) -> None:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/items/{item_id}")
    def read(item_id: str, q: str | None = None) -> dict[str, Any]:
        return {"item": item_id, "q": q}

    app.add_middleware(RecordingMiddleware)
    with recording(corpus_dir, key_file=key_file), uvicorn_server(app) as base:
        assert httpx.get(base + "/items/widget-7?q=x").json() == {"item": "widget-7", "q": "x"}
    (sample,) = by_target(corpus_dir)["http:GET /items/{id}"]
    assert sample.output["body"] == {"item": "widget-7", "q": "x"}


async def raw_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app without a router: the path is templated by shape."""
    while (await receive()).get("more_body"):
        pass
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"ok": true}'})


def test_plain_asgi_paths_are_templated_by_shape(corpus_dir: Path, key_file: Path) -> None:
    app = RecordingMiddleware(raw_asgi)
    with recording(corpus_dir, key_file=key_file, max_per_hour=None), uvicorn_server(app) as base:
        httpx.get(base + "/orders/550e8400-e29b-41d4-a716-446655440000/lines/12")
        httpx.post(base + "/tokens/AbCdEf0123456789XyZ", json={"x": 1})
    assert set(by_target(corpus_dir)) == {
        "http:GET /orders/{id}/lines/{id}",
        "http:POST /tokens/{id}",
    }


def test_flask_rule_and_body(corpus_dir: Path, key_file: Path) -> None:
    from flask import Flask, jsonify, request

    app = Flask(__name__)

    @app.route("/users/<int:user_id>/notes", methods=["POST"])
    def notes(user_id: int) -> Any:
        return jsonify(user=user_id, text=request.get_json()["text"])

    app.wsgi_app = WSGIRecordingMiddleware(app.wsgi_app, route_resolver=flask_routes(app))  # type: ignore[method-assign]
    with recording(corpus_dir, key_file=key_file):
        response = app.test_client().post("/users/5/notes", json={"text": "hello"})
        assert response.get_json() == {"user": 5, "text": "hello"}
    (sample,) = by_target(corpus_dir)["http:POST /users/{id}/notes"]
    assert sample.input["body"] == {"text": "hello"}
    assert sample.output["body"] == {"text": "hello", "user": 5}


DJANGO_APP = """
import sys
import django
from django.conf import settings
from django.http import JsonResponse
from django.urls import path

def show(request, pk):
    return JsonResponse({"pk": pk})

urlpatterns = [path("articles/<int:pk>/", show)]
settings.configure(DEBUG=False, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"], SECRET_KEY="x" * 50,
                   MIDDLEWARE=[], INSTALLED_APPS=[])
django.setup()

from django.core.wsgi import get_wsgi_application
from werkzeug.test import Client
from realitycheck.corpus.capture import WSGIRecordingMiddleware, django_routes
from realitycheck.corpus.capture.control import recording

app = WSGIRecordingMiddleware(get_wsgi_application(), route_resolver=django_routes())
with recording(sys.argv[1], key_file=sys.argv[2]):
    response = Client(app).get("/articles/31/")
    assert response.json == {"pk": 31}, response.data
"""


def test_django_route(tmp_path: Path, corpus_dir: Path, key_file: Path) -> None:
    script = tmp_path / "djangoapp.py"
    script.write_text(textwrap.dedent(DJANGO_APP))
    proc = subprocess.run(
        [sys.executable, str(script), str(corpus_dir), str(key_file)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (sample,) = by_target(corpus_dir)["http:GET /articles/{id}/"]
    assert sample.output["body"] == {"pk": 31}
    assert sample.source == "capture:wsgi"
