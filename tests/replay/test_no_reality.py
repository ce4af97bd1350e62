"""Never pass without reality: every way a check could read green although no real input reached
the changed code, reproduced with real git repositories and real processes.

Each row builds a change, runs the CLI as a user would, and asserts the verdict is not pass and
the output names the cause.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from realitycheck.cli.main import main
from realitycheck.corpus.store import Corpus

from .conftest import Change, write_samples

SLUG_BASE = "def slug(title):\n    return title.lower()\n"
SLUG_HEAD = "def slug(title):\n    return title.lower().strip()\n"
TITLES = [f"Title number {i} " for i in range(8)]
PKG = {"src/blog/__init__.py": ""}

ONLY_REPLAY = '[policy]\nstages = ["replay"]\nrequired = []\n[replay]\ncoverage = false\n'

SERVICE_APP = """
import http.server, sys

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path == "/health"
        self.send_response(200 if ok else 500)
        self.send_header("content-type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok" if ok else b"database unreachable")

    def log_message(self, *args):
        pass

http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def service_config(command: str) -> str:
    """Replay only, with one service started by `command` (a TOML value)."""
    return (
        ONLY_REPLAY
        + f'[[replay.services]]\nname = "api"\ncommand = {command}\nready_path = "/health"\n'
        + "ready_timeout = 20\n"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Row:
    """A change, the command run on it (paths filled in), and the cause its output must name."""

    build: Callable[[Any, Path], tuple[Change, list[str]]]
    cause: str


def verify_args(change: Change) -> list[str]:
    return ["verify", "--repo", str(change.root), "--base", "main", "--format", "json"]


def function_args(change: Change, target: str, *extra: str) -> list[str]:
    args = ["replay", "function", "--repo", str(change.root), "--base", "main"]
    return [*args, "--target", target, "--no-coverage", "--format", "json", *extra]


def http_not_running(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    change = factory(PKG, {"src/blog/__init__.py": "# touched\n"})
    write_samples(
        change.corpus_dir, "http:GET /items/{id}", [_get(f"/items/{n}") for n in range(6)]
    )
    dead = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    args = ["replay", "http", "--repo", str(change.root), "--format", "json"]
    return change, [*args, "--baseline", dead[0], "--candidate", dead[1]]


def http_service_cannot_start(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    command = '["{python}", "-c", "import sys; print(\'boom: no DATABASE_URL\'); sys.exit(3)"]'
    change = factory({"app.py": "x = 1\n"}, {"app.py": "x = 2\n"}, config=service_config(command))
    write_samples(
        change.corpus_dir, "http:GET /items/{id}", [_get(f"/items/{n}") for n in range(6)]
    )
    return change, verify_args(change)


def http_both_fail(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    config = service_config('"{python} app.py {port}"')
    change = factory({"app.py": SERVICE_APP}, {"app.py": SERVICE_APP + "\n# head\n"}, config=config)
    write_samples(
        change.corpus_dir, "http:GET /items/{id}", [_get(f"/items/{n}") for n in range(8)]
    )
    return change, verify_args(change)


def _get(path: str) -> dict[str, Any]:
    return {"method": "GET", "path": path, "query": {}, "headers": {}, "body": None}


def relative_corpus(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    files = {**PKG, "src/blog/data.py": "def size(data):\n    return len(data)\n"}
    change = factory(files, {"src/blog/data.py": "def size(data):\n    return len(data) + 1\n"})
    corpus_dir = tmp / "recorded"
    blobs = Corpus(corpus_dir, create=True).blobs
    inputs = [{"args": {"data": blobs.put(bytes(range(n)) * 50)}} for n in range(1, 9)]
    write_samples(corpus_dir, "fn:blog.data:size", inputs)
    rel = Path("recorded")  # relative to the working directory the test runs in (tmp)
    return change, function_args(change, "blog.data:size", "--corpus", str(rel))


def unreadable_inputs(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    files = {**PKG, "src/blog/data.py": "def size(data):\n    return len(data)\n"}
    change = factory(files, {"src/blog/data.py": "def size(data):\n    return len(data) + 0\n"})
    gone = {"$blob": "sha256:" + "ab" * 32, "size": 3, "media_type": "application/octet-stream"}
    write_samples(change.corpus_dir, "fn:blog.data:size", [{"args": {"data": gone}}] * 8)
    return change, function_args(change, "blog.data:size")


def same_exception(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    change = factory({**PKG, "src/blog/text.py": SLUG_BASE}, {"src/blog/text.py": SLUG_HEAD})
    # recorded under another parameter name: every call would raise TypeError on both sides
    write_samples(change.corpus_dir, "fn:blog.text:slug", ({"args": {"text": t}} for t in TITLES))
    return change, function_args(change, "blog.text:slug")


def raises_on_both(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    code = "def slug(title):\n    raise RuntimeError('no database')\n"
    change = factory({**PKG, "src/blog/text.py": code}, {"src/blog/text.py": code + "# head\n"})
    write_samples(change.corpus_dir, "fn:blog.text:slug", ({"args": {"title": t}} for t in TITLES))
    return change, function_args(change, "blog.text:slug")


def empty_corpus(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    config = ONLY_REPLAY + '[[replay.functions]]\ntarget = "blog.text:slug"\n'
    change = factory(
        {**PKG, "src/blog/text.py": SLUG_BASE}, {"src/blog/text.py": SLUG_HEAD}, config=config
    )
    Corpus(change.corpus_dir, create=True)
    return change, verify_args(change)


def no_corpus_for_configured_target(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    config = ONLY_REPLAY + '[[replay.functions]]\ntarget = "blog.text:slug"\n'
    base, head = {**PKG, "src/blog/text.py": SLUG_BASE}, {"src/blog/text.py": SLUG_HEAD}
    return (change := factory(base, head, config=config)), verify_args(change)


def no_samples_for_target(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    config = ONLY_REPLAY + '[[replay.functions]]\ntarget = "blog.text:slug"\n'
    change = factory(
        {**PKG, "src/blog/text.py": SLUG_BASE}, {"src/blog/text.py": SLUG_HEAD}, config=config
    )
    write_samples(change.corpus_dir, "fn:blog.other:thing", [{"args": {"x": 1}}] * 8)
    return change, verify_args(change)


def too_few_samples(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    change = factory({**PKG, "src/blog/text.py": SLUG_BASE}, {"src/blog/text.py": SLUG_BASE + "\n"})
    write_samples(
        change.corpus_dir, "fn:blog.text:slug", ({"args": {"title": t}} for t in TITLES[:2])
    )
    return change, function_args(change, "blog.text:slug")


def head_renamed(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    renamed = SLUG_BASE.replace("def slug", "def make_slug")
    change = factory({**PKG, "src/blog/text.py": SLUG_BASE}, {"src/blog/text.py": renamed})
    write_samples(change.corpus_dir, "fn:blog.text:slug", ({"args": {"title": t}} for t in TITLES))
    return change, function_args(change, "blog.text:slug")


def neither_imports(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    config = '[replay]\nsource_roots = ["lib"]\n'  # the code lives under src/
    change = factory(
        {**PKG, "src/blog/text.py": SLUG_BASE}, {"src/blog/text.py": SLUG_HEAD}, config=config
    )
    write_samples(change.corpus_dir, "fn:blog.text:slug", ({"args": {"title": t}} for t in TITLES))
    return change, function_args(change, "blog.text:slug")


HANGS = "import time\ntime.sleep(600)\n"
HANGS_DEAF = "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\ntime.sleep(600)\n"


def import_hangs(code: str) -> Callable[[Any, Path], tuple[Change, list[str]]]:
    def build(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
        base = {**PKG, "src/blog/text.py": code + SLUG_BASE}
        change = factory(base, {"src/blog/text.py": code + SLUG_HEAD})
        write_samples(
            change.corpus_dir, "fn:blog.text:slug", ({"args": {"title": t}} for t in TITLES)
        )
        return change, function_args(change, "blog.text:slug", "--timeout", "1")

    return build


def assumptions_without_corpus(factory: Any, tmp: Path) -> tuple[Change, list[str]]:
    config = (
        '[policy]\nstages = ["provenance", "assumptions"]\nrequired = ["assumptions"]\n'
        '[assumptions]\nmissing_ledger = "warn"\n'
    )
    code = "def handle(e):\n    return e['a']['b'], e['c']\n"
    change = factory({"src/app/__init__.py": ""}, {"src/app/hooks.py": code}, config=config)
    return change, verify_args(change)


ROWS = {
    "http services not running": Row(http_not_running, "does not answer"),
    "http service cannot start": Row(
        http_service_cannot_start, "last output: boom: no DATABASE_URL"
    ),
    "http both sides answer 500": Row(http_both_fail, "HTTP 500 from both services"),
    "relative --corpus": Row(relative_corpus, "value-changed at $.return"),
    "recorded inputs unreadable": Row(unreadable_inputs, "cannot read the recorded input"),
    "same TypeError on both sides": Row(same_exception, "recorded arguments do not fit"),
    "same exception on both sides": Row(raises_on_both, "RuntimeError: no database"),
    "empty corpus": Row(empty_corpus, "no recorded samples"),
    "no samples for the target": Row(no_samples_for_target, "no recorded samples"),
    "no corpus, configured target": Row(no_corpus_for_configured_target, "no corpus at"),
    "too few samples": Row(too_few_samples, "fewer than replay.min_samples (5)"),
    "head renamed the target": Row(head_renamed, "renamed or removed"),
    "neither revision imports": Row(neither_imports, "neither revision has blog.text:slug"),
    "import hangs": Row(import_hangs(HANGS), "importing blog.text ran past 1 s"),
    "import hangs, deaf to alarms": Row(import_hangs(HANGS_DEAF), "did not finish within 6 s"),
    "assumptions without a corpus": Row(assumptions_without_corpus, "ran against real data"),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_no_reality_never_passes(
    name: str,
    change_factory: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    row = ROWS[name]
    monkeypatch.chdir(tmp_path)
    _, args = row.build(change_factory, tmp_path)
    code = main(args)
    out, err = capsys.readouterr()
    assert code in (1, 2), (code, out, err)
    if code == 2 and not out.strip():  # could not run: one line on standard error
        assert row.cause in err, err
        assert "Traceback" not in err
        return
    doc = json.loads(out)
    assert doc["verdict"] != "pass"
    said = [r["message"] for r in doc["reasons"]]
    said += [s.get("reason") or "" for s in doc.get("stages", []) if s["status"] == "error"]
    assert any(row.cause in text for text in said), (said, json.dumps(doc, indent=1)[:3000])


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("min_samples = -1", "min_samples"),
        ("max_errored = 1.5", "max_errored"),
        ("import_timeout = 0", "import_timeout"),
    ],
)
def test_bad_thresholds_name_the_file_and_key(
    change_factory: Any, capsys: pytest.CaptureFixture[str], line: str, key: str
) -> None:
    change = same_exception(change_factory, Path())[0]
    (change.root / "realitycheck.toml").write_text(f"[replay]\n{line}\n")
    code = main(function_args(change, "blog.text:slug"))
    err = capsys.readouterr().err
    assert code == 2 and "realitycheck.toml" in err and key in err
    assert len(err.strip().splitlines()) == 1


def test_services_that_refuse_every_request_on_both_sides_are_not_a_pass(tmp_path: Path) -> None:
    import httpx

    from realitycheck.core.config import config_from_dict
    from realitycheck.replay.http import Endpoints, settings_for
    from realitycheck.replay.model import ReplayResult
    from realitycheck.replay.sender import replay_http
    from realitycheck.replay.sufficiency import assess

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    write_samples(tmp_path / "c", "http:GET /items/{id}", [_get(f"/items/{n}") for n in range(9)])
    config = config_from_dict({"replay": {"senders": 1}}).replay
    urls = Endpoints(httpx.URL("http://127.0.0.1:1"), httpx.URL("http://127.0.0.1:2"))
    targets = replay_http(
        Corpus(tmp_path / "c"),
        ["http:GET /items/{id}"],
        urls,
        settings_for(config),
        transport=httpx.MockTransport(refuse),
    )
    result = ReplayResult(base=None, head="h", targets=targets)
    assess(result, config)
    [target] = result.targets
    assert (target.replayed, target.exercised, target.diverged) == (9, 0, 0)
    assert "9 of 9 samples (100%) failed the same way on both sides" in (target.insufficient or "")
    assert "no answer from either service (ConnectError" in (target.insufficient or "")
