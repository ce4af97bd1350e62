"""Find, read and validate the configuration; errors name the file, the line and the key."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from realitycheck.core.config.model import Config
from realitycheck.core.config.suggest import did_you_mean
from realitycheck.core.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

CONFIG_NAME = "realitycheck.toml"


def find_config(start: Path, stop: Path | None = None) -> Path | None:
    """Walk up from `start` to `stop` (the repository root) for realitycheck.toml or pyproject."""
    here = start.resolve()
    stop = stop.resolve() if stop is not None else None
    for folder in (here, *here.parents):
        own = folder / CONFIG_NAME
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
        if folder == stop or (stop is None and (folder / ".git").exists()):
            break
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "realitycheck" in data["tool"]


def load_config(
    path: Path | None = None, *, start: Path | None = None, stop: Path | None = None
) -> Config:
    """Load the configuration at `path`, or discover it from `start`; defaults when none."""
    if path is None and start is not None:
        path = find_config(start, stop)
    if path is None:
        config = Config()
        config._root = stop or start
        return config
    if not path.is_file():
        raise ConfigError("no such configuration file", path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found[1]) if found else getattr(exc, "lineno", None)
        msg = str(exc).split(" (at ")[0]
        raise ConfigError(f"not valid TOML: {msg}", path=path, line=line) from None
    prefix: tuple[str, ...] = ()
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("realitycheck", {}) if isinstance(tool, dict) else {}
        prefix = ("tool", "realitycheck")
    return config_from_dict(data, source=path, text=text, prefix=prefix)


def config_from_dict(
    data: Mapping[str, Any],
    *,
    source: Path | None = None,
    text: str = "",
    prefix: tuple[str, ...] = (),
) -> Config:
    """Validate a parsed configuration table."""
    try:
        config = Config.model_validate(dict(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(str(p) for p in err["loc"])
        key = ".".join(loc)
        if err["type"] == "extra_forbidden":
            message = f"unknown key '{key}'"
            hint = did_you_mean(Config, loc)
            if hint:
                message += f"; {hint}"
        elif err["type"] == "missing":
            message = f"missing key '{key}'"
        else:
            message = f"key '{key}': {err['msg'].lower()}"
        more = len(exc.errors()) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        line = locate_key(text, prefix + loc) if text else None
        raise ConfigError(message, path=source, line=line) from None
    config._source = source
    config._root = source.parent if source is not None else None
    return config


def locate_key(text: str, loc: Sequence[str]) -> int | None:
    """Best-effort line number of a dotted key in TOML text (tables, dotted keys, arrays)."""
    table: list[str] = []
    best: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            name = line.strip("[]").strip()
            table = [p.strip().strip('"') for p in name.split(".")]
            if _strip_indexes(loc)[: len(table)] == table and best is None:
                best = number
            continue
        key = line.split("=", 1)[0].strip().strip('"')
        if "=" not in line or not key:
            continue
        full = table + [p.strip().strip('"') for p in key.split(".")]
        names = _strip_indexes(loc)
        if full == names[: len(full)] and len(full) >= len(names):
            return number
        if full == names[: len(full)]:
            best = number
    return best


def _strip_indexes(loc: Sequence[str]) -> list[str]:
    return [p for p in loc if not p.isdigit()]
