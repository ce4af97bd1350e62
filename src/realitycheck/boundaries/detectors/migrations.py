"""Database migrations: Alembic revisions, Django migrations, and SQL files in migration folders."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from realitycheck.boundaries import pyast
from realitycheck.boundaries.detectors import Scope, whole_file
from realitycheck.boundaries.model import Region

RULE = "migrations"
_SQL_FOLDERS = {"migrations", "migration", "migrate", "versions", "changelog"}


def _assigned(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def alembic_revision(tree: ast.Module) -> str | None:
    """The revision id of an Alembic migration module, or None when it is not one."""
    names = _assigned(tree)
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    if not ({"revision", "down_revision"} <= names and "upgrade" in functions):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "revision" for t in targets):
                return pyast.string(node.value) or "?"
    return "?"


def django_migration(tree: ast.Module) -> bool:
    """Whether a module defines Django's `class Migration(migrations.Migration)`."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Migration":
            bases = {pyast.dotted(b) for b in node.bases}
            if bases & {"migrations.Migration", "Migration", "django.db.migrations.Migration"}:
                return True
    return False


def detect(scope: Scope) -> list[Region]:
    """A region over each changed migration."""
    regions: list[Region] = []
    for changed in scope.files:
        pure = PurePosixPath(changed.path)
        if pure.suffix == ".py" and pure.name != "__init__.py":
            tree = scope.tree(changed.path)
            if tree is None:
                continue
            revision = alembic_revision(tree)
            if revision is not None:
                why = f"an Alembic migration (revision {revision}): it changes the database schema"
                regions.append(whole_file(scope, changed.path, RULE, why, f"revision {revision}"))
            elif "migrations" in pure.parts and django_migration(tree):
                app = pure.parts[-3] if len(pure.parts) >= 3 else "?"
                why = f"a Django migration of app '{app}': it changes the database schema"
                regions.append(whole_file(scope, changed.path, RULE, why, f"{app}.{pure.stem}"))
        elif pure.suffix.lower() == ".sql" and _SQL_FOLDERS & {p.lower() for p in pure.parts}:
            why = "a SQL migration: it changes the database schema"
            regions.append(whole_file(scope, changed.path, RULE, why))
    return regions
