"""Walking calls: conversions, regex matches, upstream calls, file paths, same-module callees."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.assumptions.mining import rules
from realitycheck.assumptions.mining.conversions import Conversions
from realitycheck.assumptions.mining.expressions import constant_key
from realitycheck.assumptions.mining.frame import MAX_DEPTH, Frame, short
from realitycheck.assumptions.mining.module import Function, Module
from realitycheck.assumptions.mining.values import UNKNOWN, Instance, Val

NONE_DEFAULT = ast.Constant(value=None)
# Methods that fail on None: calling one on a recorded value assumes it is there, not null.
CONTAINER_METHODS = frozenset(
    {"items", "keys", "values", "lower", "upper", "strip", "split", "startswith", "endswith"}
)


def _is_none(node: ast.expr | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def _const(node: ast.expr | None) -> Any:
    return node.value if isinstance(node, ast.Constant) else None


class Calls(Conversions):
    """Evaluates calls; `descend` (walking a callee) is provided by the statement walker."""

    others: Mapping[str, Module] = {}  # the change's other modules, by name

    def descend(
        self, callee: Function, bound: dict[str, Val], fr: Frame, mod: Module | None = None
    ) -> Val:
        raise NotImplementedError

    def _e_Call(self, node: ast.Call, fr: Frame, assigned: str | None = None) -> Val:
        func = node.func
        callee = self.mod.dotted(func) or ""
        base = UNKNOWN
        if isinstance(func, ast.Attribute):
            base = self.expr(func.value, fr)
            special = self._method(node, func, base, fr, assigned)
            if special is not None:
                return special
        args = [self.expr(a, fr) for a in node.args]
        kwargs = {k.arg: self.expr(k.value, fr) for k in node.keywords if k.arg}
        if callee in rules.BASE64 and node.args:
            return self._base64(node, callee, args[0], fr)
        if callee in rules.CONVERSIONS and node.args:
            self._conversion(node, callee, args[0], fr)
            if callee == "json.loads" and args[0].kind == "request-body":
                return Val(path=JsonPath(("body",)))
            return UNKNOWN
        if callee.split(".")[-1] in self.mod.enums and callee.count(".") == 0 and node.args:
            self._enum(node, callee, args[0], fr)
            return UNKNOWN
        if callee in ("re.match", "re.search", "re.fullmatch") and len(node.args) >= 2:
            pattern = _const(node.args[0])
            mode = callee.split(".")[1]
            info = (pattern, mode, args[1].path) if isinstance(pattern, str) else None
            return Val(maybe_none=f"{callee}(…)", kind="regex", info=info)
        if callee in ("os.getenv", "os.environ.get") and len(node.args) < 2:
            return Val(maybe_none=f"`{short(node)}`")
        if callee == "next" and len(node.args) == 2 and _is_none(node.args[1]):
            return Val(maybe_none=f"`{short(node)}`")
        if callee == "getattr" and len(node.args) == 3 and _is_none(node.args[2]):
            return Val(maybe_none=f"`{short(node)}`")
        if callee in rules.HTTP_CALLS or callee in rules.SUBPROCESS or callee in rules.DB_CONNECT:
            self._upstream(node, callee, fr, assigned)
            return Val(kind="response" if callee not in rules.DB_CONNECT else "db")
        if callee in rules.SESSIONS:
            return Val(kind="session", info=callee)
        if callee in rules.BOTO3 or callee.endswith("Session.client"):
            return Val(kind="client", info=callee)
        if callee in rules.FILE_CALLS:
            self._fixed_paths(node, fr)
        if isinstance(func, ast.Name) and func.id in self.mod.classes:
            return self._construct(func.id, node, args, kwargs, fr)
        found = self._callee(func, fr, base)
        if found is not None:
            target, where = found
            this = base if base.kind == "instance" else fr.env.get("self", UNKNOWN)
            return self._call_into(target, node, args, kwargs, fr, where, this)
        return UNKNOWN

    # -- methods on tracked values ---------------------------------------------------------

    def _method(
        self, node: ast.Call, func: ast.Attribute, base: Val, fr: Frame, assigned: str | None
    ) -> Val | None:
        name = func.attr
        if base.kind == "request" and name in ("get_data", "body"):
            return Val(kind="request-body")
        if base.kind == "request" and name in ("json", "get_json"):
            for arg in node.args:
                self.expr(arg, fr)
            return Val(path=JsonPath(("body",)))
        if base.kind == "environ" and name == "get":
            if len(node.args) < 2:
                return Val(maybe_none=f"`{short(node)}`")
            return UNKNOWN
        if base.kind == "session" and name in rules.HTTP_VERBS:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                self.expr(arg, fr)
            self._upstream(node, f"{base.info}().{name}", fr, assigned)
            return Val(kind="response")
        if base.kind == "client":
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                self.expr(arg, fr)
            if not fr.handles("ClientError") and not fr.handles("Exception"):
                self.site(
                    fr,
                    "upstream-call",
                    node,
                    f"`{short(node)}` never fails (no handling of botocore's ClientError)",
                    discriminator="aws",
                )
            return UNKNOWN
        if base.path is not None and name == "get" and node.args:
            self.container_use(base, func.value, fr, node, "calls .get() on it")
            key = constant_key(node.args[0])
            for arg in node.args[1:]:
                self.expr(arg, fr)
            if key is None:
                self.expr(node.args[0], fr)
                return UNKNOWN
            default = node.args[1] if len(node.args) > 1 else None
            default = next((k.value for k in node.keywords if k.arg == "default"), default)
            child = base.path.child(key)
            if _is_none(default):
                return Val(path=child, maybe_none=f"`{short(node)}`")
            return Val(path=child)
        if name == "decode" and base.kind in ("bytes", "request-body"):
            self._text(node, func, base, fr)
            return UNKNOWN
        if name == "decode" and (base.path is not None or base.kind == "response"):
            encoding = _const(node.args[0]) if node.args else "utf-8"
            self.site(
                fr,
                "conversion",
                node,
                f"`{short(func.value)}` is always valid {encoding} text (`{short(node)}`)",
                why="bytes are not recorded as JSON fields",
            )
            return UNKNOWN
        if name == "fetchone":
            return Val(maybe_none=f"`{short(node)}`")
        if name == "get" and len(node.args) == 1 and not node.keywords and self._local(func.value):
            for arg in node.args:
                self.expr(arg, fr)
            return Val(maybe_none=f"`{short(node)}`")
        if base.path is not None and not base.maybe_none and name in CONTAINER_METHODS:
            self.container_use(base, func.value, fr, node, f"calls .{name}() on it")
            return None
        self.none_unsafe(base, func.value, fr, f"calls .{name}()", "AttributeError")
        return None

    def _local(self, node: ast.expr) -> bool:
        """Whether a value is the code's own data (a name or `self.x`), not an imported module."""
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return False
        return root.id == "self" or root.id not in self.mod.imports

    # -- upstream calls and files ----------------------------------------------------------

    def _upstream(self, node: ast.Call, callee: str, fr: Frame, assigned: str | None) -> None:
        keywords = {k.arg for k in node.keywords}
        splat = None in keywords
        missing: list[tuple[str, str]] = []
        if callee in rules.DB_CONNECT:
            if rules.DB_CONNECT[callee] not in keywords and not splat:
                missing.append(("answers in bounded time", "no connect timeout"))
        else:
            positional_timeout = callee == "urllib.request.urlopen" and len(node.args) >= 3
            defaults = callee.startswith(rules.DEFAULT_TIMEOUT)
            timeout_none = any(k.arg == "timeout" and _is_none(k.value) for k in node.keywords)
            if (
                not splat
                and not positional_timeout
                and (timeout_none or ("timeout" not in keywords and not defaults))
            ):
                missing.append(("answers in bounded time", "no timeout"))
        network = callee not in rules.SUBPROCESS
        if network and not fr.retried and not (fr.loops and fr.handled):
            missing.append(("succeeds on the first try", "no retry"))
        if callee in rules.SUBPROCESS:
            checked = callee in ("subprocess.check_call", "subprocess.check_output") or any(
                k.arg == "check" and _const(k.value) is True for k in node.keywords
            )
            if not checked and (assigned is None or assigned not in fr.status_names):
                missing.append(("exits with status 0", "exit status never checked"))
        elif callee not in rules.DB_CONNECT and (
            assigned is None or assigned not in fr.status_names
        ):
            missing.append(("returns a success status", "status never checked here"))
        if not missing:
            return
        promises = ", ".join(p for p, _ in missing[:-1])
        promises = f"{promises} and {missing[-1][0]}" if promises else missing[-1][0]
        self.site(
            fr,
            "upstream-call",
            node,
            f"`{short(node)}` {promises} ({'; '.join(w for _, w in missing)})",
            discriminator=callee,
        )

    def _fixed_paths(self, node: ast.Call, fr: Frame) -> None:
        for arg in node.args[:1]:
            value = _const(arg)
            if isinstance(value, str) and rules.looks_like_fixed_path(value):
                self.site(
                    fr,
                    "fixed-path",
                    arg,
                    f"`{value}` exists on every host that runs this (`{short(node)}`)",
                    discriminator=value,
                )

    # -- calls into the same module --------------------------------------------------------

    def _callee(self, func: ast.expr, fr: Frame, base: Val) -> tuple[Function, Module] | None:
        """The function a call runs: of this module, a method of an instance, or another
        changed module's (`parse.kind_of(data)`, `from .parse import kind_of`)."""
        if isinstance(func, ast.Name):
            found = self.mod.functions.get(func.id)
            if found is not None and found.cls is None:
                return found, self.mod
        elif isinstance(func, ast.Attribute) and base.kind == "instance":
            method = self.mod.functions.get(f"{base.info.cls}.{func.attr}")
            return (method, self.mod) if method is not None else None
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
            and fr.func.cls is not None
        ):
            method = self.mod.functions.get(f"{fr.func.cls}.{func.attr}")
            return (method, self.mod) if method is not None else None
        module, _, name = (self.mod.dotted(func) or "").rpartition(".")
        other = self.others.get(module)
        if other is not None and other is not self.mod:
            found = other.functions.get(name)
            if found is not None and found.cls is None:
                return found, other
        return None

    def _construct(
        self, cls: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val], fr: Frame
    ) -> Val:
        """`Handler(payload)`: an instance whose `__init__` stores recorded values on `self`."""
        made = Val(kind="instance", info=Instance(cls))
        init = self.mod.functions.get(f"{cls}.__init__")
        if init is not None:
            self._call_into(init, node, args, kwargs, fr, self.mod, made)
        return made

    def _call_into(
        self,
        callee: Function,
        node: ast.Call,
        args: list[Val],
        kwargs: dict[str, Val],
        fr: Frame,
        where: Module,
        this: Val = UNKNOWN,
    ) -> Val:
        params = callee.params
        bound: dict[str, Val] = {}
        if callee.cls is not None and params and params[0] in ("self", "cls"):
            if this.kind == "instance":
                bound[params[0]] = this
            params = params[1:]
        for name, value in zip(params, args, strict=False):
            bound[name] = value
        for name, value in kwargs.items():
            if name in params:
                bound[name] = value
        if fr.depth + 1 > MAX_DEPTH or callee.qualname in self.stack:
            return UNKNOWN
        if not any(v.path is not None or v.maybe_none or v.kind for v in bound.values()):
            return UNKNOWN
        return self.descend(callee, bound, fr, where)
