"""A route's mined target is spelt as the corpus spells it, recorded or not."""

from __future__ import annotations

from realitycheck.corpus.http import http_target

from .test_mining import mined

FLASK = """
from flask import Flask, request
app = Flask(__name__)

@app.get("/books/<int:book_id>/pages/<page>")
def page(book_id, page):
    return int(request.args["n"])
"""


def test_an_unrecorded_flask_route_is_named_as_capture_would_name_it() -> None:
    [m, *_] = [m for m in mined(FLASK) if m.kind == "conversion"]
    assert m.target == "http:GET /books/{id}/pages/{id}"
    assert m.target == http_target("GET", "/books/{book_id}/pages/{page}")  # capture's spelling


def test_a_recorded_route_keeps_the_recorded_name() -> None:
    recorded = {"http:GET /books/{id}/pages/{id}": 3}
    [m, *_] = [m for m in mined(FLASK, recorded=recorded) if m.kind == "conversion"]
    assert m.target == "http:GET /books/{id}/pages/{id}"
