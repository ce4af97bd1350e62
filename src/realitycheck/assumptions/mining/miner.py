"""Mine a change: walk the functions around its changed lines and keep what those lines rely on."""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from realitycheck.assumptions.mining.declared import record_declared
from realitycheck.assumptions.mining.module import Function, Module, load_module
from realitycheck.assumptions.mining.sources import SourceFile
from realitycheck.assumptions.mining.targets import Entry, entries_for
from realitycheck.assumptions.mining.values import Site, Val
from realitycheck.assumptions.mining.walker import Walker
from realitycheck.assumptions.model import CheckSpec, Condition, MinedAssumption
from realitycheck.core.config.assumptions import MINED_KINDS, AssumptionsConfig

SHAPE = ("not-null", "maybe-none", "key-present")  # strongest first
MODULE_LEVEL = "<module>"


@dataclass
class MineOutcome:
    """Mined assumptions, and what could not be mined."""

    mined: list[MinedAssumption] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: int = 0
    functions: int = 0


def mine(
    sources: Sequence[SourceFile],
    config: AssumptionsConfig,
    *,
    recorded: Mapping[str, int] | None = None,
    django_routes: Mapping[str, list[str]] | None = None,
) -> MineOutcome:
    """Mined assumptions of the changed files, numbered M1, M2, … in file and line order."""
    outcome = MineOutcome()
    kinds = set(config.kinds or MINED_KINDS)
    loaded: list[tuple[SourceFile, Module]] = []
    for source in sources:
        try:
            tree = ast.parse(source.text, filename=source.path)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            outcome.warnings.append(
                f"{source.path}{f':{line}' if line else ''}: not mined, it does not parse "
                f"({getattr(exc, 'msg', exc)})"
            )
            continue
        except RecursionError:
            outcome.warnings.append(f"{source.path}: not mined, its code nests too deeply")
            continue
        outcome.files += 1
        mod = load_module(tree, source.path, source.module, source.text)
        _add_module_level(mod)
        mod.touched = {
            q for q, f in mod.functions.items() if any(f.contains(n) for n in source.changed)
        }
        loaded.append((source, mod))
    # calls into another changed module are followed, so one pick over every module's sites
    others = {mod.name: mod for _, mod in loaded if mod.name}
    sites: list[Site] = []
    entries: dict[str, Entry] = {}
    for source, mod in loaded:
        try:
            more, found = _mine_module(
                mod, source.changed, config, kinds, recorded or {}, django_routes or {}, others
            )
        except RecursionError:
            outcome.warnings.append(f"{source.path}: not mined, its code nests too deeply")
            continue
        sites += more
        entries |= found
        outcome.functions += len(found)
    by_path = {source.path: (source, mod) for source, mod in loaded}
    kept = [
        (site, entries[site.entry or ""])
        for site in _pick(sites, entries)
        if site.file in by_path and _in_scope(site, *by_path[site.file], config.mine_scope)
    ]
    outcome.mined = _merge(kept)
    return outcome


def _add_module_level(mod: Module) -> None:
    body = [
        s
        for s in mod.tree.body
        if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]
    if not body:
        return
    fields: dict[str, Any] = {"type_params": []} if sys.version_info >= (3, 12) else {}
    node = ast.FunctionDef(
        name=MODULE_LEVEL,
        args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=body,
        decorator_list=[],
        returns=None,
        **fields,
    )
    node.lineno, node.end_lineno = body[0].lineno, body[-1].end_lineno
    node.col_offset = 0
    mod.functions[MODULE_LEVEL] = Function(MODULE_LEVEL, node)


EXTERNAL = "<a changed function of another module>"


def _callees(func: Function, mod: Module, elsewhere: set[str]) -> set[str]:
    """What a function may call: this module's functions, its classes' constructors and
    methods, and (as EXTERNAL) changed functions of other modules."""
    out: set[str] = set()
    calls = [n for n in ast.walk(func.node) if isinstance(n, ast.Call)]
    built = {n.func.id for n in calls if isinstance(n.func, ast.Name) and n.func.id in mod.classes}
    for node in calls:
        if elsewhere and (mod.dotted(node.func) or "") in elsewhere:
            out.add(EXTERNAL)
        if isinstance(node.func, ast.Name) and node.func.id in mod.functions:
            out.add(node.func.id)
        elif isinstance(node.func, ast.Name) and node.func.id in mod.classes:
            out.add(f"{node.func.id}.__init__")
        elif isinstance(node.func, ast.Attribute):
            if func.cls is not None:
                out.add(f"{func.cls}.{node.func.attr}")
            out |= {f"{c}.{node.func.attr}" for c in built}  # a method of an object it built
    return out & (set(mod.functions) | {EXTERNAL})


