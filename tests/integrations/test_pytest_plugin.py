"""The pytest plugin, run by pytest itself (`pytester`) on a small project with a real corpus."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from realitycheck.corpus.model import Sample, input_hash
from realitycheck.corpus.store import Corpus

pytest_plugins = ["pytester"]

TARGET = "fn:app.hooks:handle"

HOOKS = """
def handle(payload):
    pr = payload["pull_request"]
    return {"number": pr["number"], "title": pr["title"].strip()}
"""

# The "new" code: it reads head.repo, which real webhooks sometimes send as null.
HOOKS_CHANGED = """
def handle(payload):
    pr = payload["pull_request"]
    return {"number": pr["number"], "title": pr["title"].strip(),
            "repo": pr["head"]["repo"]["full_name"]}
"""


def payload(n: int, repo: bool = True) -> dict[str, Any]:
    head = {"repo": {"full_name": "octo/app"} if repo else None}
    return {"action": "opened" if n % 2 else "edited",
            "pull_request": {"number": n, "title": f" PR {n} ", "head": head}}  # fmt: skip


def record(corpus_dir: Path, n: int = 6, null_repo: tuple[int, ...] = (3,)) -> list[str]:
    """Samples of handle() as the old code answered them, written as capture writes them."""
    samples = []
    for i in range(1, n + 1):
        inp = {"args": {"payload": payload(i, repo=i not in null_repo)}}
        samples.append(
            Sample(
                id=f"s_test{i:04d}",
                input_hash=input_hash(TARGET, inp),
                target=TARGET,
                kind="function",
                input=inp,
                output={"return": {"number": i, "title": f"PR {i}"}},
                source="test",
            )
        )
    Corpus(corpus_dir, create=True).write(samples)
    return [s.id for s in samples]


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    """A git repository with the app's code and a corpus in the default place."""
    root = pytester.path
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "hooks.py").write_text(HOOKS)
    record(root / ".realitycheck" / "corpus")
    return root


def test_marker_runs_a_test_per_sample_named_by_sample_id(
    pytester: pytest.Pytester, project: Path
) -> None:
    pytester.makepyfile(
        test_real="""
        import pytest
        from app.hooks import handle

        @pytest.mark.realitycheck_corpus("fn:app.hooks:handle")
        def test_handles_real_payloads(sample):
            assert sample.id.startswith("s_test")
            assert sample.output["return"]["number"] == handle(**sample.input["args"])["number"]
        """
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["*test_handles_real_payloads?s_test0001? PASSED*"])


def test_limit_and_where_narrow_the_samples(pytester: pytest.Pytester, project: Path) -> None:
    pytester.makepyfile(
        test_real="""
        import pytest

        @pytest.mark.realitycheck_corpus(
            "fn:app.hooks:handle",
            where="json_extract_string(input, '$.args.payload.action') = 'opened'",
        )
        def test_opened(sample):
            assert sample.input["args"]["payload"]["action"] == "opened"

        @pytest.mark.realitycheck_corpus("app.hooks:handle", limit=2)
        def test_two(sample):
            pass
        """
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=3 + 2)


def test_a_failing_sample_is_named(pytester: pytest.Pytester, project: Path) -> None:
    pytester.makepyfile(
        test_real="""
        import pytest

        @pytest.mark.realitycheck_corpus("fn:app.hooks:handle")
        def test_repo_present(sample):
            assert sample.input["args"]["payload"]["pull_request"]["head"]["repo"] is not None
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_real.py::test_repo_present[[]s_test0003[]]*"])


def test_no_samples_fails_and_says_why(pytester: pytest.Pytester, project: Path) -> None:
    pytester.makepyfile(
        test_real="""
        import pytest

        @pytest.mark.realitycheck_corpus("fn:app.hooks:nothing_recorded")
        def test_never_recorded(sample):
            pass

        @pytest.mark.realitycheck_corpus("fn:app.hooks:handle", where="no_such_column = 1")
        def test_bad_where(sample):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)  # at set-up: no test ran, none passed
    result.stdout.fnmatch_lines(
        [
            "*no recorded samples of fn:app.hooks:nothing_recorded*did not pass*",
            "*cannot read the samples of fn:app.hooks:handle*no_such_column*",
        ]
    )


