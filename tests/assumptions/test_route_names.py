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


def test_base64_decoding_inside_a_handler_for_value_error_is_no_assumption() -> None:
    code = """
import base64
from flask import Flask, request
app = Flask(__name__)

@app.post("/notes")
def notes():
    try:
        text = base64.b64decode(request.get_json()["note"]).decode("utf-8")
    except ValueError:
        text = ""
    return text
"""
    kinds = {(m.kind, m.path) for m in mined(code)}
    assert ("conversion", "$.body.note") not in kinds
    assert ("key-present", "$.body.note") in kinds


def test_starlette_path_params_are_read_from_their_segment() -> None:
    code = """
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Router

router = Router()

@router.route("/orders/{order_id}/lines/{line}")
async def line(request: Request):
    return int(request.path_params["line"])
"""
    recorded = {"http:GET /orders/{id}/lines/{id}": 4}
    [m] = [m for m in mined(code, recorded=recorded) if m.kind == "conversion"]
    assert m.path == "$.path" and "the `{line}` segment of `$.path`" in m.statement
    assert m.check is not None and "split_part(value->>'$', '/', 5)" in m.check.expect["sql"]
