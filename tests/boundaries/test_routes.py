"""Route handlers and their models, in the styles FastAPI, Starlette and Flask document; the
frameworks' own route tables say which handlers exist."""

from __future__ import annotations

import ast
import importlib.util
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

from realitycheck.boundaries.detectors.routes import handlers

from .conftest import MakeChange

FASTAPI_BASE = """\
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel

app = FastAPI()
router = APIRouter(prefix="/users", tags=["users"])


class Image(BaseModel):
    url: str
    name: str


class Item(BaseModel):
    name: str
    description: str | None = None
    price: float
    tax: float | None = None
    images: list[Image] | None = None


class ItemPublic(BaseModel):
    name: str
    price: float


class Settings:
    debug: bool = False


def get_settings() -> Settings:
    return Settings()


def price_with_tax(item: Item) -> float:
    return item.price + (item.tax or 0)


@app.get("/items/{item_id}", response_model=ItemPublic)
async def read_item(item_id: str, settings: Annotated[Settings, Depends(get_settings)]):
    if item_id != "foo":
        raise HTTPException(status_code=404, detail="Item not found")
    return {"name": "Foo", "price": 50.2}


@app.post("/items/")
async def create_item(item: Item, x_token: Annotated[str, Header()]) -> Item:
    return item


@app.api_route("/ping", methods=["PUT"])
async def ping():
    return {"ok": True}


@router.get("/{username}")
async def read_user(username: str):
    return {"username": username}


app.include_router(router)
"""


def _load(path: Path) -> ModuleType:
    name = f"_rc_test_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def _labels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {h.label for h in handlers(tree, path.name)}


def test_fastapi_handlers_match_the_apps_openapi_paths(tmp_path: Path) -> None:
    path = tmp_path / "main.py"
    path.write_text(FASTAPI_BASE)
    app: Any = _load(path).app
    expected = {
        (method.upper(), route)
        for route, operations in app.openapi()["paths"].items()
        for method in operations
    }
    found = set()
    for label in _labels(path):
        methods, _, route_path = label.partition(" ")
        for method in methods.split(","):
            found.add((method, route_path))
    # The router's prefix is applied by include_router; the decorator holds the rest of the path.
    found = {(m, "/users" + p) if p.startswith("/{username}") else (m, p) for m, p in found}
    assert found == expected


def test_fastapi_response_model_change_is_a_boundary(make_change: MakeChange) -> None:
    changed = FASTAPI_BASE.replace(
        "class ItemPublic(BaseModel):\n    name: str\n    price: float\n",
        "class ItemPublic(BaseModel):\n    name: str\n    price: float\n    currency: str = 'X'\n",
    ).replace("    return item.price + (item.tax or 0)", "    return round(item.price * 1.2, 2)")
    change = make_change({"app/main.py": FASTAPI_BASE}, {"app/main.py": changed})
    result = change.check({"detectors": {"public_api": False}})
    symbols = {f.symbol: f for f in result.findings}
    assert set(symbols) == {"ItemPublic"}, symbols
    finding = symbols["ItemPublic"]
    assert finding.rule == "routes"
    assert "response model of GET /items/{item_id}" in finding.reasons[0]
    assert "pydantic model" in finding.reasons[0]
    line = changed.splitlines().index("    currency: str = 'X'") + 1
    assert finding.lines == [(line, line)]


def test_nested_request_model_and_injected_dependency(make_change: MakeChange) -> None:
    changed = FASTAPI_BASE.replace("    url: str\n", "    url: str\n    width: int\n").replace(
        "    debug: bool = False\n", "    debug: bool = True\n"
    )
    change = make_change({"main.py": FASTAPI_BASE}, {"main.py": changed})
    result = change.check({"detectors": {"public_api": False}})
    assert [f.symbol for f in result.findings] == ["Image"]
    reason = result.findings[0].reasons[0]
    assert "Image (pydantic model) is a field type of Item" in reason
    assert "POST /items/" in reason  # Settings comes from Depends: not part of the request


