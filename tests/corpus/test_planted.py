"""Planted secrets: none of them may reach disk, through any capture or import path.

Each path gets its own requests with fresh values of every kind in headers, the query, and
JSON, form and multipart bodies (and the responses). Afterwards the raw corpus — every Parquet
value decompressed, every blob, every other file — is searched for each planted value.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

import realitycheck
from realitycheck.corpus.capture import RecordingMiddleware
from realitycheck.corpus.capture.control import recording
from realitycheck.corpus.http import decode_body
from realitycheck.corpus.importers import import_paths
from realitycheck.corpus.redact import Redactor
from realitycheck.corpus.store import Corpus

from .conftest import raw_corpus_text
from .planted import KINDS, Planter, Request, requests
from .servers import gunicorn_server, uvicorn_server
from .writers import write_gor, write_har, write_jsonl, write_keploy, write_vcr

COUNT = 24  # requests per path; each carries ~25 planted values


def assert_nothing_leaked(
    planter: Planter, root: Path, expected_samples: int, target: str | None = None
) -> None:
    """Every planted value is absent from the corpus, which holds what it should."""
    store = Corpus(root)
    assert store.count(target) == expected_samples
    raw = raw_corpus_text(root)
    leaked = [(k, n) for k, v in planter.planted for n in [v] if n in raw]
    leaked += [("private-key body", n) for n in planter.all_needles() if n in raw]
    assert not leaked, f"{len(leaked)} planted values reached disk, e.g. {leaked[:5]}"
    assert planter.kinds() >= set(KINDS) - {"password"} or len(planter.kinds()) >= 12
    redacted = [s for s in store.iter_samples(target) if s.redactions]
    assert len(redacted) == expected_samples


def _body_object(req: Request) -> object:
    return decode_body(req.body, req.content_type, None)


def test_decorator_path(corpus_dir: Path, key_file: Path) -> None:
    planter = Planter(1)
    reqs = requests(planter, COUNT)

    @realitycheck.record()
    def submit(
        payload: object, headers: dict[str, str], query: dict[str, str]
    ) -> dict[str, object]:
        return {"ok": True, "echo": headers["X-Forwarded-Email"], "q": query["q"]}

    with recording(corpus_dir, key_file=key_file, max_per_hour=None, dedup=False):
        for req in reqs:
            submit(_body_object(req), dict(req.headers), dict(req.query))
    assert len(planter.planted) >= 450
    assert_nothing_leaked(planter, corpus_dir, COUNT)


def _echo_asgi() -> object:
    from starlette.applications import Starlette
    from starlette.requests import Request as StarletteRequest
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def submit(request: StarletteRequest) -> JSONResponse:
        await request.body()
        return JSONResponse(
            {
                "ok": True,
                "echo": request.headers["x-forwarded-email"],
                "q": request.query_params["q"],
            }
        )

    app = Starlette(routes=[Route("/submit/{uid:int}", submit, methods=["POST"])])
    app.add_middleware(RecordingMiddleware)
    return app


def _send(base: str, reqs: list[Request]) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        for req in reqs:
            response = client.post(
                req.path,
                params=req.query,
                headers=[*req.headers, ("Content-Type", req.content_type)],
                content=req.body,
            )
            assert response.status_code == 200, response.text


def test_asgi_path(corpus_dir: Path, key_file: Path) -> None:
    planter = Planter(2)
    reqs = requests(planter, COUNT)
    with (
        recording(corpus_dir, key_file=key_file, max_per_hour=None, dedup=False),
        uvicorn_server(_echo_asgi()) as base,
    ):
        _send(base, reqs)
    assert Corpus(corpus_dir).targets() == {"http:POST /submit/{uid}": COUNT}
    assert_nothing_leaked(planter, corpus_dir, COUNT)


FLASK_APP = """
import os
import realitycheck
from flask import Flask, jsonify, request
from realitycheck.corpus.capture import WSGIRecordingMiddleware, flask_routes

realitycheck.capture.configure(environ=os.environ, max_per_hour=None, dedup=False,
                               flush_seconds=0.2)
app = Flask(__name__)

@app.get("/")
def index():
    return "up"

@app.get("/flush")
def flush():  # the test waits for capture here: a niced helper on a busy machine is slow
    return "ok" if realitycheck.capture.flush(120) else ("capture did not finish", 500)

