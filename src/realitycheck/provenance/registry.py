"""The marker registry: the built-in `markers.toml` plus the user's markers, and matching on it."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import ValidationError

from realitycheck.core.config.provenance import MarkerSpec, ProvenanceConfig, Role
from realitycheck.core.errors import ConfigError
from realitycheck.provenance.history import Identity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

REGISTRY_FILE = "markers.toml"
REGISTRY_VERSION = 1  # Registry versions: 1 (first). Adding markers does not change it.


@dataclass(frozen=True)
class Tool:
    """A coding tool the registry knows."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """A marker that matched, and the tool it names."""

    marker: MarkerSpec
    tool: str
    from_config: bool


def _glob(pattern: str) -> re.Pattern[str]:
    """A case-insensitive glob where only `*` and `?` are wildcards (brackets are literal)."""
    body = re.escape(pattern.strip().lower()).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL)


@dataclass
class Registry:
    """Every marker in use, indexed for matching."""

    version: int
    tools: dict[str, Tool]
    markers: list[tuple[MarkerSpec, bool]]
    _globs: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def pattern(self, text: str) -> re.Pattern[str]:
        """The compiled glob for a marker's text."""
        if text not in self._globs:
            self._globs[text] = _glob(text)
        return self._globs[text]

    def name_of(self, tool: str) -> str:
        """The display name of a tool id."""
        known = self.tools.get(tool)
        return known.name if known else tool

    def tool_for(self, agent: str) -> str:
        """The tool id an agent name (from a trailer value or a note) stands for."""
        key = re.sub(r"[\s_]+", " ", agent.strip().lower())
        for tool in self.tools.values():
            if key == tool.id or key in tool.aliases or key == tool.name.lower():
                return tool.id
        squashed = key.replace(" ", "").replace("-", "")
        for tool in self.tools.values():
            if any(squashed == a.replace(" ", "").replace("-", "") for a in tool.aliases):
                return tool.id
        return re.sub(r"[^a-z0-9.]+", "-", key).strip("-") or "unknown"

    def match_identity(self, who: Identity, role: Role) -> list[Hit]:
        """Markers matching an identity: emails and bot ids first, names only as a fallback."""
        email = who.email.lower()
        strong: list[Hit] = []
        by_id: list[Hit] = []
        for marker, own in self.markers:
            if role not in marker.roles:
                continue
            if marker.kind == "email" and email and self.pattern(marker.match).match(email):
                strong.append(Hit(marker, marker.tool, own))
            elif marker.kind == "bot":
                if who.github_id is not None and marker.github_id is not None:
                    if who.github_id == marker.github_id:
                        by_id.append(Hit(marker, marker.tool, own))
                elif marker.match.lower() in who.logins:
                    strong.append(Hit(marker, marker.tool, own))
        if by_id:
            return by_id + [h for h in strong if h.marker.kind == "email"]
        if strong:
            return strong
        name = who.name.strip()
        return [
            Hit(marker, marker.tool, own)
            for marker, own in self.markers
            if marker.kind == "name"
            and role in marker.roles
            and name
            and self.pattern(marker.match).match(name)
        ]

    def match_trailer(self, key: str, value: str) -> list[Hit]:
        """Markers matching one `Key: value` line."""
        hits: list[Hit] = []
        for marker, own in self.markers:
            if marker.kind != "trailer" or marker.match.lower() != key.lower():
                continue
            if marker.value is not None and not self.pattern(marker.value).match(value.strip()):
                continue
            tool = marker.tool
            if marker.tool_from_value:
                agent = value.split(":", 1)[0].strip() if ":" in value else value.strip()
                tool = self.tool_for(agent) if agent else marker.tool
            hits.append(Hit(marker, tool, own))
        return hits

    def match_message(self, message: str) -> list[Hit]:
        """Markers matching the text of a message or the start of its subject."""
        lowered = message.lower()
        subject = lowered.split("\n", 1)[0]
        hits: list[Hit] = []
        for marker, own in self.markers:
            text = marker.match.lower()
            if (marker.kind == "message" and text in lowered) or (
                marker.kind == "subject" and subject.startswith(text)
            ):
                hits.append(Hit(marker, marker.tool, own))
        return hits


@lru_cache(maxsize=1)
def _builtin() -> tuple[int, dict[str, Tool], tuple[MarkerSpec, ...]]:
    raw = resources.files("realitycheck.provenance").joinpath(REGISTRY_FILE).read_text("utf-8")
    return parse_registry(tomllib.loads(raw), source=REGISTRY_FILE)


def parse_registry(
    data: dict[str, Any], *, source: str
) -> tuple[int, dict[str, Tool], tuple[MarkerSpec, ...]]:
    """Validate a registry document: its version, tools and markers."""
    version = data.get("registry_version")
    if version != REGISTRY_VERSION:
        raise ConfigError(
            f"marker registry version {version!r} is not {REGISTRY_VERSION}", path=source
        )
    tools: dict[str, Tool] = {}
    for tool_id, spec in (data.get("tools") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise ConfigError(f"tool '{tool_id}' needs a name", path=source, place="tools")
        aliases = tuple(str(a).lower() for a in spec.get("aliases", []))
        tools[tool_id] = Tool(tool_id, spec["name"], aliases)
    markers: list[MarkerSpec] = []
    for index, raw in enumerate(data.get("markers") or []):
        try:
            markers.append(MarkerSpec.model_validate(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            raise ConfigError(
                f"marker {index + 1}: {key}: {err['msg'].lower()}", path=source, place="markers"
            ) from None
    return int(version), tools, tuple(markers)


def load_registry(config: ProvenanceConfig) -> Registry:
    """The built-in markers and the configured ones, without the tools the user ignores."""
    version, tools, builtin = _builtin()
    ignored = {t.lower() for t in config.ignore_tools}
    markers = [(m, False) for m in builtin if m.tool.lower() not in ignored]
    markers += [(m, True) for m in config.markers if m.tool.lower() not in ignored]
    return Registry(version=version, tools=dict(tools), markers=markers)
