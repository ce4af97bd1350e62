"""FastAPI's declared parameter types and Django's request access, on real apps.

Each app's base revision answers real requests through realitycheck's own middleware (ASGI for
FastAPI, WSGI for Django) in a separate process; the head revision's handler is mined and its
assumptions are checked against that recording. The expected counts come from the requests
themselves, and the head app confirms each violation is a request it rejects.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from realitycheck.cli.main import main
from realitycheck.corpus.redact import load_key
from realitycheck.demo.repo import RepoBuilder

CLAUDE = [("Co-Authored-By", "Claude Opus 4.6 <noreply@anthropic.com>")]
CONFIG = '[assumptions]\nsource_roots = ["src"]\n[policy]\nskip = ["replay"]\n'

FASTAPI_BASE = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
def item(item_id: str, limit: str = "10"):
    return {"id": item_id, "limit": limit}
"""
FASTAPI_HEAD = """\
from uuid import UUID

from fastapi import FastAPI, Header

app = FastAPI()


@app.get("/items/{item_id}")
def item(item_id: UUID, limit: int = 10, x_version: int = Header(1)):
    return {"id": str(item_id), "limit": limit, "version": x_version}
"""
FASTAPI_SEND = """
import json, sys
sys.path.insert(0, sys.argv[1])
from starlette.testclient import TestClient
from svc.main import app
from realitycheck.capture import RecordingMiddleware, recording

app.add_middleware(RecordingMiddleware)
statuses = []
with recording(sys.argv[2], key_file=sys.argv[3], max_per_hour=None), TestClient(app) as client:
    for req in json.load(open(sys.argv[4])):
        r = client.get(req["path"], params=req["query"], headers=req["headers"])
        statuses.append(r.status_code)
print(json.dumps(statuses))
"""

DJANGO_BASE = """\
import json

from django.http import JsonResponse


def total(request):
    n = request.GET.get("n", "1")
    body = json.loads(request.body or b"{}")
    return JsonResponse({"n": n, "price": body.get("price")})
"""
DJANGO_HEAD = """\
import json

from django.http import JsonResponse


def total(request):
    n = int(request.GET["n"])
    body = json.loads(request.body)
    return JsonResponse({"total": n * float(body["price"])})
"""
DJANGO_URLS = """\
from django.urls import path

from svc import views

urlpatterns = [path("total/", views.total)]
"""
DJANGO_SEND = """
import json, sys
sys.path.insert(0, sys.argv[1])
import django
from django.conf import settings
settings.configure(DEBUG=False, ROOT_URLCONF="svc.urls", ALLOWED_HOSTS=["*"], SECRET_KEY="x" * 50,
                   MIDDLEWARE=[], INSTALLED_APPS=[])
django.setup()
from django.core.wsgi import get_wsgi_application
from werkzeug.test import Client
from realitycheck.capture import WSGIRecordingMiddleware, django_routes, recording

app = WSGIRecordingMiddleware(get_wsgi_application(), route_resolver=django_routes())
statuses = []
with recording(sys.argv[2], key_file=sys.argv[3], max_per_hour=None):
    client = Client(app)
    for req in json.load(open(sys.argv[4])):
        r = client.post(req["path"], query_string=req["query"], data=req["body"],
                        content_type="application/json")
        r.get_data()
        r.close()
        statuses.append(r.status_code)
print(json.dumps(statuses))
"""


