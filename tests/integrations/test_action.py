"""The GitHub Action: action.yml and the example workflows against GitHub's published schemas
(as check-jsonschema ships them), and the action's own shell steps run for real, as a runner
would, on a real repository with a loopback GitHub stand-in."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from realitycheck.demo.repo import RepoBuilder
from realitycheck.integrations.github import marker

from .github_server import TOKEN, GitHubComments

PROJECT = Path(__file__).resolve().parents[2]
ACTION = PROJECT / "action.yml"
WORKFLOWS = sorted((PROJECT / "docs" / "integrations" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
INPUTS = {"base", "head", "config", "corpus", "args", "comment", "sarif", "fail-on",
          "python-version"}  # fmt: skip
AGENT = [("Co-Authored-By", "Claude Opus 4.6 <noreply@anthropic.com>")]


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("check-jsonschema", path=str(BIN)) or "check-jsonschema"
    return subprocess.run(
        [tool, "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_action_matches_the_published_schema() -> None:
    done = check_jsonschema("vendor.github-actions", ACTION)
    assert done.returncode == 0, done.stdout + done.stderr


def test_example_workflows_match_the_published_schema() -> None:
    assert len(WORKFLOWS) == 3
    done = check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_does_catch_a_broken_action(tmp_path: Path) -> None:
    broken = yaml.safe_load(ACTION.read_text())
    broken["runs"]["using"] = "composit"
    del broken["description"]
    path = tmp_path / "action.yml"
    path.write_text(yaml.safe_dump(broken))
    assert check_jsonschema("vendor.github-actions", path).returncode == 1


def test_inputs_outputs_and_no_expression_inside_a_script() -> None:
    action = yaml.safe_load(ACTION.read_text())
    assert set(action["inputs"]) >= INPUTS
    assert set(action["outputs"]) == {"verdict", "tier", "report-json"}
    used = set(re.findall(r"inputs\.([a-z-]+)", ACTION.read_text()))
    assert used <= set(action["inputs"]), used - set(action["inputs"])
    for step in action["runs"]["steps"]:
        # inputs reach scripts through env, never pasted into the script (script injection)
        assert "${{" not in step.get("run", ""), step["name"]


def test_workflows_follow_the_documented_pattern() -> None:
    docs = {p.name: yaml.safe_load(p.read_text()) for p in WORKFLOWS}
    main = docs["realitycheck.yml"]
    # PyYAML reads the key `on` as True
    assert "pull_request_review" in main[True]
    assert main["permissions"]["security-events"] == "write"
    upload = [s for s in main["jobs"]["verify"]["steps"] if "upload-sarif" in s.get("uses", "")]
    assert upload and upload[0]["if"].startswith("always()")
    fork, post = docs["realitycheck-fork.yml"], docs["realitycheck-comment.yml"]
    assert fork["permissions"] == {"contents": "read", "pull-requests": "read"}
    assert "workflow_run" in post[True] and post[True]["workflow_run"]["workflows"] == [
        fork["name"]
    ]
    steps = post["jobs"]["comment"]["steps"]
    assert not any("checkout" in s.get("uses", "") for s in steps)  # never the fork's code
    assert steps[-1]["with"]["expect-head"] == "${{ github.event.workflow_run.head_sha }}"


# -- the composite action's shell steps, run as a runner runs them -----------------------------


class Runner:
    """Runs the action's `run` steps with bash, resolving the `${{ }}` of their `env`."""

    def __init__(self, tmp: Path, workspace: Path, event: dict[str, Any], api: str) -> None:
        self.action = yaml.safe_load(ACTION.read_text())
        self.tmp, self.workspace, self.event = tmp, workspace, event
        self.outputs: dict[str, dict[str, str]] = {}
        self.summary = tmp / "summary.md"
        self.summary.write_text("")
        (tmp / "runner").mkdir()
        (tmp / "event.json").write_text(json.dumps(event))
        self.base_env = {
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp),
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_PATH": str(tmp / "event.json"),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_API_URL": api,
            "GITHUB_REPOSITORY": event["repository"]["full_name"],
            "GITHUB_ACTION_PATH": str(PROJECT),
            "RUNNER_TEMP": str(tmp / "runner"),
        }

    def value(self, expr: str, inputs: dict[str, str]) -> str:
        expr = expr.strip()
        compared = re.fullmatch(r"(.+?) != ''", expr)
        if compared:
            return "true" if self.value(compared[1], inputs) != "" else "false"
        head, _, rest = expr.partition(".")
        if head == "inputs":
            return inputs.get(rest, self.action["inputs"][rest].get("default", ""))
        if expr == "github.token":
            return TOKEN
        if head == "steps":
            step, _, output = rest.partition(".outputs.")
            return self.outputs.get(step, {}).get(output, "")
        value: Any = {"github": {"event": self.event}}
        for part in expr.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return "" if value is None else str(value)

    def run(self, name: str, inputs: dict[str, str]) -> subprocess.CompletedProcess[str]:
        step = next(s for s in self.action["runs"]["steps"] if s["name"] == name)
        env = dict(self.base_env)
        for key, raw in step.get("env", {}).items():
            env[key] = re.sub(r"\$\{\{(.+?)\}\}", lambda m: self.value(m[1], inputs), str(raw))
        out = self.tmp / f"output-{len(self.outputs)}"
        out.write_text("")
        env["GITHUB_OUTPUT"] = str(out)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        pairs = (line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
        self.outputs[step.get("id", name)] = dict(pairs)
        return done


@pytest.fixture
def github() -> Iterator[GitHubComments]:
    with GitHubComments("example-org/docsvc") as server:
        yield server


def pull_request(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A repository where main moved on after an agent's branch forked from it."""
    repo = RepoBuilder(tmp_path / "work")
    repo.write({"src/app/__init__.py": "", "src/app/hooks.py": "def handle(p):\n    return p\n"})
    repo.commit("base", author=("Example Maintainer", "maintainer@example.com"))
    repo.git("checkout", "-q", "-b", "topic")
    repo.write({"src/app/hooks.py": "def handle(p):\n    return p['pull_request']['title']\n"})
    head = repo.commit("read the title", extra_trailers=AGENT)
    repo.git("checkout", "-q", "main")
    repo.write({"README.md": "main moved on\n"})
    base = repo.commit("docs", author=("Example Maintainer", "maintainer@example.com"))
    repo.git("checkout", "-q", head)
    event = {
        "action": "synchronize",
        "number": 7,
        "pull_request": {"number": 7, "base": {"sha": base}, "head": {"sha": head}},
        "repository": {"full_name": "example-org/docsvc"},
    }
    return repo.root, event


def test_the_action_verifies_comments_and_gates(tmp_path: Path, github: GitHubComments) -> None:
    workspace, event = pull_request(tmp_path)
    runner = Runner(tmp_path, workspace, event, github.url)
    inputs = {"sarif": "realitycheck.sarif"}
    done = runner.run("Verify the change", inputs)
    assert done.returncode == 0, done.stderr
    outputs = runner.outputs["verify"]
    assert outputs["verdict"] in ("pass", "fail", "error") and outputs["exit-code"] in "012"
    report = json.loads(Path(outputs["report-json"]).read_text())
    # the range is merge-base..head: main's later commit is not part of the change
    assert (
        report["change"]["commits"] == 1
        and report["change"]["head"] == event["pull_request"]["head"]["sha"]
    )
    assert outputs["tier"] == report["risk"]["tier"]
    sarif = json.loads((workspace / "realitycheck.sarif").read_text())
    assert sarif["version"] == "2.1.0"

    for _ in range(2):  # a second push edits the same comment
        done = runner.run("Report on the pull request", inputs)
        assert done.returncode == 0, done.stderr
    assert len(github.comments[7]) == 1
    assert github.comments[7][0]["body"].startswith(marker())
    assert runner.summary.read_text().count("realitycheck") >= 2

    expected = 0 if outputs["exit-code"] == "0" else 1
    assert runner.run("Gate", {"fail-on": "fail"}).returncode == expected
    assert runner.run("Gate", {"fail-on": "never"}).returncode == 0
    assert runner.run("Gate", {"fail-on": "sometimes"}).returncode == 2


def test_fork_mode_saves_the_comment_and_posts_nothing(
    tmp_path: Path, github: GitHubComments
) -> None:
    workspace, event = pull_request(tmp_path)
    runner = Runner(tmp_path, workspace, event, github.url)
    inputs = {"comment": "artifact", "sarif": ""}
    assert runner.run("Verify the change", inputs).returncode == 0
    done = runner.run("Report on the pull request", inputs)
    assert done.returncode == 0, done.stderr
    saved = json.loads(
        (tmp_path / "runner" / "realitycheck-comment" / "realitycheck-comment.json").read_text()
    )
    assert saved["number"] == 7 and saved["head_sha"] == event["pull_request"]["head"]["sha"]
    assert github.requests == []
    # the workflow_run side posts it
    github.heads[7] = saved["head_sha"]
    post = {"post-saved": str(tmp_path / "runner" / "realitycheck-comment"),
            "expect-head": saved["head_sha"]}  # fmt: skip
    done = runner.run("Post the saved comment", post)
    assert done.returncode == 0, done.stderr
    assert github.comments[7][0]["body"].startswith(marker())


def test_without_history_the_action_says_to_fetch_it(
    tmp_path: Path, github: GitHubComments
) -> None:
    workspace, event = pull_request(tmp_path)
    event["pull_request"]["base"]["sha"] = "f" * 40
    runner = Runner(tmp_path, workspace, event, github.url)
    done = runner.run("Verify the change", {})
    assert done.returncode != 0
    assert done.returncode == 2
    assert done.stdout.startswith("::error title=realitycheck::no common history")
    assert "fetch-depth: 0" in done.stdout
