"""`realitycheck boundaries check` and `verify`, as a newcomer and a CI job run them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from realitycheck.cli.main import main
from realitycheck.demo.repo import RepoBuilder
from realitycheck.pipeline import VerifyOptions, verify
from realitycheck.pipeline.stages.boundaries import STAGE

from .conftest import CLAUDE, validate_sarif
from .fake_github import TOKEN, FakeGitHub, review

API = """from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class DocumentOut(BaseModel):
    id: str
    text: str


@app.get("/documents/{doc_id}", response_model=DocumentOut)
def get_document(doc_id: str) -> DocumentOut:
    return DocumentOut(id=doc_id, text="")
"""
CODEOWNERS = """# GitHub CODEOWNERS
*                  @example-org/maintainers
/src/svc/api.py    @example-org/api-owners
"""


@pytest.fixture
def project(repo: RepoBuilder) -> RepoBuilder:
    """A service whose AI commit changes a route's response model."""
    repo.write(
        {
            "CODEOWNERS": CODEOWNERS,
            "realitycheck.toml": 'default_branch = "main"\n\n[boundaries]\n',
            "src/svc/__init__.py": "",
            "src/svc/api.py": API,
        }
    )
    repo.commit("service", author=("Example Maintainer", "maintainer@example.com"))
    repo.git("checkout", "-q", "-b", "agent")
    repo.write({"src/svc/api.py": API.replace("    text: str\n", "    content: str\n")})
    repo.commit("Rename text to content", extra_trailers=CLAUDE)
    return repo


def test_text_report_names_boundary_owner_and_next_step(
    project: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["boundaries", "check", "--repo", str(project.root), "--base", "main"])
    out = capsys.readouterr().out
    assert code == 1
    assert "DocumentOut" in out and "@example-org/api-owners" in out
    assert f"review commit {project.head()[:7]}" in " ".join(out.split())


def test_json_report_has_the_design_fields(
    project: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["boundaries", "check", "--repo", str(project.root), "--base", "main", "-f", "json"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["verdict"] == "fail"
    [finding] = doc["boundaries"]["findings"]
    assert finding["rule"] == "routes" and finding["file"] == "src/svc/api.py"
    assert finding["lines"] == [[9, 9]] and finding["owners"] == ["@example-org/api-owners"]
    assert finding["approved"] is False and finding["origin"] == "ai"
    assert finding["next_step"].startswith("ask @example-org/api-owners to review commit")
    assert doc["boundaries"]["codeowners"]["path"] == "CODEOWNERS"


def test_sarif_of_a_real_run_is_valid(
    project: RepoBuilder, capsys: pytest.CaptureFixture[str], sarif_schema: dict[str, Any]
) -> None:
    main(["boundaries", "check", "--repo", str(project.root), "--base", "main", "-f", "sarif"])
    log = json.loads(capsys.readouterr().out)
    validate_sarif(log, sarif_schema)
    results = [r for r in log["runs"][0]["results"] if r["ruleId"].startswith("boundaries/")]
    assert [r["ruleId"] for r in results] == ["boundaries/routes"]
    assert results[0]["level"] == "error"


def test_verify_markdown_has_the_boundaries_section(
    project: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["verify", "--repo", str(project.root), "--base", "main", "-f", "markdown"])
    out = capsys.readouterr().out
    assert "Boundaries — failed" in out
    assert "| routes: DocumentOut | src/svc/api.py:9 | AI | @example-org/api-owners |" in out


def test_approval_from_the_api_lets_the_gate_pass(
    project: RepoBuilder,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    head = project.head()
    github.pull("example-org/svc", 12, head, [[review("api-1", "APPROVED", head)]])
    github.team("example-org", "api-owners", [["api-1"]])
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 12, "pull_request": {"number": 12},
                                 "repository": {"full_name": "example-org/svc"}}))  # fmt: skip
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    code = main(
        ["boundaries", "check", "--repo", str(project.root), "--base", "main", "-f", "json"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0, doc["reasons"]
    [finding] = doc["boundaries"]["findings"]
    assert finding["approved"] is True and finding["approval"]["by"] == ["api-1"]
    assert doc["boundaries"]["approval_source"] == "GitHub pull request example-org/svc#12"


def test_rejected_token_fails_closed_with_advice(
    project: RepoBuilder, github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    github.fail("/repos/example-org/svc/pulls/12", 401, "Bad credentials")
    args = ["verify", "--repo", str(project.root), "--base", "main", "--github-repo"]
    args += ["example-org/svc", "--pr", "12", "--github-api-url", github.url]
    code = main([*args, "--github-token", TOKEN])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 1
    assert "approvals could not be read" in out and "set GITHUB_TOKEN" in out


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[boundaries]\npolcy = "x"\n', "realitycheck.toml:2: unknown key 'boundaries.polcy'"),
        ('[boundaries]\nunknown_lines = "x"\n', "toml:2: key 'boundaries.unknown_lines'"),
        (
            '[[boundaries.rules]]\nname = "x"\npaths = ["!a/"]\n',
            "realitycheck.toml:3: key 'boundaries.rules.0.paths': value error, pattern '!a/': "
            "'!' negation",
        ),
        ('[[boundaries.rules]]\nname = "x"\npaths = ["a/"]\nowners = ["team"]\n', "must be @user"),
    ],
)  # fmt: skip
def test_bad_configuration_is_one_line_exit_2(
    project: RepoBuilder, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    (project.root / "realitycheck.toml").write_text(config)
    code = main(["boundaries", "check", "--repo", str(project.root), "--base", "main"])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bad_event_file_and_bad_flags(
    project: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text("{oops")
    args = ["boundaries", "check", "--repo", str(project.root), "--base", "main"]
    assert main([*args, "--github-event", str(event), "--github-repo", "o/r"]) == 2
    assert "event.json:1: not valid JSON" in capsys.readouterr().err
    assert main([*args, "--pr", "0"]) == 2
    assert main([*args, "--format", "junit"]) == 2
    assert "'junit' is not one of text, json, sarif, markdown" in capsys.readouterr().err
    assert main(["boundaries", "check", "--help"]) == 0
    assert "--github-token" in capsys.readouterr().out


def test_without_provenance_every_line_is_unknown_and_strict(project: RepoBuilder) -> None:
    """The stage fails closed when provenance did not run."""
    report = verify(VerifyOptions(repo=project.root, base="main"), stages=[STAGE])
    stage = report.stage("boundaries")
    assert stage is not None and stage.failures
    assert any("provenance did not run" in w for w in stage.warnings)
    assert stage.data["findings"][0]["origin"] == "unknown"


def test_unreadable_codeowners_lines_are_warnings(project: RepoBuilder) -> None:
    project.git("checkout", "-q", "main")
    project.write({"CODEOWNERS": CODEOWNERS + "!src/generated/ @bots\n"})
    project.commit("owners")
    project.git("checkout", "-q", "agent")
    project.git("rebase", "-q", "main")
    report = verify(VerifyOptions(repo=project.root, base="main"), stages=[STAGE])
    stage = report.stage("boundaries")
    assert stage is not None
    assert any(w.startswith("CODEOWNERS:4: '!' negation") for w in stage.warnings)
    assert stage.data["findings"][0]["owners"] == ["@example-org/api-owners"]
