"""Boundaries on a 10,000-file repository, against `git diff --name-only` on the same range.

The repository mixes Python packages (with `__all__` re-exports), FastAPI route modules with
pydantic models, Alembic migrations, Kubernetes manifests and docs. One commit changes 1% of
the files: signatures, response models, handler bodies, error handling, manifests. Every
changed line counts as AI-written, so every detector has work to do.
"""

from __future__ import annotations

import shutil
import subprocess

from benchmarks.common import Figure, best_of, workdir
from realitycheck.boundaries.check import check_change
from realitycheck.core.config.boundaries import BoundariesConfig
from realitycheck.core.git import Git
from realitycheck.demo.repo import RepoBuilder
from realitycheck.provenance.model import FileProvenance, ProvenanceResult

SIZES = {"full": 10_000, "quick": 1_000}
GOAL_RATIO = 400.0  # 10,000 files in a few seconds when `git diff --name-only` takes ~10 ms

MODULE = '''"""Module {i}."""

import httpx


def compute_{i}(value: int, scale: float = 1.0) -> float:
    return value * scale


def fetch_{i}(url: str) -> bytes:
    try:
        return httpx.get(url, timeout=5).content
    except httpx.HTTPError:
        return b""


class Worker{i}:
    def run(self, items: list[int]) -> int:
        return sum(items)
'''
ROUTES = """from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter()


class Item{i}(BaseModel):
    id: int
    name: str


@router.get("/items{i}/{{item_id}}", response_model=Item{i})
def read_item_{i}(item_id: int):
    return {{"id": item_id, "name": "x"}}
"""
MIGRATION = '''"""add table {i}"""
from alembic import op
import sqlalchemy as sa

revision = "r{i:06d}"
down_revision = None


def upgrade() -> None:
    op.create_table("t{i}", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("t{i}")
'''
MANIFEST = """apiVersion: v1
kind: ConfigMap
metadata:
  name: config-{i}
data:
  level: info
"""


def _files(n: int) -> dict[str, str]:
    files: dict[str, str] = {
        "CODEOWNERS": "* @example-org/maintainers\n/src/api/ @example-org/api\n"
    }
    for i in range(n - 1):
        kind = i % 20
        pkg = f"pkg{i // 200:03d}"
        if kind < 12:
            files[f"src/{pkg}/mod{i}.py"] = MODULE.format(i=i)
        elif kind < 14:
            files[f"src/api/routes{i}.py"] = ROUTES.format(i=i)
        elif kind == 14:
            files[f"migrations/versions/r{i:06d}_t{i}.py"] = MIGRATION.format(i=i)
        elif kind < 17:
            files[f"deploy/config-{i}.yaml"] = MANIFEST.format(i=i)
        else:
            files[f"docs/page{i}.md"] = f"# Page {i}\n\nText.\n"
    packages = {p.rsplit("/", 1)[0] for p in files if p.startswith("src/pkg")}
    for pkg in packages:
        files[f"{pkg}/__init__.py"] = ""
    files["src/api/__init__.py"] = ""
    return dict(list(files.items())[:n])


def _change(files: dict[str, str]) -> dict[str, str]:
    """Edit 1% of the files the way a coding agent might."""
    changed: dict[str, str] = {}
    for k, (path, text) in enumerate(sorted(files.items())):
        if k % 100 != 7:
            continue
        if "/mod" in path:
            text = text.replace("scale: float = 1.0", "scale: float = 2.0")
            text = text.replace('return b""', "raise")
            text = text.replace("return sum(items)", "return sum(items) + 1")
        elif "/routes" in path:
            text = text.replace("    name: str\n", "    name: str\n    tags: list[str] = []\n")
        elif path.endswith(".yaml"):
            text = text.replace("level: info", "level: debug")
        else:
            text += "\nMore.\n"
        changed[path] = text
    return changed


def _repo(n: int) -> tuple[Git, str, str]:
    root = workdir("boundaries") / f"repo-{n}"
    marker = root / ".bench-ready"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        repo = RepoBuilder(root)
        files = _files(n)
        repo.write(files)
        repo.commit("base")
        repo.write(_change(files))
        repo.commit("agent change")
        marker.write_text("ok")
    git = Git(root)
    return git, git.resolve("HEAD~1"), git.resolve("HEAD")


def _provenance(git: Git, base: str, head: str) -> ProvenanceResult:
    files = [
        FileProvenance(path=d.path, old_path=d.old_path, status=d.status.value, ai=d.changed_ranges)
        for d in git.diff(base, head)
    ]
    return ProvenanceResult(base=base, head=head, files=files)


def run(scale: str) -> list[Figure]:
    """The boundaries check over the range, as a ratio of `git diff --name-only` on it."""
    n = SIZES[scale]
    git, base, head = _repo(n)
    provenance = _provenance(git, base, head)
    config = BoundariesConfig()
    findings: list[int] = []

    def boundaries() -> None:
        result = check_change(git, base, head, config, provenance)
        findings.append(len(result.findings))

    def name_only() -> None:
        subprocess.run(
            ["git", "diff", "--name-only", base, head],
            cwd=git.root,
            capture_output=True,
            check=True,
        )

    reference = best_of(name_only, 5)
    measured = best_of(boundaries, 3)
    ratio = measured / reference
    return [
        Figure(
            name=f"boundaries check / git diff --name-only ({n:,} files)",
            ratio=ratio,
            goal=f"<= {GOAL_RATIO:.0f}x",
            met=ratio <= GOAL_RATIO,
            detail=f"{len(provenance.files)} changed files, {findings[-1]} findings; "
            f"{measured:.2f} s vs {reference * 1000:.1f} ms",
            extra={"files": n, "changed": len(provenance.files), "seconds": measured},
        )
    ]
