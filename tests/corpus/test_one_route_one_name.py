"""A route has one target name whether capture or an importer recorded it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realitycheck.corpus.capture import WSGIRecordingMiddleware, flask_routes
from realitycheck.corpus.capture.control import recording
from realitycheck.corpus.http import http_target
from realitycheck.corpus.importers import import_paths
from realitycheck.corpus.redact import Redactor, load_key
from realitycheck.corpus.store import Corpus


def books_app() -> Any:
    """The routes of Keploy's flask-redis sample, whose recorded tests are in realworld/."""
    from flask import Flask, jsonify

    app = Flask("books")

    @app.get("/books/<int:book_id>")
    def book(book_id: int) -> Any:
        return jsonify({"id": book_id, "title": "1984", "author": "George Orwell"})

    @app.put("/books/<int:book_id>")
    def update(book_id: int) -> Any:
        return jsonify({"id": book_id})

    app.wsgi_app = WSGIRecordingMiddleware(app.wsgi_app, route_resolver=flask_routes(app))  # type: ignore[method-assign]
    return app


def test_capture_and_keploy_import_name_the_route_alike(
    tmp_path: Path, key_file: Path, realworld: Path
) -> None:
    captured, imported = tmp_path / "captured", tmp_path / "imported"
    with recording(captured, key_file=key_file, max_per_hour=None):
        client = books_app().test_client()
        assert client.get("/books/1").get_json()["id"] == 1
        assert client.put("/books/1", json={"title": "x"}).get_json() == {"id": 1}
    import_paths(
        imported,
        "keploy",
        [realworld / "keploy" / "flask-redis"],
        redactor=Redactor(load_key(key_file)),
    )
    from_capture = set(Corpus(captured).targets())
    from_import = set(Corpus(imported).targets())
    assert from_capture == {"http:GET /books/{id}", "http:PUT /books/{id}"}
    assert from_capture <= from_import


def test_every_parameter_spelling_is_one_name() -> None:
    names = {
        http_target("get", route)
        for route in ("/users/{user_id}", "/users/{id}", "/users/{pk}", "/users/{value}")
    }
    assert names == {"http:GET /users/{id}"}
    assert http_target("GET", "/a/{x}/b/{y:int}") == "http:GET /a/{id}/b/{id}"
