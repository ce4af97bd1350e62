"""Reading the judge's configuration: a canary.toml, the `[judge]` table of realitycheck.toml,
or Kayenta's canary config JSON (`metrics[].analysisConfigurations.canary`,
`classifier.groupWeights`, `classifier.scoreThresholds`).

Errors name the file, the line and the key; an unknown key is an error.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from realitycheck.core.config.judge import JudgeConfig
from realitycheck.core.config.loader import locate_key
from realitycheck.core.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]


def load_judge_config(path: Path) -> JudgeConfig:
    """The judge configuration in `path` (.toml, or a Kayenta canary config .json)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("no such configuration file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=path) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
        return from_kayenta(data, source=path)
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found[1]) if found else None
        raise ConfigError(
            f"not valid TOML: {str(exc).split(' (at ')[0]}", path=path, line=line
        ) from None
    prefix: tuple[str, ...] = ()
    if isinstance(table.get("judge"), dict):
        table, prefix = table["judge"], ("judge",)
    return judge_config_from_dict(table, source=path, text=text, prefix=prefix)


def judge_config_from_dict(
    data: dict[str, Any],
    *,
    source: Path | str | None = None,
    text: str = "",
    prefix: tuple[str, ...] = (),
) -> JudgeConfig:
    """Validate a parsed table; the first problem becomes a ConfigError with its line."""
    try:
        return JudgeConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(str(p) for p in err["loc"])
        key = ".".join(loc)
        if err["type"] == "extra_forbidden":
            message = f"unknown key '{key}'"
        elif err["type"] == "missing":
            message = f"missing key '{key}'"
        else:
            message = f"key '{key}': {err['msg'].lower()}" if key else err["msg"].lower()
        line = locate_key(text, prefix + loc) if text else None
        raise ConfigError(message, path=source, line=line) from None


_CANARY_KEYS = {
    "direction": "direction",
    "nanStrategy": "nan_strategy",
    "critical": "critical",
    "mustHaveData": "must_have_data",
    "muted": "muted",
}
_EFFECT_KEYS = {
    "measure": "measure",
    "allowedIncrease": "allowed_increase",
    "allowedDecrease": "allowed_decrease",
    "criticalIncrease": "critical_increase",
    "criticalDecrease": "critical_decrease",
}


def from_kayenta(data: Any, *, source: Path | str | None = None) -> JudgeConfig:
    """Kayenta's canary config as a judge configuration (mode kayenta, its defaults kept)."""
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), list):
        raise ConfigError("not a Kayenta canary config: no 'metrics' list", path=source)
    metrics = []
    for index, metric in enumerate(data["metrics"]):
        place = f"metrics[{index}]"
        if not isinstance(metric, dict) or not isinstance(metric.get("name"), str):
            raise ConfigError("a metric needs a 'name'", path=source, place=place)
        canary = (metric.get("analysisConfigurations") or {}).get("canary") or {}
        if not isinstance(canary, dict):
            raise ConfigError(
                "analysisConfigurations.canary must be an object", path=source, place=place
            )
        spec: dict[str, Any] = {
            "name": metric["name"],
            "groups": metric.get("groups") or ["default"],
            # Kayenta's defaults where ours differ
            "direction": "either",
            "must_have_data": False,
        }
        for theirs, ours in _CANARY_KEYS.items():
            if theirs in canary:
                spec[ours] = canary[theirs]
        if spec.get("direction") not in ("increase", "decrease", "either"):
            spec["direction"] = "either"  # MetricDirection.parse: anything else is either
        if spec.get("nan_strategy") not in ("remove", "replace"):
            spec["nan_strategy"] = "remove"
        outliers = canary.get("outliers") or {}
        if outliers.get("strategy") == "remove":
            spec["outliers"] = "remove"
        if "outlierFactor" in outliers:
            spec["outlier_factor"] = outliers["outlierFactor"]
        effect = canary.get("effectSize") or {}
        spec["effect_size"] = {ours: effect[t] for t, ours in _EFFECT_KEYS.items() if t in effect}
        query = metric.get("query") or {}
        inline = query.get("customInlineTemplate") if isinstance(query, dict) else None
        if isinstance(inline, str) and inline.startswith("PromQL:"):
            spec["query"] = inline[len("PromQL:") :]
        metrics.append(spec)
    classifier = data.get("classifier") or {}
    thresholds = classifier.get("scoreThresholds") or {}
    table: dict[str, Any] = {
        "mode": "kayenta",
        "metrics": metrics,
        "group_weights": classifier.get("groupWeights") or {},
    }
    if thresholds:
        table["thresholds"] = {k: v for k, v in thresholds.items() if k in ("pass", "marginal")}
    return judge_config_from_dict(table, source=source)
