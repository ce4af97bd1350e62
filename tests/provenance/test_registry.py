"""The marker registry matches the identities and trailers real tools write, and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realitycheck.core.config.provenance import MarkerSpec, ProvenanceConfig
from realitycheck.core.errors import ConfigError
from realitycheck.provenance.history import Identity
from realitycheck.provenance.registry import load_registry, parse_registry

REGISTRY = load_registry(ProvenanceConfig())

# Identities as they appear in public repositories' commits (author lines and trailers).
REAL_IDENTITIES = [
    ("Claude <noreply@anthropic.com>", "claude-code"),
    ("Claude Opus 4.6 <noreply@anthropic.com>", "claude-code"),
    ("Claude Opus 4.8 (1M context) <noreply@anthropic.com>", "claude-code"),
    ("Cursor Agent <cursoragent@cursor.com>", "cursor"),
    ("aider (anthropic/claude-sonnet-4-20250514) <aider@aider.chat>", "aider"),
    ("aider (gpt-4o) <noreply@aider.chat>", "aider"),
    ("Codex <noreply@openai.com>", "codex"),
    ("copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>", "copilot-agent"),
    ("Copilot <198982749+Copilot@users.noreply.github.com>", "copilot-agent"),
    (
        "Copilot Autofix powered by AI <175728472+Copilot@users.noreply.github.com>",
        "copilot-autofix",
    ),
    (
        "google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>",
        "jules",
    ),
    (
        "devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
        "devin",
    ),
    (
        "Amazon Q Developer <208079219+amazon-q-developer[bot]@users.noreply.github.com>",
        "amazon-q",
    ),
    (
        "gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>",
        "gemini-code-assist",
    ),
    ("cursor[bot] <206951365+cursor[bot]@users.noreply.github.com>", "cursor"),
    ("claude[bot] <209825114+claude[bot]@users.noreply.github.com>", "claude-code"),
]


def tools(text: str, role: str = "co-author") -> set[str]:
    who = Identity.parse(text)
    assert who is not None
    return {h.tool for h in REGISTRY.match_identity(who, role)}  # type: ignore[arg-type]


@pytest.mark.parametrize(("identity", "tool"), REAL_IDENTITIES)
def test_real_identities_name_their_tool(identity: str, tool: str) -> None:
    assert tools(identity) == {tool}


def test_matching_ignores_case() -> None:
    assert tools("CLAUDE <NOREPLY@ANTHROPIC.COM>") == {"claude-code"}
    assert tools("Cursor <CursorAgent@Cursor.com>") == {"cursor"}


def test_a_renamed_bot_is_still_known_by_its_numeric_id() -> None:
    assert tools("renamed <198982749+new-name@users.noreply.github.com>") == {"copilot-agent"}


def test_names_are_only_a_hint_when_the_email_is_someone_else() -> None:
    who = Identity.parse("Claude Martin <claude.martin@example.com>")
    assert who is not None
    hits = REGISTRY.match_identity(who, "co-author")
    assert [h.marker.kind for h in hits] == ["name"]
    assert all(h.marker.confidence < 0.5 for h in hits)


def test_the_aider_committer_suffix_alone_is_weak() -> None:
    who = Identity("Ada (aider)", "ada@example.com")
    assert max(h.marker.confidence for h in REGISTRY.match_identity(who, "author")) >= 0.9
    assert max(h.marker.confidence for h in REGISTRY.match_identity(who, "committer")) < 0.5


def test_a_person_is_not_matched() -> None:
    assert tools("Example Maintainer <maintainer@example.com>") == set()
    assert tools("Dependabot <49699333+dependabot[bot]@users.noreply.github.com>") == set()


@pytest.mark.parametrize(
    ("key", "value", "tool"),
    [
        ("Claude-Session", "https://claude.ai/code/session_01ABC", "claude-code"),
        ("Made-with", "Cursor", "cursor"),
        ("Entire-Checkpoint", "a3b2c4d5e6f7", "entire"),
        ("Assisted-by", "Claude:claude-3-opus coccinelle sparse", "claude-code"),
        ("Assisted-by", "Cursor:cursor-grok-4.5", "cursor"),
        ("Assisted-by", "OpenCode:qwen3-coder", "opencode"),
        ("Assisted-by", "GitHub Copilot", "copilot"),
        ("Agent-Logs-Url", "https://github.com/o/r/sessions/4f3c9982-7083", "copilot-agent"),
        ("made-with", "cursor", "cursor"),
    ],
)
def test_trailers(key: str, value: str, tool: str) -> None:
    assert {h.tool for h in REGISTRY.match_trailer(key, value)} == {tool}


def test_trailer_values_are_checked_when_the_marker_names_one() -> None:
    assert REGISTRY.match_trailer("Made-with", "love") == []
    assert REGISTRY.match_trailer("Signed-off-by", "Example <e@example.com>") == []


def test_message_markers() -> None:
    message = "Add it\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)"
    assert {h.tool for h in REGISTRY.match_message(message)} == {"claude-code"}
    assert {h.tool for h in REGISTRY.match_message("aider: fix the parser")} == {"aider"}
    assert REGISTRY.match_message("fix: the aider: prefix in the middle") == []


def test_user_markers_and_ignored_tools() -> None:
    config = ProvenanceConfig(
        markers=[MarkerSpec(tool="inhouse-bot", kind="email", match="*@agents.example.com")],
        ignore_tools=["claude-code"],
    )
    registry = load_registry(config)
    hits = registry.match_identity(Identity("Bot", "worker7@agents.example.com"), "author")
    assert [(h.tool, h.from_config) for h in hits] == [("inhouse-bot", True)]
    assert registry.match_identity(Identity("Claude", "noreply@anthropic.com"), "author") == []


def test_every_marker_names_a_tool_of_the_registry() -> None:
    for marker, _ in REGISTRY.markers:
        assert marker.tool in REGISTRY.tools, marker


def test_a_registry_of_another_version_is_refused() -> None:
    with pytest.raises(ConfigError, match="version"):
        parse_registry({"registry_version": 99, "markers": []}, source="x.toml")
    with pytest.raises(ConfigError, match="marker 1"):
        parse_registry(
            {"registry_version": 1, "markers": [{"tool": "x", "kind": "smell", "match": "y"}]},
            source="x.toml",
        )


@given(st.text(max_size=40), st.text(max_size=40))
def test_matching_never_fails_on_odd_identities(name: str, email: str) -> None:
    for role in ("author", "committer", "co-author"):
        REGISTRY.match_identity(Identity(name, email), role)  # type: ignore[arg-type]


@given(st.text(max_size=30))
def test_tool_for_always_names_something(agent: str) -> None:
    assert REGISTRY.tool_for(agent)
