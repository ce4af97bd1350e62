"""Helpers for the boundaries tests: real repositories with a base and a head commit."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from realitycheck.boundaries.approvals import ApprovalSource
from realitycheck.boundaries.check import check_change
from realitycheck.boundaries.model import BoundariesResult
from realitycheck.core.config import config_from_dict
from realitycheck.core.git import Git
from realitycheck.demo.repo import RepoBuilder
from realitycheck.provenance.model import FileProvenance, ProvenanceResult

from .fake_github import FakeGitHub

CLAUDE = [("Co-Authored-By", "Claude Opus 4.6 <noreply@anthropic.com>")]


@dataclass
class Change:
    """A real repository with a human base commit and a head commit."""

    repo: RepoBuilder
    base: str
    head: str

    @property
    def git(self) -> Git:
        return Git(self.repo.root)

    def provenance(self, origin: str = "ai") -> ProvenanceResult:
        """Provenance that gives every changed line of the range one origin."""
        files = []
        for d in self.git.diff(self.base, self.head):
            ranges = d.changed_ranges
            files.append(
                FileProvenance(
                    path=d.path,
                    old_path=d.old_path,
                    status=d.status.value,
                    binary=d.binary,
                    ai=ranges if origin == "ai" else [],
                    human=ranges if origin == "human" else [],
                    unknown=ranges if origin == "unknown" else [],
                )
            )
        return ProvenanceResult(base=self.base, head=self.head, files=files)

    def check(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        origin: str = "ai",
        provenance: ProvenanceResult | None = None,
        source: ApprovalSource | None = None,
    ) -> BoundariesResult:
        """Run the boundaries check over base..head."""
        cfg = config_from_dict({"boundaries": dict(config or {})}).boundaries
        return check_change(
            self.git,
            self.base,
            self.head,
            cfg,
            provenance or self.provenance(origin),
            source=source,
        )


MakeChange = Callable[..., Change]


@pytest.fixture
def make_change(repo: RepoBuilder) -> MakeChange:
    """Commit `base` files as a person, then `head` files (changes over base) as an agent."""

    def make(
        base: Mapping[str, str], head: Mapping[str, str], *, remove: tuple[str, ...] = ()
    ) -> Change:
        repo.write(base)
        first = repo.commit("base")
        repo.write(head)
        if remove:
            repo.remove(*remove)
        second = repo.commit("agent change", extra_trailers=CLAUDE)
        return Change(repo, first, second)

    return make


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """A strict stand-in for the GitHub REST API on loopback; malformed requests fail the test."""
    with FakeGitHub() as server:
        yield server
    assert server.violations == [], f"malformed requests: {server.violations}"


# The SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it in an npm package (the final 2.1.0
# schema, "rtm.5"), fetched once with npm and cached; tests that need it skip when npm cannot.
SARIF_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
SARIF_MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
SARIF_SHA256 = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"


def _cache_dir() -> Path:
    default = Path.home() / ".cache" / "realitycheck" / "test-data"
    return Path(os.environ.get("REALITYCHECK_TEST_CACHE", default))


@pytest.fixture(scope="session")
def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 JSON schema (from the npm registry, cached)."""
    target = _cache_dir() / "sarif-2.1.0-rtm.5.json"
    if not target.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot fetch the SARIF 2.1.0 schema")
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run(
                [npm, "pack", SARIF_PACKAGE, "--pack-destination", tmp, "--silent"],
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            tarballs = list(Path(tmp).glob("*.tgz"))
            if proc.returncode != 0 or not tarballs:
                pytest.skip(f"npm pack {SARIF_PACKAGE} failed: {proc.stderr.strip()[-200:]}")
            with tarfile.open(tarballs[0]) as tar:
                member = tar.extractfile(SARIF_MEMBER)
                assert member is not None
                data = member.read()
        if hashlib.sha256(data).hexdigest() != SARIF_SHA256:
            pytest.fail(f"{SARIF_PACKAGE} holds a different SARIF schema than expected")
        partial = target.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(target)
    schema: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return schema


def validate_sarif(document: Any, schema: dict[str, Any]) -> None:
    """Raise when the document is not valid SARIF 2.1.0."""
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