def _mine_module(
    mod: Module,
    changed: set[int],
    config: AssumptionsConfig,
    kinds: set[str],
    recorded: Mapping[str, int],
    django_routes: Mapping[str, list[str]],
    others: Mapping[str, Module],
) -> tuple[list[Site], dict[str, Entry]]:
    touched = {q for q, f in mod.functions.items() if any(f.contains(n) for n in changed)}
    elsewhere = {
        f"{other.name}.{q}" for other in others.values() if other is not mod for q in other.touched
    }
    calls = {q: _callees(f, mod, elsewhere) for q, f in mod.functions.items()}
    reaches = set(touched) | {EXTERNAL}
    grew = True
    while grew:  # callers of touched functions, transitively: they may pass recorded values in
        grew = False
        for qual, callees in calls.items():
            if qual not in reaches and callees & reaches:
                reaches.add(qual)
                grew = True
    reaches.discard(EXTERNAL)
    sites: list[Site] = []
    entries: dict[str, Entry] = {}
    for qual in sorted(reaches):
        func = mod.functions[qual]
        candidates = (
            entries_for(
                mod, func, recorded=recorded, mappings=config.targets, django_routes=django_routes
            )
            if qual != MODULE_LEVEL
            else []
        )
        entry = candidates[0] if candidates else Entry(target="", bindings={})
        key = f"{mod.path}::{qual}"
        entries[key] = entry
        walker = Walker(mod, sites, key, kinds)
        walker.others = others
        walker.walk_entry(func, {p: entry.bindings.get(p, Val()) for p in func.params})
        record_declared(walker, func, entry.declared)
    return sites, entries


def _pick(sites: list[Site], entries: Mapping[str, Entry]) -> list[Site]:
    """One site per code place: reached from an entry with recorded samples, nearest first."""
    best: dict[tuple[object, ...], Site] = {}
    for site in sites:
        entry = entries.get(site.entry or "")
        rank = (0 if entry and entry.samples else 1, 0 if site.path is not None else 1, site.depth)
        current = best.get(site.identity)
        if current is None:
            best[site.identity] = site
            continue
        cur_entry = entries.get(current.entry or "")
        cur_rank = (
            0 if cur_entry and cur_entry.samples else 1,
            0 if current.path is not None else 1,
            current.depth,
        )
        if rank < cur_rank:
            best[site.identity] = site
    return list(best.values())


def _in_scope(site: Site, source: SourceFile, mod: Module, scope: str) -> bool:
    if site.lines & source.changed:
        return True
    if scope == "functions" and site.function in mod.functions:
        func = mod.functions[site.function]
        return any(func.contains(n) for n in source.changed)
    return False


def _merge(found: list[tuple[Site, Entry]]) -> list[MinedAssumption]:
    groups: dict[tuple[object, ...], list[tuple[Site, Entry]]] = {}
    for site, entry in found:
        if site.path is not None and site.kind in SHAPE and site.expect:
            key: tuple[object, ...] = ("shape", entry.target, str(site.path), site.conds)
        elif site.path is not None:
            expect = json.dumps(site.expect, sort_keys=True)
            key = (site.kind, entry.target, str(site.path), expect, site.conds, site.probe)
        else:
            key = site.identity
        groups.setdefault(key, []).append((site, entry))
    mined: list[MinedAssumption] = []
    for members in groups.values():
        members.sort(key=lambda m: (SHAPE.index(m[0].kind) if m[0].kind in SHAPE else 0, m[0].line))
        site, entry = members[0]
        target = entry.target or None
        check = None
        if site.path is not None and site.expect and target:
            when = [
                Condition(path=str(c.path), expect=c.expect, negate=c.negate)
                for c in site.conds
                if not c.path.wildcards
            ]
            check = CheckSpec(
                target=target, path=str(site.path), expect=site.expect, when=when, probe=site.probe
            )
        why = site.why_unchecked
        if check is None and why is None:
            why = "no corpus target for this function (map one under [assumptions] targets)"
        mined.append(
            MinedAssumption(
                id="",
                kind=site.kind,  # type: ignore[arg-type]
                file=site.file,
                line=min(m[0].line for m in members),
                lines=sorted({m[0].line for m in members}),
                function=site.function if site.function != MODULE_LEVEL else None,
                target=target,
                path=str(site.path) if site.path is not None else None,
                statement=site.statement,
                check=check,
                why_unchecked=why if check is None else None,
            )
        )
    mined.sort(key=lambda m: (m.file, m.line, m.kind, m.path or ""))
    for i, m in enumerate(mined, start=1):
        m.id = f"M{i}"
    return mined
