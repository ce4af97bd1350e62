"""The CLI as a newcomer meets it: help, mistakes, exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realitycheck.cli.main import main
from realitycheck.demo.repo import RepoBuilder


@pytest.fixture
def change(repo: RepoBuilder) -> Path:
    repo.write({"a.py": "x = 1\n"})
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write({"a.py": "x = 2\n"})
    repo.commit("change")
    return repo.root


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "verify" in out and "demo" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert "realitycheck" in capsys.readouterr().out


def test_unknown_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verfy"]) == 2
    assert "No such command" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "nope"], "revision 'nope' does not exist"),
        (["--head", "HEAD~9"], "revision 'HEAD~9' does not exist"),
        (["--format", "pdf"], "'pdf' is not one of"),
        (["--format", "json", "--format", "markdown"], "only one format can go to standard output"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    change: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["verify", "--repo", str(change), *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--repo", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"realitycheck: error: {tmp_path}: not a git repository (pass --repo PATH)"


def test_bad_config_names_file_and_line(change: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (change / "realitycheck.toml").write_text("[policy]\nrequried = []\n")
    assert main(["verify", "--repo", str(change)]) == 2
    err = capsys.readouterr().err
    assert "realitycheck.toml:2: unknown key 'policy.requried'" in err
    assert len(err.strip().splitlines()) == 1


def test_debug_shows_traceback(change: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--repo", str(change), "--base", "nope", "--debug"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_several_formats_to_files(change: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    code = main(
        [
            "verify",
            "--repo",
            str(change),
            "-f",
            f"json:{out}/r.json",
            "-f",
            f"markdown:{out}/r.md",
            "-f",
            f"junit:{out}/r.xml",
        ]
    )
    assert code in (0, 1)
    assert json.loads((out / "r.json").read_text())["schema_version"] == 1
    assert (out / "r.md").read_text().startswith("## ")
    assert (out / "r.xml").read_text().startswith("<?xml")


def test_json_to_stdout_is_one_document(change: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", "--repo", str(change), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == {"pass": 0, "fail": 1, "error": 2}[doc["verdict"]]


def test_event_payload_labels(change: Path, tmp_path: Path) -> None:
    from realitycheck.cli.options import labels_from_event

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"labels": [{"name": "ai-generated"}]}}))
    assert labels_from_event(event) == ["ai-generated"]
    event.write_text("{not json")
    assert main(["verify", "--repo", str(change), "--github-event", str(event)]) == 2
