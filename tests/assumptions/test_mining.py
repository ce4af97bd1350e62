"""Mining, case by case: each kind the issue names, guards that make an assumption go away."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from realitycheck.assumptions.mining.miner import mine
from realitycheck.assumptions.mining.sources import SourceFile, excluded, module_name
from realitycheck.assumptions.model import MinedAssumption
from realitycheck.core.config.assumptions import AssumptionsConfig, TargetMapping


def mined(
    code: str,
    *,
    recorded: dict[str, int] | None = None,
    changed: set[int] | None = None,
    path: str = "src/app/hooks.py",
    **config: Any,
) -> list[MinedAssumption]:
    text = textwrap.dedent(code)
    lines = changed if changed is not None else set(range(1, text.count("\n") + 2))
    source = SourceFile(path, text, lines, module_name(path, ["src", "."]))
    return mine([source], AssumptionsConfig(**config), recorded=recorded or {}).mined


def by_path(items: list[MinedAssumption]) -> dict[str | None, MinedAssumption]:
    return {m.path: m for m in items}


def test_key_chains_follow_locals_and_calls_into_the_same_module() -> None:
    code = """
        def handle(p):
            if p.get("action") != "opened":
                return None
            return process(p["pull_request"])

        def process(pr):
            head = pr["head"]
            return {"repo": head["repo"]["full_name"], "draft": pr.get("draft", False)}
    """
    found = by_path(mined(code, recorded={"fn:app.hooks:handle": 10}))
    repo = found["$.args.p.pull_request.head.repo"]
    assert repo.kind == "not-null"
    assert repo.target == "fn:app.hooks:handle"
    assert repo.check is not None and repo.check.expect == {"not_null": True}
    assert repo.line == 9 and repo.function == "process"
    assert found["$.args.p.pull_request.head.repo.full_name"].kind == "key-present"
    assert found["$.args.p.pull_request"].kind == "not-null"
    assert "$.args.p.pull_request.draft" not in found  # .get with a default assumes nothing
    assert "$.args.p.action" not in found


def test_without_recorded_samples_paths_start_at_the_function_itself() -> None:
    found = by_path(mined("def process(pr):\n    return pr['head']['sha']\n"))
    assert set(found) == {"$.args.pr.head", "$.args.pr.head.sha"}
    assert found["$.args.pr.head.sha"].target == "fn:app.hooks:process"


def test_get_without_default_then_used_may_be_none() -> None:
    code = """
        def handle(event):
            sender = event.get("sender")
            return sender["login"], event.get("org")["id"]
    """
    found = by_path(mined(code))
    assert found["$.args.event.sender"].kind == "maybe-none"
    assert found["$.args.event.sender"].check.expect == {"not_null": True}  # type: ignore[union-attr]
    assert found["$.args.event.org"].kind == "maybe-none"
    assert found["$.args.event.sender.login"].kind == "key-present"


@pytest.mark.parametrize(
    "guarded",
    [
        'if "head" in pr:\n        return pr["head"]["sha"]',
        'if pr.get("head"):\n        return pr["head"]["sha"]',
        'if pr.get("head") is None:\n        return None\n    return pr["head"]["sha"]',
        'try:\n        return pr["head"]["sha"]\n'
        "    except (KeyError, TypeError):\n        return None",
        'return pr["head"]["sha"] if "head" in pr else None',
    ],
)
def test_guards_remove_the_assumption_they_check(guarded: str) -> None:
    code = f"def process(pr):\n    {guarded}\n"
    assert "$.args.pr.head" not in by_path(mined(code))


def test_attribute_access_on_a_regex_match_is_checked_as_a_pattern() -> None:
    code = """
        import re

        def handle(ref):
            m = re.match(r"refs/heads/(\\w+)", ref["name"])
            return m.group(1)

        def safe(ref):
            m = re.match(r"x", ref["name"])
            return m.group(0) if m else None
    """
    found = [m for m in mined(code) if m.kind == "maybe-none"]
    assert len(found) == 1
    assert found[0].path == "$.args.ref.name"
    assert found[0].check.expect == {"matches": "^(?:refs/heads/(\\w+))"}  # type: ignore[union-attr]


def test_conversions_that_assume_a_shape() -> None:
    code = """
        import json
        from datetime import datetime
        from enum import Enum

        class Status(str, Enum):
            PAID = "paid"
            FAILED = "failed"

        def handle(e):
            amount = int(e["amount"])
            when = datetime.strptime(e["created"], "%Y-%m-%d")
            meta = json.loads(e["metadata"])
            status = Status(e["status"])
            ratio = float(e.get("ratio"))
            return amount, when, meta, status, ratio, e["raw"].decode("utf-8")
    """
    conv = {m.path: m for m in mined(code) if m.kind == "conversion"}
    assert "try_strptime(value->>'$', '%Y-%m-%d')" in conv["$.args.e.created"].check.expect["sql"]  # type: ignore[union-attr]
    assert "json_valid" in conv["$.args.e.metadata"].check.expect["sql"]  # type: ignore[union-attr]
    assert "'paid', 'failed'" in conv["$.args.e.status"].check.expect["sql"]  # type: ignore[union-attr]
    assert conv["$.args.e.ratio"].check.expect["not_null"] is True  # type: ignore[union-attr]
    assert "not_null" not in conv["$.args.e.amount"].check.expect  # type: ignore[union-attr]
    decoded = [m for m in mined(code) if m.kind == "conversion" and m.path is None]
    assert decoded and "utf-8" in decoded[0].statement and decoded[0].check is None


def test_closed_value_sets_from_if_chains_matches_and_tables() -> None:
    code = """
        HANDLERS = {"charge.succeeded": 1, "invoice.paid": 2}

        def chain(e):
            if e["status"] == "paid":
                return 1
            elif e["status"] in ("failed", "void"):
                return 2

        def raising(e):
            if e["kind"] == "a":
                return 1
            elif e["kind"] == "b":
                return 2
            else:
                raise ValueError(e["kind"])

        def filtered(e):
            if e["type"] == "a":
                return 1
            return 0

        def handled(e):
            if e["mode"] == "a":
                return 1
            elif e["mode"] == "b":
                return 2
            else:
                return 3

        def matched(e):
            match e["level"]:
                case "low" | "mid":
                    return 1
                case "high":
                    return 2

        def dispatch(e):
            return HANDLERS[e["type"]]
    """
    sets = {m.path: m.check.expect["in"] for m in mined(code) if m.kind == "value-set" and m.check}
    assert sets == {
        "$.args.e.status": ["paid", "failed", "void"],
        "$.args.e.kind": ["a", "b"],
        "$.args.e.level": ["low", "mid", "high"],
        "$.args.e.type": ["charge.succeeded", "invoice.paid"],
    }


def test_swallowed_failures() -> None:
    code = """
        import logging
        log = logging.getLogger(__name__)

        def a(x):
            try:
                return x["a"]
            except Exception:
                pass

        def b(x):
            for item in x:
                try:
                    item.save()
                except:
                    log.exception("ignored")
                    continue

        def c(x):
            try:
                return x.run()
            except Exception:
                raise

        def d(x):
            try:
                return x.run()
            except ValueError:
                return None
    """
    swallowed = [m for m in mined(code) if m.kind == "swallowed-failure"]
    assert [m.function for m in swallowed] == ["a", "b"]
    assert swallowed[0].check is None and "leaves no trace" in str(swallowed[0].why_unchecked)


def test_upstream_calls_trusted_blindly() -> None:
    code = """
        import subprocess
        import httpx
        import requests
        from tenacity import retry

        def blind(url):
            return requests.get(url).json()

        @retry
        def careful(url):
            r = requests.post(url, json={}, timeout=5)
            r.raise_for_status()
            return r.json()

        def session(url):
            with requests.Session() as s:
                return s.get(url, timeout=3).text

        def client(url):
            return httpx.get(url).json()

        def run(cmd):
            return subprocess.run(cmd).stdout

        def run_checked(cmd):
            return subprocess.run(cmd, check=True, timeout=60).stdout
    """
    calls = {m.function: m.statement for m in mined(code) if m.kind == "upstream-call"}
    assert "no timeout; no retry; status never checked" in calls["blind"]
    assert "careful" not in calls and "run_checked" not in calls
    assert (
        "no retry; status never checked" in calls["session"]
        and "no timeout" not in calls["session"]
    )
    assert "no timeout" not in calls["client"]  # httpx times out after 5 s unless told otherwise
    assert "no timeout; exit status never checked" in calls["run"]


def test_asserts_environment_and_fixed_paths() -> None:
    code = """
        import os
        from pathlib import Path

        def handle(e):
            assert e["amount"] >= 0
            assert isinstance(e["id"], str)
            assert e["currency"] in ("usd", "eur")
            assert e["ok"]
            key = os.environ["STRIPE_KEY"]
            maybe = os.environ.get("REGION")
            cfg = Path("/etc/app/config.yaml").read_text()
            return key, maybe.lower(), cfg
    """
    found = mined(code)
    asserts = {m.path: m.check.expect for m in found if m.kind == "assert" and m.check}
    assert asserts["$.args.e.amount"] == {"range": {"min": 0}}
    assert asserts["$.args.e.id"] == {"type": "string"}
    assert asserts["$.args.e.currency"] == {"in": ["usd", "eur"]}
    assert "sql" in asserts["$.args.e.ok"]
    env = [m for m in found if m.kind == "env-var"]
    assert len(env) == 1 and "STRIPE_KEY" in env[0].statement
    assert any(m.kind == "maybe-none" and "REGION" in m.statement for m in found)
    assert any(m.kind == "fixed-path" and "/etc/app/config.yaml" in m.statement for m in found)


def test_route_handlers_become_http_targets() -> None:
    code = """
        from fastapi import APIRouter, FastAPI, Request
        from pydantic import BaseModel
        from flask import Flask, request

        app = FastAPI()
        router = APIRouter(prefix="/v1")
        flask_app = Flask(__name__)

        class Item(BaseModel):
            name: str

        @router.post("/items/{item_id}")
        async def create(item_id: int, body: dict, verbose: bool = False):
            return body["name"], item_id

        @app.post("/hooks")
        async def hook(req: Request):
            payload = await req.json()
            return payload["event"]["id"], req.headers["X-Signature"]

        @flask_app.route("/users/<int:uid>", methods=["PUT"])
        def update(uid):
            return request.get_json()["email"], request.args["q"]
    """
    recorded = {"http:POST /v1/items/{id}": 5, "http:POST /hooks": 5, "http:PUT /users/{id}": 5}
    found = {(m.target, m.path) for m in mined(code, recorded=recorded) if m.path}
    assert ("http:POST /v1/items/{id}", "$.body.name") in found
    assert ("http:POST /hooks", "$.body.event.id") in found
    assert ("http:POST /hooks", "$.headers.x-signature") in found
    assert ("http:PUT /users/{id}", "$.body.email") in found
    assert ("http:PUT /users/{id}", "$.query.q") in found


def test_a_configured_mapping_ties_a_function_to_a_target() -> None:
    code = "def on_event(evt):\n    return evt['data']['object']['id']\n"
    mapping = TargetMapping(
        function="app.hooks:on_event", target="http:POST /stripe", params={"evt": "$.body"}
    )
    found = mined(code, recorded={"http:POST /stripe": 3}, targets=[mapping])
    assert {(m.target, m.path) for m in found} >= {("http:POST /stripe", "$.body.data.object.id")}


def test_only_what_changed_lines_rely_on_is_reported() -> None:
    code = """
        def process(pr):
            a = pr["old"]
            b = pr["new"]
            return a, b
    """
    lines = {m.path for m in mined(code, changed={4})}
    assert lines == {"$.args.pr.new"}
    functions = {m.path for m in mined(code, changed={4}, mine_scope="functions")}
    assert functions == {"$.args.pr.old", "$.args.pr.new"}


def test_kinds_can_be_turned_off_and_broken_files_are_reported() -> None:
    code = "import os\n\ndef f(e):\n    return e['a'], os.environ['X']\n"
    assert {m.kind for m in mined(code, kinds=["env-var"])} == {"env-var"}
    source = SourceFile("src/app/bad.py", "def f(:\n", {1}, "app.bad")
    outcome = mine([source], AssumptionsConfig())
    assert outcome.mined == [] and "src/app/bad.py:1: not mined" in outcome.warnings[0]


def test_module_names_and_excludes() -> None:
    assert module_name("src/docsvc/hooks.py", ["src", "."]) == "docsvc.hooks"
    assert module_name("src/docsvc/__init__.py", ["src"]) == "docsvc"
    assert module_name("tools/x.py", ["src", "."]) == "tools.x"
    assert module_name("my-tools/x.py", ["."]) is None
    defaults = AssumptionsConfig().exclude
    assert excluded("tests/test_x.py", defaults) and excluded("pkg/tests/x.py", defaults)
    assert excluded("src/conftest.py", defaults) and not excluded("src/app/x.py", defaults)


def test_an_early_exit_limits_the_samples_a_check_judges() -> None:
    code = """
        def handle(payload):
            action = payload.get("action")
            if action not in ("opened", "reopened"):
                return None
            return payload["pull_request"]["head"]
    """
    (pr,) = [m for m in mined(code) if m.path == "$.args.payload.pull_request"]
    assert pr.check is not None
    (cond,) = pr.check.when
    assert (cond.path, cond.expect, cond.negate) == (
        "$.args.payload.action",
        {"in": ["opened", "reopened"]},
        False,
    )
    assert "when $.args.payload.action is one of 'opened', 'reopened'" in pr.statement


def test_environment_guards() -> None:
    code = """
        import os

        def settings():
            a = os.environ["A"] if "A" in os.environ else None
            if os.environ.get("B"):
                b = os.environ["B"]
            if os.getenv("C"):
                c = os.environ["C"]
            try:
                d = os.environ["D"]
            except KeyError:
                d = None
            return a, b, c, d, os.environ["E"]
    """
    env = [m.statement for m in mined(code) if m.kind == "env-var"]
    assert len(env) == 1 and "environment variable E" in env[0]


def test_optional_parameters_and_local_lookups_may_be_none() -> None:
    code = """
        from typing import Optional

        CACHE: dict[str, str] = {}

        def handle(user: dict | None, note: Optional[str], name: str):
            doc = CACHE.get(name)
            first = getattr(user, "first", None)
            return user["id"], note.strip(), doc.upper(), first.title()

        def guarded(user: dict | None):
            if user is None:
                return None
            return user["id"]
    """
    found = [m for m in mined(code) if m.kind == "maybe-none"]
    said = " ".join(m.statement for m in found)
    assert len(found) == 4
    assert "parameter `user` (dict | None)" in said and "parameter `note`" in said
    assert "CACHE.get(name)" in said and "getattr(user, 'first', None)" in said
    user = next(m for m in found if m.path == "$.args.user")
    assert user.check is not None and user.check.expect == {"not_null": True}
    assert all(m.function == "handle" for m in found)


def test_deeply_nested_code_is_reported_not_fatal() -> None:
    chain = " + ".join(f'e["k{i}"]' for i in range(3000))
    source = SourceFile("src/app/deep.py", f"def f(e):\n    return {chain}\n", {2}, "app.deep")
    try:
        outcome = mine([source], AssumptionsConfig())
    except RecursionError:  # pragma: no cover - the point of the test
        pytest.fail("mining raised RecursionError")
    assert outcome.mined == [] and "nests too deeply" in outcome.warnings[0]


def test_the_configurable_kinds_are_the_kinds_mining_knows() -> None:
    # The config layer lists them without importing the assumptions package (layer rule).
    from typing import get_args

    from realitycheck.assumptions.model import MINED_LEDGER_KIND, MinedKind
    from realitycheck.core.config.assumptions import MINED_KINDS

    assert set(get_args(MinedKind)) == set(MINED_KINDS) == set(MINED_LEDGER_KIND)
