"""Which interpreter runs the project's tests (its own virtualenv's), and what to say otherwise."""

from __future__ import annotations

from pathlib import Path

VENVS = (".venv", "venv")
SET_IT = 'set [replay] test_command = "/path/to/your/python -m pytest -q"'


def project_python(repo: Path | None) -> str | None:
    """The interpreter of the project's own virtualenv (`.venv` or `venv` in the repository)."""
    if repo is None:
        return None
    for name in VENVS:
        for rel in ("bin/python", "Scripts/python.exe"):
            candidate = repo / name / rel
            if candidate.is_file():
                return str(candidate)
    return None


def advice(interpreter: str, output: str) -> str:
    """What to do when the tests could not run with this interpreter."""
    for module in ("pytest", "coverage"):
        if f"No module named {module}" in output:
            return (
                f"No module named {module} in {interpreter}: install pytest and coverage there, "
                f"or {SET_IT}"
            )
    return (
        f"the tests ran with {interpreter} (a .venv or venv in the repository is used when there "
        f"is one); if the project has its own interpreter, {SET_IT}"
    )
