"""The GitLab Code Quality report, against the fields GitLab documents as required."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from realitycheck.cli.main import main
from realitycheck.core.report import (
    Change,
    Finding,
    Level,
    Reason,
    Report,
    StageReport,
    StageStatus,
    Verdict,
)
from realitycheck.report import renderer, supported_formats

# Written from GitLab's documentation of the format ("Code Quality report format",
# docs.gitlab.com/ci/testing/code_quality/): an array of issues, each with these fields.
SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}
GITLAB_EXAMPLE = [
    {
        "description": "'unused' is assigned a value but never used.",
        "check_name": "no-unused-vars",
        "fingerprint": "7815696ecbf1c96e6894b779456d330e",
        "severity": "minor",
        "location": {"path": "lib/index.js", "lines": {"begin": 42}},
    }
]


def report() -> Report:
    boundary = Finding(
        stage="boundaries", rule_id="routes", level=Level.ERROR,
        message="AI-written lines in a requires-approval boundary owned by @example-org/api",
        path="src/docsvc/api.py", lines=[(16, 17), (25, 25)], help="ask @example-org/api",
    )  # fmt: skip
    mined = Finding(
        stage="assumptions", rule_id="key-present", level=Level.WARNING,
        message="`$.pull_request.head.repo` assumed present: null in 2.7%",
        path="src/docsvc/hooks.py", lines=[(23, 23)],
    )  # fmt: skip
    return Report(
        verdict=Verdict.FAIL,
        reasons=[Reason(check="replay", message="replay could not run: no corpus")],
        change=Change(repo=".", base="a" * 40, head="b" * 40, commits=1),
        stages=[
            StageReport(name="boundaries", title="Boundaries", status=StageStatus.RAN,
                        findings=[boundary]),
            StageReport(name="assumptions", title="Assumptions", status=StageStatus.RAN,
                        findings=[mined]),
            StageReport.errored("replay", "Differential replay", "no corpus"),
            StageReport(name="risk", title="Risk", status=StageStatus.RAN,
                        failures=[Reason(check="risk", message="tier critical")]),
        ],
    )  # fmt: skip


def test_the_schema_accepts_gitlabs_own_example() -> None:
    jsonschema.validate(GITLAB_EXAMPLE, SCHEMA)


def test_issues_follow_gitlabs_format() -> None:
    doc = json.loads(renderer("codequality")(report()))
    jsonschema.validate(doc, SCHEMA)
    assert "codequality" in supported_formats()
    by_check = {}
    for issue in doc:
        by_check.setdefault(issue["check_name"], []).append(issue)
    routes = by_check["realitycheck/boundaries/routes"]
    assert [i["location"]["lines"] for i in routes] == [
        {"begin": 16, "end": 17},
        {"begin": 25, "end": 25},
    ]
    assert routes[0]["severity"] == "critical" and "Next step: ask" in routes[0]["description"]
    assert by_check["realitycheck/assumptions/key-present"][0]["severity"] == "minor"
    # what did not run is an issue too, and a gate failure without a location
    (replay,) = by_check["realitycheck/replay/did-not-run"]
    assert replay["severity"] == "major" and replay["location"]["path"] == "."
    assert "could not run: no corpus" in replay["description"]
    assert by_check["realitycheck/risk/gate"][0]["description"] == "tier critical"
    fingerprints = [i["fingerprint"] for i in doc]
    assert len(fingerprints) == len(set(fingerprints))


def test_fingerprints_survive_lines_moving() -> None:
    before = json.loads(renderer("codequality")(report()))
    moved = report()
    moved.stages[1].findings[0].lines = [(30, 30)]
    after = json.loads(renderer("codequality")(moved))
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]


def test_verify_writes_it(tmp_path: Path, repo: pytest.FixtureRequest) -> None:
    from realitycheck.demo.repo import RepoBuilder

    builder = RepoBuilder(tmp_path / "r")
    builder.write({"app.py": "x = 1\n"})
    builder.commit("base")
    builder.write({"app.py": "x = 2\n"})
    builder.commit("change")
    out = tmp_path / "gl-code-quality-report.json"
    code = main(["verify", "--repo", str(builder.root), "--base", "HEAD~1",
                 "-f", f"codequality:{out}"])  # fmt: skip
    assert code in (0, 1)
    jsonschema.validate(json.loads(out.read_text()), SCHEMA)


TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "gitlab-ci.yml"


def test_gitlab_template_matches_the_published_schema() -> None:
    import shutil
    import subprocess
    import sys

    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    done = subprocess.run(
        [tool or "check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", str(TEMPLATE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_gitlab_job_script_runs_as_a_runner_runs_it(tmp_path: Path) -> None:
    """The job's script, with the variables GitLab sets on a merge request pipeline."""
    import os
    import subprocess
    import sys

    import yaml

    from realitycheck.demo.repo import RepoBuilder

    job = yaml.safe_load(TEMPLATE.read_text())["realitycheck"]
    builder = RepoBuilder(tmp_path / "r")
    builder.write({"app.py": "x = 1\n"})
    base = builder.commit("base")
    builder.write({"app.py": "x = 2\n"})
    head = builder.commit(
        "change", extra_trailers=[("Co-Authored-By", "Claude <noreply@anthropic.com>")]
    )
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
        "CI_COMMIT_SHA": head,
        "CI_MERGE_REQUEST_LABELS": "ai-generated,backend",
        "REALITYCHECK_ARGS": "",
    }
    for line in job["script"]:
        done = subprocess.run(
            ["bash", "-c", line], cwd=builder.root, env=env, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode in (0, 1), done.stderr
    for path in [job["artifacts"]["reports"]["codequality"], job["artifacts"]["reports"]["junit"],
                 *job["artifacts"]["paths"]]:  # fmt: skip
        assert (builder.root / path).is_file(), path
    quality = json.loads((builder.root / "gl-code-quality-report.json").read_text())
    jsonschema.validate(quality, SCHEMA)
    doc = json.loads((builder.root / "realitycheck.json").read_text())
    assert doc["change"]["base"] == base and doc["change"]["head"] == head
