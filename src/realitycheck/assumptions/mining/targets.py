"""Tie functions to corpus targets: recorded functions, route handlers, and configured mappings."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.assumptions.mining.declared import Declared, declared_types
from realitycheck.assumptions.mining.module import Function, Module
from realitycheck.assumptions.mining.values import Val
from realitycheck.core.config.assumptions import TargetMapping
from realitycheck.corpus.model import http_target

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_FLASK_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_TEMPLATE = re.compile(r"\{[^/{}]*\}")
_SIMPLE = {"int", "str", "float", "bool", "bytes", "date", "datetime", "UUID", "Decimal"}
ROOT = JsonPath()


@dataclass
class Entry:
    """A way into a function from recorded samples: the target, and where each argument lives."""

    target: str
    bindings: dict[str, Val] = field(default_factory=dict)
    samples: int = 0
    how: str = "recorded function"
    declared: list[Declared] = field(default_factory=list)  # typed request parameters


def normalise_route(path: str) -> str:
    """`/users/<int:id>/` and `/users/{user_id}` both become `/users/{}` for matching."""
    path = _FLASK_PARAM.sub("{}", path)
    path = _TEMPLATE.sub("{}", path)
    return "/" + path.strip("/")


def match_target(candidate: str, recorded: Mapping[str, int]) -> str | None:
    """The recorded target a candidate names (routes compared with their parameters blanked)."""
    if candidate in recorded:
        return candidate
    if not candidate.startswith("http:"):
        return None
    method, _, path = candidate[5:].partition(" ")
    want = normalise_route(path)
    for name in sorted(recorded):
        if not name.startswith("http:"):
            continue
        m, _, p = name[5:].partition(" ")
        if (method in ("*", m)) and normalise_route(p) == want:
            return name
    return None


def entries_for(
    mod: Module,
    func: Function,
    *,
    recorded: Mapping[str, int],
    mappings: Sequence[TargetMapping],
    django_routes: Mapping[str, list[str]],
) -> list[Entry]:
    """Every entry into a function, best first (those with recorded samples lead)."""
    out: list[Entry] = []
    for mapping in mappings:
        if _names(mapping.function, mod, func):
            bindings = {p: _val_at(path) for p, path in mapping.params.items()}
            for param in func.params:
                bindings.setdefault(param, _default_binding(mapping.target, param))
            out.append(Entry(mapping.target, bindings, how="configured mapping"))
    for method, route in _routes(mod, func, django_routes):
        bindings = _http_bindings(mod, func, route)
        declared = declared_types(func, route, bindings, _defaults(func.node))
        out.append(Entry(f"http:{method} {route}", bindings, how="route", declared=declared))
    if mod.name:
        target = f"fn:{mod.name}:{func.qualname}"
        out.append(Entry(target, {p: _default_binding(target, p) for p in func.params}))
    for entry in out:
        matched = match_target(entry.target, recorded)
        if matched is not None:
            entry.target = matched
            entry.samples = recorded[matched]
        elif entry.target.startswith("http:"):  # spelt as capture and importers would name it
            method, _, route = entry.target[5:].partition(" ")
            entry.target = http_target(method, _FLASK_PARAM.sub(r"{\1}", route))
    out.sort(key=lambda e: e.samples == 0)
    return out


def _names(spec: str, mod: Module, func: Function) -> bool:
    where, _, qual = spec.rpartition(":")
    return qual == func.qualname and where in (mod.name, mod.path)


def _val_at(path: str) -> Val:
    return Val(path=JsonPath.parse(path))


def _default_binding(target: str, param: str) -> Val:
    if param in ("self", "cls"):
        return Val()
    if target.startswith("http:"):
        return Val(path=JsonPath(("body",))) if param in ("payload", "body", "data") else Val()
    return Val(path=JsonPath(("args", param)))


def _routes(
    mod: Module, func: Function, django_routes: Mapping[str, list[str]]
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for deco in func.node.decorator_list:
        if not isinstance(deco, ast.Call) or not isinstance(deco.func, ast.Attribute):
            continue
        owner = deco.func.value
        prefix = mod.routers.get(owner.id, "") if isinstance(owner, ast.Name) else ""
        verb = deco.func.attr
        route = _string_arg(deco)
        if route is None:
            continue
        if verb in HTTP_METHODS:
            out.append((verb.upper(), prefix + route))
        elif verb in ("route", "api_route", "add_url_rule"):
            for method in _methods(deco) or ["GET"]:
                out.append((method, prefix + route))
    qual = f"{mod.name}.{func.qualname}" if mod.name else func.qualname
    for route in django_routes.get(qual, []):
        for method in _django_methods(mod, func) or ["*"]:
            out.append((method, route))
    return out


def _string_arg(call: ast.Call) -> str | None:
    first = (
        call.args[0]
        if call.args
        else next((k.value for k in call.keywords if k.arg in ("path", "rule")), None)
    )
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def _methods(call: ast.Call) -> list[str]:
    for kw in call.keywords:
        if kw.arg == "methods" and isinstance(kw.value, ast.List | ast.Tuple | ast.Set):
            return [
                str(e.value).upper()
                for e in kw.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
    return []


def _django_methods(mod: Module, func: Function) -> list[str]:
    for deco in func.node.decorator_list:
        name = mod.dotted(deco.func if isinstance(deco, ast.Call) else deco) or ""
        short = name.split(".")[-1]
        if short in ("require_POST", "require_GET", "require_safe"):
            return {"require_POST": ["POST"], "require_GET": ["GET"]}.get(short, ["GET", "HEAD"])
        if short in ("api_view", "require_http_methods") and isinstance(deco, ast.Call):
            arg = deco.args[0] if deco.args else None
            if isinstance(arg, ast.List | ast.Tuple):
                return [
                    str(e.value).upper()
                    for e in arg.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                ]
    return []


def _http_bindings(mod: Module, func: Function, route: str) -> dict[str, Val]:
    """Where each handler parameter lives in an HTTP sample's input."""
    in_path = set(re.findall(r"\{([^}:]+)", route)) | set(_FLASK_PARAM.findall(route))
    node = func.node
    args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    defaults = _defaults(node)
    bindings: dict[str, Val] = {}
    for arg in args:
        name = arg.arg
        annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        given = defaults.get(name)
        marker = mod.dotted(given.func) if isinstance(given, ast.Call) else None
        short = (marker or "").split(".")[-1]
        if name in in_path:  # a path parameter: its segment of `$.path`, for conversions
            bindings[name] = Val(kind="segment", info=(segment_of(route, name), name))
        elif name in ("self", "cls"):
            bindings[name] = Val()
        elif annotation.split(".")[-1] in ("Request", "HttpRequest", "WSGIRequest") or (
            name == "request" and not annotation
        ):
            bindings[name] = Val(kind="request", info=route)  # the route: for path_params
        elif short == "Header":
            bindings[name] = Val(path=JsonPath(("headers", name.replace("_", "-"))))
        elif short == "Query" or (
            short == "" and annotation.split("|")[0].strip().split(".")[-1] in _SIMPLE
        ):
            bindings[name] = Val(path=JsonPath(("query", name)))
        elif short in ("Body", "") and annotation:
            bindings[name] = Val(path=JsonPath(("body",)))
        else:
            bindings[name] = Val()
    return bindings