@app.post("/submit/<int:uid>")
def submit(uid):
    request.get_data()
    return jsonify(ok=True, echo=request.headers["X-Forwarded-Email"], q=request.args["q"])

app.wsgi_app = WSGIRecordingMiddleware(app.wsgi_app, route_resolver=flask_routes(app))
"""


def test_wsgi_path_under_gunicorn(tmp_path: Path, corpus_dir: Path, key_file: Path) -> None:
    planter = Planter(3)
    reqs = requests(planter, COUNT)
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "webapp.py").write_text(textwrap.dedent(FLASK_APP))
    env = {
        "REALITYCHECK_CAPTURE": "1",
        "REALITYCHECK_CORPUS": str(corpus_dir),
        "REALITYCHECK_REDACTION_KEY_FILE": str(key_file),
    }
    with gunicorn_server(app_dir, "webapp", env) as base:
        _send(base, reqs)
        assert httpx.get(base + "/flush", timeout=150).status_code == 200
    targets = Corpus(corpus_dir).targets()
    # GET /: readiness polls; GET /flush: the wait for capture (recorded, or not yet, at exit)
    assert set(targets) - {"http:GET /flush"} == {"http:POST /submit/{uid}", "http:GET /"}
    assert_nothing_leaked(planter, corpus_dir, COUNT, "http:POST /submit/{uid}")


@pytest.mark.parametrize("fmt", ["har", "vcr", "gor", "gor.gz", "keploy", "jsonl"])
def test_import_paths(fmt: str, tmp_path: Path, corpus_dir: Path, key_file: Path) -> None:
    planter = Planter(10 + ["har", "vcr", "gor", "gor.gz", "keploy", "jsonl"].index(fmt))
    reqs = requests(planter, COUNT)
    if fmt == "har":
        path = write_har(reqs, tmp_path / "traffic.har")
    elif fmt == "vcr":
        path = write_vcr(reqs, tmp_path / "cassette.yaml")
    elif fmt.startswith("gor"):
        path = write_gor(reqs, tmp_path / f"requests_0.{fmt}")
    elif fmt == "keploy":
        path = write_keploy(reqs, tmp_path / "keploy")
    else:
        path = write_jsonl(reqs, tmp_path / "samples.jsonl")
    result = import_paths(corpus_dir, fmt.split(".")[0], [path], key_file=key_file, strict=True)
    assert result.imported == COUNT
    assert_nothing_leaked(planter, corpus_dir, COUNT)


def test_files_path(tmp_path: Path, corpus_dir: Path, key_file: Path) -> None:
    planter = Planter(20)
    folder = tmp_path / "letters"
    folder.mkdir()
    for i in range(40):
        lines = [f"{kind}: {planter.take(kind)}" for kind in KINDS if kind != "password"]
        lines.append(f"password={planter.take('password')}")
        (folder / f"letter-{i:03d}.txt").write_text("\n".join(lines) + "\n")
    result = import_paths(
        corpus_dir,
        "files",
        [folder],
        target="fn:mail.inbound:parse",
        arg="message",
        key_file=key_file,
    )
    assert result.imported == 40
    assert len(planter.planted) >= 700
    assert_nothing_leaked(planter, corpus_dir, 40)


def test_planted_totals_cover_the_brief() -> None:
    """The paths above plant well over 1,000 values of at least 12 kinds."""
    total, kinds = 0, set()
    for seed in (1, 2, 3, 10, 11, 12, 13, 14, 15):
        planter = Planter(seed)
        requests(planter, COUNT)
        total += len(planter.planted)
        kinds |= planter.kinds()
    assert total >= 1000
    assert len(kinds) >= 12


def test_form_and_multipart_bodies_are_objects(redactor: Redactor) -> None:
    planter = Planter(30)
    reqs = requests(planter, 3)
    form = decode_body(reqs[1].body, reqs[1].content_type, None)
    assert isinstance(form, dict) and set(form) == {"email", "password", "note", "sin", "token"}
    parts = decode_body(reqs[2].body, reqs[2].content_type, None)
    assert isinstance(parts, dict) and parts["attachment"]["filename"] == "note.txt"
    assert dict(parse_qsl(reqs[1].body.decode()))["email"] == form["email"]
    assert json.loads(reqs[0].body)["customer"]["email"]
    assert os.environ.get("REALITYCHECK_CAPTURE") is None
