"""Commit messages, trailers and identities as provenance reads them from real commits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from realitycheck.core.git import Git
from realitycheck.demo.repo import RepoBuilder
from realitycheck.provenance.history import Identity, parse_trailers, read_commits

# A squash merge as GitHub writes it: the squashed commits' trailers sit in the body.
SQUASHED = """Remove milestones link from homepage (#146)

* Initial plan

* Remove "See Milestones" link from homepage

Co-authored-by: wdhunter645 <203789911+wdhunter645@users.noreply.github.com>

---------

Co-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>
Co-authored-by: wdhunter645 <203789911+wdhunter645@users.noreply.github.com>"""


def test_trailers_anywhere_in_a_squashed_body() -> None:
    trailers = parse_trailers(SQUASHED)
    keys = [t.key.lower() for t in trailers]
    assert keys.count("co-authored-by") == 3
    who = Identity.parse(trailers[1].value)
    assert who is not None and who.github_id == 198982749
    assert "copilot" in who.logins and "copilot-swe-agent[bot]" in who.logins


def test_the_subject_is_not_a_trailer() -> None:
    assert parse_trailers("fix: handle nulls\n\nbody") == ()


def test_identities() -> None:
    who = Identity.parse('"Ada Lovelace" <ada@example.com>')
    assert who == Identity("Ada Lovelace", "ada@example.com")
    assert Identity.parse("no email here") is None
    bot = Identity("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
    assert bot.is_bot and bot.github_id == 49699333
    assert not Identity("Ada", "ada@example.com").is_bot


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200))
def test_parsing_any_message_never_fails(message: str) -> None:
    for trailer in parse_trailers(message):
        assert trailer.key and trailer.value


def test_read_commits_uses_raw_identities_not_the_mailmap(repo: RepoBuilder) -> None:
    repo.write({"a.txt": "a\n"})
    repo.commit("first")
    repo.write(
        {
            ".mailmap": "Example Maintainer <maintainer@example.com> "
            "Copilot <198982749+Copilot@users.noreply.github.com>\n"
        }
    )
    repo.commit("agent", author=("Copilot", "198982749+Copilot@users.noreply.github.com"))
    commits = read_commits(Git(repo.root), None, repo.head())
    assert [c.author.name for c in commits] == ["Example Maintainer", "Copilot"]
    assert commits[0].is_root and not commits[1].is_root
    assert commits[1].committed_at >= commits[1].authored_at
