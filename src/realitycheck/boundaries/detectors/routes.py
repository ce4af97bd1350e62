"""HTTP route handlers (FastAPI/Starlette, Flask, Django URL patterns) and their models."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from realitycheck.boundaries import pyast
from realitycheck.boundaries.detectors import Scope
from realitycheck.boundaries.detectors.models import model_regions
from realitycheck.boundaries.detectors.resolve import resolve
from realitycheck.boundaries.model import Region
from realitycheck.core.ranges import Range

RULE = "routes"
VERBS = {"get", "post", "put", "patch", "delete", "head", "options", "trace"}
DECORATORS = VERBS | {"route", "api_route", "websocket", "websocket_route"}
REGISTRATIONS = {
    "add_api_route", "add_route", "add_url_rule", "add_websocket_route", "add_api_websocket_route",
}  # fmt: skip
ROUTE_CLASSES = {"Route", "WebSocketRoute", "APIRoute", "APIWebSocketRoute"}
DJANGO = {"path", "re_path", "url"}
INJECTED = {"Depends", "Security"}
# Lines that may hold a route, for `git grep -E` over the whole head tree.
CANDIDATES = (
    r"^[[:space:]]*@[[:alnum:]_.]+\.(" + "|".join(sorted(DECORATORS)) + r")\(|"
    r"(" + "|".join(sorted(REGISTRATIONS | ROUTE_CLASSES)) + r")\(|urlpatterns"
)


@dataclass
class Handler:
    """A route and the code that serves it."""

    file: str
    label: str
    endpoint: ast.expr | ast.stmt | None
    entry: Range | None = None
    models: list[tuple[str, ast.expr]] = field(default_factory=list)


def _methods(call: ast.Call, default: str) -> str:
    value = pyast.keyword(call, "methods")
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        names = [pyast.string(e) for e in value.elts]
        return ",".join(n.upper() for n in names if n) or default
    return default


def _route_path(call: ast.Call) -> str:
    first = (
        call.args[0] if call.args else pyast.keyword(call, "path") or pyast.keyword(call, "rule")
    )
    return pyast.string(first) or "?"


def _signature_models(fn: pyast.FunctionNode, call: ast.Call | None) -> list[tuple[str, ast.expr]]:
    """(role, expression) for the models a handler's signature and decorator name."""
    out: list[tuple[str, ast.expr]] = []
    if call is not None:
        model = pyast.keyword(call, "response_model")
        if model is not None:
            out.append(("response model", model))
    if fn.returns is not None:
        out.append(("response model", fn.returns))
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    pairs = list(zip(positional, [*defaults, *args.defaults], strict=True))
    pairs += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
    for arg, default in pairs:
        if arg.annotation is None:
            continue
        if isinstance(default, ast.Call) and (pyast.dotted(default.func) or "") in INJECTED:
            continue  # a dependency FastAPI injects, not part of the request
        if any(
            isinstance(n, ast.Call) and (pyast.dotted(n.func) or "").endswith(tuple(INJECTED))
            for n in ast.walk(arg.annotation)
        ):
            continue  # Annotated[X, Depends(...)]
        out.append((f"request model (parameter '{arg.arg}')", arg.annotation))
    return out


def _decorated(node: pyast.FunctionNode) -> list[Handler]:
    found: list[Handler] = []
    for deco in node.decorator_list:
        if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)):
            continue
        attr = deco.func.attr
        if attr not in DECORATORS:
            continue
        path = _route_path(deco)
        if path == "?" and not deco.args and not deco.keywords:
            continue
        if attr in VERBS:
            method = attr.upper()
        elif attr.startswith("websocket"):
            method = "WEBSOCKET"
        else:
            method = _methods(deco, "GET")
        found.append(Handler("", f"{method} {path}", node, None, _signature_models(node, deco)))
    return found


