"""CODEOWNERS path patterns: GitHub's documented examples, and gitignore semantics as an oracle."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realitycheck.boundaries.patterns import PathPattern, PatternError, check


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        # "The `docs/*` pattern will match files like `docs/getting-started.md` but not further
        # nested files like `docs/build-app/troubleshooting.md`." (GitHub, About code owners)
        ("docs/*", "docs/getting-started.md", True),
        ("docs/*", "docs/build-app/troubleshooting.md", False),
        # "@doctocat owns any files in the build/logs directory at the root of the repository
        # and any of its subdirectories."
        ("/build/logs/", "build/logs/today.log", True),
        ("/build/logs/", "build/logs/2026/11/today.log", True),
        ("/build/logs/", "src/build/logs/today.log", False),
        # "@octocat owns any file in an apps directory anywhere in your repository."
        ("apps/", "apps/web/index.js", True),
        ("apps/", "services/apps/web/index.js", True),
        ("apps/", "apps", False),
        # "@octocat owns any file in a `/logs` directory such as `/build/logs`, `/scripts/logs`,
        # and `/deeply/nested/logs`."
        ("**/logs", "build/logs/a.txt", True),
        ("**/logs", "scripts/logs/a.txt", True),
        ("**/logs", "deeply/nested/logs/a.txt", True),
        ("**/logs", "logs/a.txt", True),
        ("**/logs", "catalogs/a.txt", False),
        ("*", "README.md", True),
        ("*", "deep/inside/file.py", True),
        ("*.js", "web/static/app.js", True),
        ("*.js", "web/static/app.json", False),
        ("/*", "README.md", True),
        ("/*", "src/app.py", False),
        ("/apps/github", "apps/github/hooks.py", True),
        ("/apps/github", "apps/githubber.py", False),
        ("src/**/models.py", "src/models.py", True),
        ("src/**/models.py", "src/a/b/models.py", True),
        ("src/**/models.py", "lib/src/a/models.py", False),
        ("f?o.py", "foo.py", True),
        ("f?o.py", "fo.py", False),
        ("my\\ file.txt", "docs/my file.txt", True),
    ],
)
def test_documented_semantics(pattern: str, path: str, expected: bool) -> None:
    assert PathPattern(pattern).matches(path) is expected


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("!docs/", "negation"),
        ("\\#file", "escaping '#'"),
        ("[Dd]ocs/", "character ranges"),
        ("a/***/b", "three asterisks"),
    ],
)
def test_gitignore_syntax_codeowners_lacks(pattern: str, message: str) -> None:
    with pytest.raises(PatternError, match=message):
        check(pattern)


_SEGMENTS = st.sampled_from(["a", "b", "ab", "*", "a*", "*b", "?", "**", "a?b"])
_NAMES = st.sampled_from(["a", "b", "ab", "aab", "abb", "ba"])


@st.composite
def patterns(draw: st.DrawFn) -> str:
    segments = draw(st.lists(_SEGMENTS, min_size=1, max_size=4))
    if segments[-1] == "*":
        segments[-1] = "a*"  # a trailing lone `*` is where CODEOWNERS leaves gitignore
    text = "/".join(segments)
    if draw(st.booleans()):
        text = "/" + text
    if draw(st.booleans()):
        text += "/"
    return text


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty git repository whose .gitignore each example rewrites."""
    root = tmp_path_factory.mktemp("gitignore")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def git_ignores(root: Path, pattern: str, paths: list[str]) -> dict[str, bool]:
    """What git itself says: `git check-ignore` with the pattern as the only .gitignore line."""
    (root / ".gitignore").write_text(pattern + "\n")
    proc = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin", "-v", "-n"],
        cwd=root,
        input="\n".join(paths) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    verdicts = {}
    for row in proc.stdout.splitlines():
        source, _, path = row.partition("\t")
        verdicts[path] = source != "::"
    return verdicts


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pattern=patterns(),
    paths=st.lists(st.lists(_NAMES, min_size=1, max_size=5).map("/".join), min_size=1, max_size=8),
)
def test_agrees_with_git_where_codeowners_does(
    scratch: Path, pattern: str, paths: list[str]
) -> None:
    """Outside GitHub's documented exceptions, CODEOWNERS patterns are gitignore patterns."""
    oracle = git_ignores(scratch, pattern, paths)
    for path in paths:
        assert PathPattern(pattern).matches(path) == oracle[path], (pattern, path)