def run_app(script: str, tree: Path, corpus: Path, key: Path, requests: Any) -> list[int]:
    """Send requests to the app in `tree/src` (recording into `corpus`); the statuses."""
    scratch = corpus.parent.parent.parent / "scratch"
    scratch.mkdir(exist_ok=True)
    (scratch / "send.py").write_text(textwrap.dedent(script))
    (scratch / "requests.json").write_text(json.dumps(requests))
    done = subprocess.run(
        [
            sys.executable,
            str(scratch / "send.py"),
            str(tree / "src"),
            str(corpus),
            str(key),
            str(scratch / "requests.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    statuses: list[int] = json.loads(done.stdout.strip().splitlines()[-1])
    return statuses


def project(
    tmp_path: Path, base: dict[str, str], head: dict[str, str], script: str, requests: Any
) -> tuple[Path, list[int]]:
    """Record the base's answers, commit the AI head; the head's statuses for the requests."""
    repo = RepoBuilder(tmp_path / "repo")
    (repo.root / ".git" / "info" / "exclude").write_text(".realitycheck/corpus/\n")
    repo.write({"realitycheck.toml": CONFIG, "src/svc/__init__.py": "", **base})
    repo.commit("service", author=("Example Maintainer", "maintainer@example.com"))
    key = tmp_path / "keys" / "redaction.key"
    load_key(key)
    corpus = repo.root / ".realitycheck" / "corpus"
    run_app(script, repo.root, corpus, key, requests)
    repo.git("checkout", "-q", "-b", "agent")
    repo.write(head)
    repo.commit("Typed parameters", extra_trailers=CLAUDE)
    statuses = run_app(script, repo.root, tmp_path / "unused" / "c" / "corpus", key, requests)
    return repo.root, statuses


def mined(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[tuple[str, str], Any]:
    main(["assumptions", "check", "--repo", str(root), "--base", "main", "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    return {(m["kind"], m["path"]): m for m in doc["assumptions"]["mined"]}


def test_fastapi_declared_types_are_checked_and_match_the_422s(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = ["3fa85f64-5717-4562-b3fc-2c963f66afa6", "42", "7c9e6679-7425-40de-944b-e07fc1f90ae7"]
    requests = [
        {
            "path": f"/items/{ids[i % 3]}",
            "query": {"limit": "ten"} if i % 5 == 0 else ({} if i % 2 else {"limit": str(i)}),
            "headers": {"x-version": "beta"} if i % 7 == 0 else {},
        }
        for i in range(60)
    ]
    root, statuses = project(
        tmp_path,
        {"src/svc/main.py": FASTAPI_BASE},
        {"src/svc/main.py": FASTAPI_HEAD},
        FASTAPI_SEND,
        requests,
    )
    found = mined(root, capsys)
    path = found[("conversion", "$.path")]
    assert path["target"] == "http:GET /items/{id}" and "{item_id}" in path["statement"]
    limit, version = (
        found[("conversion", "$.query.limit")],
        found[("conversion", "$.headers.x-version")],
    )
    # the corpus keeps each distinct request once
    distinct = {json.dumps(r, sort_keys=True): r for r in requests}.values()
    assert path["result"]["violations"] == sum(r["path"].endswith("/42") for r in distinct)
    assert limit["result"]["violations"] == sum(r["query"].get("limit") == "ten" for r in distinct)
    assert version["result"]["violations"] == sum("x-version" in r["headers"] for r in distinct)
    bad = {
        json.dumps(r, sort_keys=True)
        for r in distinct
        if r["path"].endswith("/42") or r["query"].get("limit") == "ten" or r["headers"]
    }
    rejected = {
        json.dumps(r, sort_keys=True) for r, s in zip(requests, statuses, strict=True) if s == 422
    }
    assert bad == rejected  # every violation is a request the head rejects, and no other


def test_django_request_get_and_json_body_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requests = [
        {
            "path": "/total/",
            "query": {} if i % 6 == 0 else {"n": "x" if i % 9 == 0 else str(i)},
            "body": json.dumps({"price": "1.5"} if i % 4 else {"cost": 2}),
        }
        for i in range(40)
    ]
    root, statuses = project(
        tmp_path,
        {"src/svc/views.py": DJANGO_BASE, "src/svc/urls.py": DJANGO_URLS},
        {"src/svc/views.py": DJANGO_HEAD},
        DJANGO_SEND,
        requests,
    )
    found = mined(root, capsys)
    n_present = found[("key-present", "$.query.n")]
    assert n_present["target"] == "http:POST /total/"
    distinct = list({json.dumps(r, sort_keys=True): r for r in requests}.values())
    assert n_present["result"]["violations"] == sum("n" not in r["query"] for r in distinct)
    n_int = found[("conversion", "$.query.n")]
    assert n_int["result"]["violations"] == sum(r["query"].get("n") == "x" for r in distinct)
    price = found[("key-present", "$.body.price")]
    assert price["result"]["violations"] == sum("cost" in r["body"] for r in distinct)
    assert sum(s >= 400 for s in statuses) == sum(
        "n" not in r["query"] or r["query"]["n"] == "x" or "cost" in r["body"] for r in requests
    )
