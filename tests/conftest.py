"""Fixtures every test area shares: real git repositories and the real recorded data."""

from __future__ import annotations

from pathlib import Path

import pytest

from realitycheck.demo.repo import RepoBuilder

PROJECT = Path(__file__).resolve().parents[1]
REALWORLD = PROJECT.parent / "shared" / "realworld"


@pytest.fixture
def realworld() -> Path:
    """`../shared/realworld/`: real files other tools wrote; tests skip when it is absent."""
    if not REALWORLD.is_dir():
        pytest.skip("../shared/realworld is not present beside the project")
    return REALWORLD


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    """An empty real git repository on branch main."""
    return RepoBuilder(tmp_path / "repo")
