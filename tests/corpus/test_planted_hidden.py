"""Planted secrets in hidden forms, on every capture and import path: none may reach disk.

The forms (tests/corpus/hidden.py) are those an independent campaign found leaking: a card
glued to `+`, a URL-encoded private key, tokens in JSON held as a string, markers in free text
(`Cookie:`, `Authorization: Bearer`, `session=`), base64 of text, a key right after `\\n`. Each
path carries them in text bodies, headers, the query, responses, files and exception messages.
Everything written is then searched three ways: Parquet values read by pyarrow, the same
segments decoded by DuckDB, and the raw bytes of every file (segments, blobs, the rest).
"""

from __future__ import annotations

import contextlib
import textwrap
from pathlib import Path

import duckdb
import httpx
import pytest

import realitycheck
from realitycheck.corpus.capture import RecordingMiddleware
from realitycheck.corpus.capture.control import recording
from realitycheck.corpus.importers import import_paths
from realitycheck.corpus.store import Corpus

from .conftest import raw_corpus_text
from .hidden import HIDDEN_KINDS, Hidden
from .planted import Request
from .servers import gunicorn_server, uvicorn_server
from .writers import write_gor, write_har, write_jsonl, write_keploy, write_vcr

COUNT = 12  # requests per path


def everything_written(root: Path) -> str:
    """The corpus as pyarrow reads it, as DuckDB decodes it, and as raw bytes."""
    parts = [raw_corpus_text(root)]
    segments = sorted(str(p) for p in root.rglob("*.parquet"))
    if segments:
        con = duckdb.connect()
        rows = con.execute("SELECT * FROM read_parquet(?, union_by_name=true)", [segments])
        parts += [str(row) for row in rows.fetchall()]
        con.close()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def assert_none_leaked(hidden: Hidden, root: Path, samples: int, target: str | None = None) -> None:
    assert Corpus(root).count(target) == samples
    leaked = hidden.leaked(everything_written(root))
    assert not leaked, (
        f"{len(leaked)} of {len(hidden.needles)} planted values on disk: {leaked[:4]}"
    )
    assert {kind for kind, _ in hidden.needles} == set(HIDDEN_KINDS)


def hidden_requests(hidden: Hidden, count: int) -> list[Request]:
    """Requests with every hidden form in a text body, and some in headers, query, response."""
    out = []
    for i in range(count):
        out.append(
            Request(
                method="POST",
                path=f"/notes/{i}",
                query=[("state", hidden.text("json-string-token")), ("q", "plain")],
                headers=[
                    ("X-Trace", hidden.text("session-form")),
                    ("X-Note", hidden.text("bearer-line")),
                ],
                body="\n".join(hidden.texts()).encode(),
                content_type="text/plain",
                response={"log": hidden.text("cookie-line"), "doc": hidden.text("json-in-json")},
            )
        )
    return out


def test_decorator_arguments_results_and_exception_messages(
    corpus_dir: Path, key_file: Path
) -> None:
    hidden = Hidden(101)

    @realitycheck.record()
    def handle(text: str, fail: bool) -> str:
        if fail:
            raise ValueError(f"could not parse: {hidden.text('cookie-line')} {text}")
        return hidden.text("secret-pair-text")

    with recording(corpus_dir, key_file=key_file, max_per_hour=None, dedup=False):
        for i in range(COUNT):
            for text in hidden.texts():
                with contextlib.suppress(ValueError):
                    handle(text, i % 2 == 1)
    assert_none_leaked(hidden, corpus_dir, COUNT * len(HIDDEN_KINDS))


def _echo_asgi() -> object:
    from starlette.applications import Starlette
    from starlette.requests import Request as StarletteRequest
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def notes(request: StarletteRequest) -> PlainTextResponse:
        return PlainTextResponse((await request.body()).decode())

    app = Starlette(routes=[Route("/notes/{i:int}", notes, methods=["POST"])])
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


def test_asgi_text_bodies(corpus_dir: Path, key_file: Path) -> None:
    hidden = Hidden(102)
    reqs = hidden_requests(hidden, COUNT)
    with (
        recording(corpus_dir, key_file=key_file, max_per_hour=None, dedup=False),
        uvicorn_server(_echo_asgi()) as base,
    ):
        _send(base, reqs)
    assert_none_leaked(hidden, corpus_dir, COUNT)


FLASK_APP = """
import os
import realitycheck
from flask import Flask, request
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

@app.post("/notes/<int:i>")
def notes(i):
    return request.get_data(as_text=True), 200, {"Content-Type": "text/plain"}

app.wsgi_app = WSGIRecordingMiddleware(app.wsgi_app, route_resolver=flask_routes(app))
"""


def test_wsgi_text_bodies_under_gunicorn(tmp_path: Path, corpus_dir: Path, key_file: Path) -> None:
    hidden = Hidden(103)
    reqs = hidden_requests(hidden, COUNT)
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "hiddenapp.py").write_text(textwrap.dedent(FLASK_APP))
    env = {
        "REALITYCHECK_CAPTURE": "1",
        "REALITYCHECK_CORPUS": str(corpus_dir),
        "REALITYCHECK_REDACTION_KEY_FILE": str(key_file),
    }
    with gunicorn_server(app_dir, "hiddenapp", env) as base:
        _send(base, reqs)
        assert httpx.get(base + "/flush", timeout=150).status_code == 200
    assert_none_leaked(hidden, corpus_dir, COUNT, "http:POST /notes/{i}")


FORMATS = ["har", "vcr", "gor", "keploy", "jsonl-bulk", "jsonl-careful"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_paths(fmt: str, tmp_path: Path, corpus_dir: Path, key_file: Path) -> None:
    hidden = Hidden(110 + FORMATS.index(fmt))
    reqs = hidden_requests(hidden, COUNT)
    if fmt == "har":
        path = write_har(reqs, tmp_path / "traffic.har")
    elif fmt == "vcr":
        path = write_vcr(reqs, tmp_path / "cassette.yaml")
    elif fmt == "gor":
        path = write_gor(reqs, tmp_path / "requests_0.gor")
    elif fmt == "keploy":
        path = write_keploy(reqs, tmp_path / "keploy")
    else:
        path = write_jsonl(reqs, tmp_path / "samples.jsonl")
    result = import_paths(
        corpus_dir,
        fmt.split("-")[0],
        [path],
        key_file=key_file,
        strict=True,
        dedup=fmt == "jsonl-careful",  # deduplication takes the line-by-line path
    )
    assert result.imported == COUNT
    assert_none_leaked(hidden, corpus_dir, COUNT)


def test_files(tmp_path: Path, corpus_dir: Path, key_file: Path) -> None:
    hidden = Hidden(120)
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(COUNT):
        (folder / f"note-{i:02d}.txt").write_text("\n".join(hidden.texts()) + "\n")
    result = import_paths(
        corpus_dir, "files", [folder], target="fn:notes:parse", arg="text", key_file=key_file
    )
    assert result.imported == COUNT
    assert_none_leaked(hidden, corpus_dir, COUNT)


def test_hidden_totals() -> None:
    """The paths above plant hundreds of hidden values of every hidden kind."""
    total = 0
    for seed in (101, 102, 103, 110, 111, 112, 113, 114, 115, 120):
        hidden = Hidden(seed)
        hidden_requests(hidden, COUNT)
        total += len(hidden.needles)
    assert total >= 1500