def _registered(call: ast.Call) -> Handler | None:
    name = pyast.dotted(call.func) or ""
    last = name.rsplit(".", 1)[-1]
    if last in REGISTRATIONS and isinstance(call.func, ast.Attribute):
        endpoint = pyast.keyword(call, "endpoint") or pyast.keyword(call, "view_func")
        if endpoint is None and len(call.args) >= 2:
            endpoint = (
                call.args[2] if last == "add_url_rule" and len(call.args) > 2 else call.args[1]
            )
        method = "WEBSOCKET" if "websocket" in last else _methods(call, "GET")
        response = pyast.keyword(call, "response_model")
        models = [("response model", response)] if response is not None else []
        return Handler("", f"{method} {_route_path(call)}", endpoint, None, models)
    if last in ROUTE_CLASSES and call.args:
        endpoint = call.args[1] if len(call.args) > 1 else pyast.keyword(call, "endpoint")
        method = "WEBSOCKET" if "WebSocket" in last else _methods(call, "GET")
        return Handler("", f"{method} {_route_path(call)}", endpoint)
    return None


def _django(call: ast.Call) -> Handler | None:
    name = pyast.dotted(call.func) or ""
    if name.rsplit(".", 1)[-1] not in DJANGO or len(call.args) < 2:
        return None
    route = pyast.string(call.args[0])
    view = call.args[1]
    if route is None or (isinstance(view, ast.Call) and pyast.dotted(view.func) == "include"):
        return None
    return Handler("", f"URL '{route}'", view)


def handlers(tree: ast.Module, path: str) -> list[Handler]:
    """Every route handler a module declares: decorated, registered, or in `urlpatterns`."""
    found: list[Handler] = []
    django = any(
        isinstance(n, ast.Assign | ast.AnnAssign)
        and any(
            isinstance(t, ast.Name) and t.id == "urlpatterns"
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        )
        for n in tree.body
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found += _decorated(node)
        elif isinstance(node, ast.Call):
            handler = _registered(node) or (_django(node) if django else None)
            if handler is not None:
                handler.entry = (node.lineno, node.end_lineno or node.lineno)
                found.append(handler)
    for handler in found:
        handler.file = path
    return found


def _endpoint(scope: Scope, handler: Handler) -> tuple[str, pyast.DefNode] | None:
    """The file and def that serve a handler, resolving names and `View.as_view()`."""
    target = handler.endpoint
    if isinstance(target, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return handler.file, target
    if isinstance(target, ast.Call):  # View.as_view() / View.as_view("name")
        target = target.func.value if isinstance(target.func, ast.Attribute) else None
    name = pyast.dotted(target) if isinstance(target, ast.expr) else None
    if name is None:
        return None
    symbol = resolve(scope, handler.file, name)
    return (symbol.path, symbol.node) if symbol is not None else None


def detect(scope: Scope) -> list[Region]:
    """Regions for changed handlers, route entries and request/response models."""
    python = scope.python_files()
    if not python:
        return []
    files = sorted({f.path for f in python} | set(scope.head.grep(CANDIDATES, ["*.py"])))
    scope.head.load(files)
    regions: list[Region] = []
    for path in files:
        tree = scope.tree(path)
        if tree is None:
            continue
        for handler in handlers(tree, path):
            regions += _handler_regions(scope, handler)
    return regions


def _handler_regions(scope: Scope, handler: Handler) -> list[Region]:
    out: list[Region] = []
    where = f"{handler.file}:{handler.entry[0] if handler.entry else '?'}"
    if handler.entry is not None and scope.changed(handler.file):
        out.append(
            Region(
                path=handler.file,
                lines=[handler.entry],
                rule=RULE,
                symbol=handler.label,
                reason=f"the route table entry of {handler.label}: which code serves the URL",
            )
        )
    served = _endpoint(scope, handler)
    if served is None:
        return out
    path, node = served
    if handler.entry is None:
        where = f"{path}:{pyast.start(node)}"
    if scope.changed(path):
        out.append(
            Region(
                path=path,
                lines=[pyast.span(node)],
                rule=RULE,
                symbol=f"{node.name} ({handler.label})",
                reason=f"the handler of {handler.label} ({where}): what clients of the route get",
            )
        )
    models = [(handler.file, role, expr) for role, expr in handler.models]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and handler.endpoint is not node:
        models += [(path, role, expr) for role, expr in _signature_models(node, None)]
    out += model_regions(scope, models, handler.label, where)
    return out
