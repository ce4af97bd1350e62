"""A small Flask service, its recorded traffic, and an AI commit that breaks some of its routes.

The traffic is recorded the way production would record it: the base revision's app, wrapped in
realitycheck's WSGI middleware, answers every request (in a separate process, through Flask's
own test client), and the middleware writes the corpus.
"""

from __future__ import annotations

import base64
import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

PARSE = """\
def kind_of(data):
    return data.get("kind", "note").lower()
"""

PARSE_HEAD = """\
def kind_of(data):
    return data["kind"].lower()
"""

BASE = """\
import base64

from flask import Flask, jsonify, request

from shelf import parse

app = Flask(__name__)
BOOKS = {n: f"book {n}" for n in range(1, 50)}


@app.get("/health")
def health():
    return "ok"


@app.get("/books/<int:book_id>")
def book(book_id):
    return jsonify(id=book_id, title=BOOKS.get(book_id, "unknown"))


@app.get("/search")
def search():
    limit = request.args.get("limit", 10, type=int)
    q = request.args.get("q", "")
    return jsonify(q=q, limit=limit, hits=[t for t in BOOKS.values() if q in t][:limit])


@app.post("/events")
def events():
    data = request.get_json()
    note = base64.b64decode(data["note"])
    return jsonify(kind=parse.kind_of(data), size=len(note))


@app.get("/shelves/<shelf_id>")
def shelf(shelf_id):
    return jsonify(shelf=shelf_id)


class Payment:
    def __init__(self, payload):
        self.payload = payload

    def cents(self):
        return round(float(self.payload["amount"]) * 100)


@app.post("/pay")
def pay():
    return jsonify(cents=Payment(request.get_json()).cents())
"""

HEAD = (
    BASE.replace(
        '    limit = request.args.get("limit", 10, type=int)\n',
        '    limit = int(request.args["limit"])\n',
    )
    .replace(
        '    note = base64.b64decode(data["note"])\n    return jsonify(kind=parse.kind_of(data), '
        "size=len(note))",
        '    note = base64.b64decode(data["note"]).decode("utf-8")\n'
        "    return jsonify(kind=parse.kind_of(data), size=len(note), preview=note[:8])",
    )
    .replace(
        '        return round(float(self.payload["amount"]) * 100)',
        '        return int(self.payload["amount"]) * 100',
    )
    .replace("    return jsonify(shelf=shelf_id)", "    return jsonify(shelf=int(shelf_id))")
    .replace(
        'title=BOOKS.get(book_id, "unknown"))',
        'title=BOOKS.get(book_id, "unknown").title())',
    )
)
assert HEAD.count("int(") >= 3 and ".decode(" in HEAD and ".title()" in HEAD

RECORD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from shelf.app import app
from realitycheck.capture import WSGIRecordingMiddleware, flask_routes, recording

app.wsgi_app = WSGIRecordingMiddleware(app.wsgi_app, route_resolver=flask_routes(app))
client = app.test_client()
with recording(sys.argv[2], key_file=sys.argv[3], max_per_hour=None):
    for line in open(sys.argv[4]):
        req = json.loads(line)
        response = client.open(req["path"], method=req["method"], query_string=req.get("query"),
                               json=req.get("json"), headers=req.get("headers"))
        response.get_data()
        response.close()
"""

CONFIG = """\
default_branch = "main"

[assumptions]
source_roots = ["src"]

[replay]
source_roots = ["src"]
coverage = false

[[replay.services]]
name = "shelf"
command = "{python} -m flask --app shelf.app run --host {host} --port {port}"
ready_path = "/health"
allow_methods = ["POST"]
"""


def traffic(n: int = 400, seed: int = 3) -> list[dict[str, Any]]:
    """Requests as real clients send them, with the irregular ones real traffic holds."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(n):
        pick = i % 5
        if pick == 4:
            out.append(
                {"method": "GET", "path": f"/shelves/{rng.choice(['1', '2', '17', 'main'])}"}
            )
        elif pick == 0:
            out.append({"method": "GET", "path": f"/books/{rng.randint(1, 60)}"})
        elif pick == 1:
            query: dict[str, str] = {"q": rng.choice(["book", "1", "2"])}
            if i % 9 == 1:
                query["limit"] = "all"  # a client that wants everything
            elif i % 5 != 1:
                query["limit"] = str(rng.randint(1, 20))  # others leave it out
            out.append({"method": "GET", "path": "/search", "query": query})
        elif pick == 2:
            raw = bytes(rng.randrange(256) for _ in range(6)) if i % 7 == 2 else b"hello there"
            body: dict[str, Any] = {"note": base64.b64encode(raw).decode("ascii")}
            if i % 11 != 2:
                body["kind"] = rng.choice(["Note", "Reminder"])
            out.append({"method": "POST", "path": "/events", "json": body})
        else:
            amount = rng.choice(["12", "7", "12.50", "3"]) if i % 6 != 3 else "99.99"
            out.append({"method": "POST", "path": "/pay", "json": {"amount": amount}})
    return out


def files(head: bool) -> dict[str, str]:
    """The repository's files at the base or the head."""
    return {
        "realitycheck.toml": CONFIG,
        "src/shelf/__init__.py": "",
        "src/shelf/parse.py": PARSE_HEAD if head else PARSE,
        "src/shelf/app.py": HEAD if head else BASE,
    }


def record(
    tree: Path, corpus: Path, key_file: Path, requests: list[dict[str, Any]], scratch: Path
) -> None:
    """Send the requests to the app in `tree/src` through the WSGI middleware, into `corpus`."""
    script = scratch / "record_shelf.py"
    script.write_text(textwrap.dedent(RECORD))
    lines = scratch / "requests.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in requests))
    done = subprocess.run(
        [sys.executable, str(script), str(tree / "src"), str(corpus), str(key_file), str(lines)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def head_status(tree: Path, requests: list[dict[str, Any]], scratch: Path) -> list[int]:
    """What the head's app answers each request (ground truth, without realitycheck)."""
    script = """
import json, sys
sys.path.insert(0, sys.argv[1])
from shelf.app import app
client = app.test_client()
out = []
for line in open(sys.argv[2]):
    req = json.loads(line)
    r = client.open(req["path"], method=req["method"], query_string=req.get("query"),
                    json=req.get("json"), headers=req.get("headers"))
    out.append(r.status_code)
print(json.dumps(out))
"""
    lines = scratch / "head-requests.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in requests))
    done = subprocess.run(
        [sys.executable, "-c", script, str(tree / "src"), str(lines)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    statuses: list[int] = json.loads(done.stdout)
    return statuses