def test_handler_body_change_is_a_boundary_and_helper_change_is_not(
    make_change: MakeChange,
) -> None:
    changed = FASTAPI_BASE.replace(
        '    return {"username": username}', '    return {"username": username.lower()}'
    ).replace("    return item.price + (item.tax or 0)", "    return item.price")
    change = make_change({"main.py": FASTAPI_BASE}, {"main.py": changed})
    result = change.check()
    assert [(f.rule, f.symbol) for f in result.findings] == [
        ("routes", "read_user (GET /{username})")
    ]


STARLETTE_APP = """\
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route, WebSocketRoute


async def homepage(request):
    return PlainTextResponse("Hello, world!")


async def user_me(request):
    username = "John Doe"
    return PlainTextResponse("Hello, %s!" % username)


async def user(request):
    username = request.path_params["username"]
    return JSONResponse({"user": username})


async def websocket_endpoint(websocket):
    await websocket.accept()
    await websocket.send_text("Hello, websocket!")
    await websocket.close()


routes = [
    Route("/", homepage),
    Route("/user/me", user_me),
    Route("/user/{username}", user, methods=["GET", "POST"]),
    WebSocketRoute("/ws", websocket_endpoint),
]

app = Starlette(debug=True, routes=routes)
"""


def test_starlette_routes_match_the_apps_route_table(tmp_path: Path) -> None:
    from starlette.routing import Route, WebSocketRoute

    path = tmp_path / "app.py"
    path.write_text(STARLETTE_APP)
    app: Any = _load(path).app
    expected = set()
    for route in app.routes:
        if isinstance(route, Route):
            methods = sorted((route.methods or set()) - {"HEAD"})
            expected.add(f"{','.join(methods)} {route.path}")
        elif isinstance(route, WebSocketRoute):
            expected.add(f"WEBSOCKET {route.path}")
    assert _labels(path) == expected


def test_starlette_endpoint_change_is_a_boundary(make_change: MakeChange) -> None:
    changed = STARLETTE_APP.replace('{"user": username}', '{"user": username, "v": 2}')
    change = make_change({"app.py": STARLETTE_APP}, {"app.py": changed})
    result = change.check()
    assert [f.symbol for f in result.findings] == ["user (GET,POST /user/{username})"]
    assert "the handler of GET,POST /user/{username}" in result.findings[0].reasons[0]


FLASK_APP = """\
from flask import Blueprint, Flask, request
from flask.views import MethodView

app = Flask(__name__)
bp = Blueprint("auth_pages", __name__, url_prefix="/pages")


@app.route("/")
def index():
    return "Index Page"


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        return do_the_login()
    return show_the_login_form()


@app.get("/user/<username>")
def show_user_profile(username):
    return f"User {username}"


@bp.route("/about")
def about():
    return "About"


class UserAPI(MethodView):
    def get(self, id):
        return {"id": id}


def do_the_login():
    return "logged in"


def show_the_login_form():
    return "form"


app.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))
app.register_blueprint(bp)
"""


def test_flask_routes_match_the_url_map(tmp_path: Path) -> None:
    path = tmp_path / "flaskr.py"
    path.write_text(FLASK_APP)
    app: Any = _load(path).app
    expected = {
        rule.rule.removeprefix("/pages")
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    }
    found = {label.split(" ", 1)[1] for label in _labels(path)}
    assert found == expected


def test_flask_method_view_change_is_a_boundary(make_change: MakeChange) -> None:
    changed = FLASK_APP.replace('return {"id": id}', 'return {"id": id, "name": None}')
    changed = changed.replace('return "logged in"', 'return "welcome"')
    change = make_change({"flaskr.py": FLASK_APP}, {"flaskr.py": changed})
    result = change.check()
    assert [f.symbol for f in result.findings] == ["UserAPI (GET /users/<int:id>)"]