def test_marker_misuse_is_a_usage_error(pytester: pytest.Pytester, project: Path) -> None:
    pytester.makepyfile(
        test_real="""
        import pytest

        @pytest.mark.realitycheck_corpus("fn:app.hooks:handle", limt=3)
        def test_typo(sample):
            pass
        """
    )
    result = pytester.runpytest()
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*takes limit= and where=, not limt*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_corpus_from_configuration_and_from_the_flag(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    root = pytester.path
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    record(root / "recorded", n=3)
    (root / "realitycheck.toml").write_text('[corpus]\ndir = "recorded"\n')
    pytester.makepyfile(
        test_real="""
        import pytest

        @pytest.mark.realitycheck_corpus("fn:app.hooks:handle")
        def test_it(sample):
            pass
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)
    record(tmp_path / "elsewhere", n=4)
    flagged = pytester.runpytest("--realitycheck-corpus", str(tmp_path / "elsewhere"))
    flagged.assert_outcomes(passed=4)


def test_replay_checks_current_code_against_recorded_outputs(
    pytester: pytest.Pytester, project: Path
) -> None:
    # the unchanged code reproduces every recorded output
    same = pytester.runpytest("--realitycheck-replay", TARGET, "-v")
    same.assert_outcomes(passed=6)
    same.stdout.fnmatch_lines(["realitycheck-replay?fn:app.hooks:handle?::s_test0001 PASSED*"])
    # the changed code returns a new field, and raises on the webhook whose head.repo is null
    (project / "app" / "hooks.py").write_text(HOOKS_CHANGED)
    changed = pytester.runpytest_subprocess(
        "--realitycheck-replay", TARGET, "-p", "no:cacheprovider"
    )
    changed.assert_outcomes(failed=6)
    changed.stdout.fnmatch_lines(
        [
            "*output of s_test0003 differs from the recorded*",
            "*$: exception (TypeError: 'NoneType' object is not subscriptable)*",
            "*realitycheck corpus show s_test0003*",
            "*$.return.repo: added*",
        ]
    )


def test_replay_honours_the_targets_ignore_paths(pytester: pytest.Pytester, project: Path) -> None:
    (project / "app" / "hooks.py").write_text(
        HOOKS.replace('"title": pr["title"].strip()', '"title": "x"')
    )
    (project / "realitycheck.toml").write_text(
        '[[replay.functions]]\ntarget = "app.hooks:handle"\nignore = ["$.return.title"]\n'
    )
    result = pytester.runpytest("--realitycheck-replay", TARGET, "-m", "realitycheck_replay")
    result.assert_outcomes(passed=6)


def test_replay_of_an_unrecorded_target_fails(pytester: pytest.Pytester, project: Path) -> None:
    result = pytester.runpytest("--realitycheck-replay", "fn:app.hooks:other")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no recorded samples of fn:app.hooks:other*"])


def test_without_marker_or_option_the_plugin_does_nothing(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """No corpus, no repository: an ordinary suite runs as if the plugin were not installed."""
    pytester.makepyfile(test_plain="def test_one():\n    assert 1\n")
    pytester.runpytest_subprocess("-q").assert_outcomes(passed=1)
    probe = pytester.runpytest_subprocess("--trace-config", "-q")
    probe.stdout.fnmatch_lines(["*realitycheck_pytest*"])
    # the plugin imported nothing of realitycheck beyond itself
    pytester.makepyfile(
        test_modules="""
        import sys
        def test_nothing_heavy_imported():
            loaded = [m for m in sys.modules if m.startswith(("realitycheck.", "duckdb"))]
            assert loaded == ["realitycheck.integrations.pytest_plugin"] or sorted(loaded) == [
                "realitycheck.integrations", "realitycheck.integrations.pytest_plugin"]
        """
    )
    pytester.runpytest_subprocess("-q", "test_modules.py").assert_outcomes(passed=1)
    # pytest does not rewrite the assertions of realitycheck's own modules (only the shim's)
    pytester.makepyfile(
        test_rewrite="""
        import realitycheck.core.stats as stats
        def test_not_rewritten():
            assert not hasattr(stats, "@py_builtins")
        """
    )
    pytester.runpytest_subprocess("-q", "test_rewrite.py").assert_outcomes(passed=1)
