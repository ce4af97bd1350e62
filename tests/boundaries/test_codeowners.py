"""CODEOWNERS read as GitHub documents it, with GitHub's own example file."""

from __future__ import annotations

import pytest

from realitycheck.boundaries.codeowners import owner_kind, parse
from realitycheck.boundaries.owners import load_codeowners
from realitycheck.boundaries.snapshot import Snapshot
from realitycheck.core.config.boundaries import BoundariesConfig
from realitycheck.core.errors import InputError
from realitycheck.core.git import Git
from realitycheck.demo.repo import RepoBuilder

# The example file of GitHub's "About code owners" page (docs.github.com), as published.
GITHUB_EXAMPLE = """\
# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence. When someone opens a pull request that only
# modifies JS files, only @js-owner and not the global
# owner(s) will be requested for a review.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer. They'll be
# used to look up users just like we do for commit author
# emails.
*.go docs@example.com

# Teams can be specified as code owners as well. Teams should
# be identified in the format @org/team-name. Teams must have
# explicit write access to the repository. In this example,
# the octocats team in the octo-org organization owns all .txt files.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The `docs/*` pattern will match files like
# `docs/getting-started.md` but not further nested files like
# `docs/build-app/troubleshooting.md`.
docs/*  docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the `/docs`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the `/scripts` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a `/logs` directory such as
# `/build/logs`, `/scripts/logs`, and `/deeply/nested/logs`. Any changes
# in a `/logs` directory will require approval from @octocat.
**/logs @octocat

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as its owners are left empty.
/apps/ @octocat
/apps/github

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as this subdirectory has its own owner @doctocat
/apps/ @octocat
/apps/github @doctocat
"""


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("README.md", ("@global-owner1", "@global-owner2")),
        ("web/static/app.js", ("@js-owner",)),  # the inline comment is not an owner
        ("cmd/server/main.go", ("docs@example.com",)),
        ("notes/todo.txt", ("@octo-org/octocats",)),
        # /build/logs/ says @doctocat, but `**/logs` comes later: the last match wins.
        ("build/logs/today.log", ("@octocat",)),
        ("deeply/nested/logs/a.log", ("@octocat",)),
        # docs/* is overridden by the later /docs/ rule for every file under docs/.
        ("docs/getting-started.md", ("@doctocat",)),
        ("docs/build-app/troubleshooting.md", ("@doctocat",)),
        ("services/apps/web.py", ("@octocat",)),
        ("scripts/deploy.sh", ("@doctocat", "@octocat")),
        ("apps/web/index.html", ("@octocat",)),
        ("apps/github/hooks.py", ("@doctocat",)),
    ],
)
def test_github_example_last_match_wins(path: str, owners: tuple[str, ...]) -> None:
    parsed = parse(GITHUB_EXAMPLE, ".github/CODEOWNERS")
    assert parsed.warnings == []
    assert parsed.owners_of(path) == owners


def test_a_pattern_without_owners_unsets_ownership() -> None:
    """GitHub's example: @octocat owns /apps except /apps/github, whose owners are left empty."""
    parsed = parse("/apps/ @octocat\n/apps/github\n")
    assert parsed.owners_of("apps/web/app.py") == ("@octocat",)
    assert parsed.owners_of("apps/github/app.py") == ()
    entry = parsed.match("apps/github/app.py")
    assert entry is not None and entry.line == 2


def test_unreadable_lines_warn_with_file_and_line_and_the_rest_applies() -> None:
    text = (
        "* @example-org/maintainers\n"
        "!generated/ @bots\n"  # negation: not in CODEOWNERS
        "[Dd]ocs/ @docs\n"  # ranges: not in CODEOWNERS
        "src/api/ @not a/valid/owner!\n"  # bad owners beside a good one
        "[Documentation]\n"  # a GitLab section header
        "src/db/ nobody\n"  # no valid owner at all
        "src/api/models.py @example-org/api-owners\n"
    )
    parsed = parse(text, "CODEOWNERS")
    lines = [w.split(":")[1] for w in parsed.warnings]
    assert lines == ["2", "3", "4", "5", "6"]
    assert all(w.startswith("CODEOWNERS:") for w in parsed.warnings)
    assert "negation" in parsed.warnings[0]
    assert "GitHub ignores the whole file" in parsed.warnings[0]
    assert parsed.owners_of("src/api/models.py") == ("@example-org/api-owners",)
    assert parsed.owners_of("src/api/routes.py") == ("@not",)
    assert parsed.owners_of("src/db/session.py") == ("@example-org/maintainers",)