def segment_of(route: str, name: str) -> int:
    """The 1-based `/`-separated field of a request path that holds a route parameter."""
    for i, seg in enumerate(route.split("/")):
        found = re.findall(r"\{([^}:]+)", seg) + _FLASK_PARAM.findall(seg)
        if name in found:
            return i + 1
    return 0


def _defaults(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """Each parameter's default expression (FastAPI's `Query(...)` markers included)."""
    defaults: dict[str, ast.expr] = {}
    positional = [*node.args.posonlyargs, *node.args.args]
    for arg, default in zip(positional[::-1], node.args.defaults[::-1], strict=False):
        defaults[arg.arg] = default
    for arg, kw_default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
        if kw_default is not None:
            defaults[arg.arg] = kw_default
    return defaults


def django_route_index(files: Mapping[str, str], roots: Sequence[str]) -> dict[str, list[str]]:
    """`pkg.views.fn` → the routes that urls.py files send to it (`/items/{}`)."""
    from realitycheck.assumptions.mining.sources import module_name

    index: dict[str, list[str]] = {}
    for path, text in files.items():
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        package = (module_name(path, roots) or "").rpartition(".")[0]
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: max(0, len(package.split(".")) - node.level + 1)]
                    base = ".".join([*up, *([base] if base else [])])
                for alias in node.names:
                    aliases[alias.asname or alias.name] = f"{base}.{alias.name}".strip(".")
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ("path", "re_path") or len(node.args) < 2:
                continue
            route, view = node.args[0], node.args[1]
            if not (isinstance(route, ast.Constant) and isinstance(route.value, str)):
                continue
            dotted = ast.unparse(view)
            head, _, rest = dotted.partition(".")
            qual = aliases.get(head, head) + (f".{rest}" if rest else "")
            index.setdefault(qual, []).append("/" + route.value.lstrip("^").rstrip("$"))
    return index