@pytest.mark.parametrize(
    ("owner", "kind"),
    [
        ("@octocat", "user"),
        ("@octo-org/octocats", "team"),
        ("@example-org/api_owners.v2", "team"),
        ("docs@example.com", "email"),
        ("octocat", None),
        ("@-bad", None),
        ("@org/", None),
    ],
)
def test_owner_kinds(owner: str, kind: str | None) -> None:
    assert owner_kind(owner) == kind


def _snapshots(repo: RepoBuilder) -> tuple[Snapshot, Snapshot]:
    git = Git(repo.root)
    sha = repo.head()
    return Snapshot(git, sha), Snapshot(git, sha)


def test_github_search_order_dot_github_first(repo: RepoBuilder) -> None:
    """GitHub reads .github/, then the root, then docs/, and uses the first it finds."""
    repo.write(
        {
            "CODEOWNERS": "* @root-owner\n",
            "docs/CODEOWNERS": "* @docs-owner\n",
            ".github/CODEOWNERS": "* @dot-github-owner\n",
        }
    )
    repo.commit("owners")
    base, head = _snapshots(repo)
    parsed, info = load_codeowners(BoundariesConfig(), base, head)
    assert parsed is not None and info is not None
    assert info.path == ".github/CODEOWNERS"
    assert parsed.owners_of("x.py") == ("@dot-github-owner",)
    assert any("CODEOWNERS is not used" in w for w in info.warnings)
    repo.remove(".github/CODEOWNERS")
    repo.commit("drop .github")
    base, head = _snapshots(repo)
    parsed, info = load_codeowners(BoundariesConfig(), base, head)
    assert info is not None and info.path == "CODEOWNERS"


def test_codeowners_path_can_be_configured_and_must_exist(repo: RepoBuilder) -> None:
    repo.write({"OWNERS.txt": "*.py @py-owner\n"})
    repo.commit("owners")
    base, head = _snapshots(repo)
    parsed, _ = load_codeowners(BoundariesConfig(codeowners="OWNERS.txt"), base, head)
    assert parsed is not None and parsed.owners_of("a/b.py") == ("@py-owner",)
    with pytest.raises(InputError, match="does not exist"):
        load_codeowners(BoundariesConfig(codeowners="MISSING"), base, head)
    assert load_codeowners(BoundariesConfig(codeowners=False), base, head) == (None, None)


def test_github_example_in_a_real_repository(repo: RepoBuilder) -> None:
    """GitHub's example file in .github/, a rule making every path a boundary, an AI change."""
    from .conftest import Change

    base_files = {
        ".github/CODEOWNERS": GITHUB_EXAMPLE,
        "apps/github/hooks.py": "x = 1\n",
        "apps/web/app.js": "let x = 1;\n",
        "docs/build-app/troubleshooting.md": "# Help\n",
        "README.md": "# Project\n",
    }
    repo.write(base_files)
    base = repo.commit("base")
    repo.write({path: text + "more\n" for path, text in base_files.items() if path[0] != "."})
    head = repo.commit(
        "agent change", extra_trailers=[("Co-Authored-By", "Claude <noreply@anthropic.com>")]
    )
    config = {"rules": [{"name": "everything", "paths": ["*"]}]}
    result = Change(repo, base, head).check(config)
    owners = {f.path: (f.owners, f.owners_from) for f in result.findings}
    line = {
        text: f".github/CODEOWNERS:{n}" for n, text in enumerate(GITHUB_EXAMPLE.splitlines(), 1)
    }
    assert owners == {
        "apps/github/hooks.py": (["@doctocat"], line["/apps/github @doctocat"]),
        "apps/web/app.js": (["@octocat"], line["/apps/ @octocat"]),  # the last of the two lines
        "docs/build-app/troubleshooting.md": (["@doctocat"], line["/docs/ @doctocat"]),
        "README.md": (["@global-owner1", "@global-owner2"], ".github/CODEOWNERS:8"),
    }
    assert result.codeowners is not None and result.codeowners.warnings == []
