"""`deploy plan`: the tier (given, or read from a report), the plan, and the manifests as text.

Everything is rendered before anything is written, so a bad input leaves nothing half-written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml

from realitycheck.core.config.deploy import TIERS, DeployConfig
from realitycheck.core.errors import InputError
from realitycheck.deploy import argo, flagger
from realitycheck.deploy.model import RolloutPlan, plan_for

Controller = Literal["argo", "flagger"]
NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
KIND = {"argo": "Rollout", "flagger": "Canary"}


def tier_from_report(path: Path) -> str:
    """The tier a `verify --format json` report gave the change."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the report: {exc.strerror}", path=path) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a JSON report: {exc}", path=path) from exc
    if not isinstance(doc, dict) or "schema_version" not in doc:
        raise InputError("not a realitycheck JSON report (no schema_version)", path=path)
    risk = doc.get("risk")
    if not isinstance(risk, dict) or risk.get("status") != "ran":
        raise InputError(
            "the report has no risk tier (the risk stage did not run)", path=path, place="risk"
        )
    tier = risk.get("tier")
    if tier not in TIERS:
        raise InputError(f"unknown tier {tier!r}", path=path, place="risk.tier")
    return str(tier)


def resolve_plan(tier: str, config: DeployConfig) -> RolloutPlan:
    """The plan of a tier, or one line naming the tiers there are."""
    if tier not in TIERS:
        raise InputError(f"unknown tier {tier!r}; tiers are {', '.join(TIERS)}", place="--tier")
    return plan_for(tier, config)


def load_existing(path: Path, controller: Controller) -> tuple[dict[str, Any], list[Any]]:
    """The Rollout or Canary in a manifest file, and all the file's documents in order."""
    try:
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    except OSError as exc:
        raise InputError(f"cannot read the manifest: {exc.strerror}", path=path) from exc
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise InputError(
            f"not a YAML manifest: {getattr(exc, 'problem', None) or exc}",
            path=path,
            line=line + 1 if line is not None else None,
        ) from exc
    kind = KIND[controller]
    found = [d for d in docs if isinstance(d, dict) and d.get("kind") == kind]
    if len(found) != 1:
        raise InputError(
            f"expected exactly one {kind} for --controller {controller}, found {len(found)}",
            path=path,
        )
    target = found[0]
    meta = target.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        raise InputError(f"the {kind} has no metadata.name", path=path, place=kind)
    if not isinstance(target.get("spec", {}), dict):
        raise InputError(f"the {kind}'s spec is not a mapping", path=path, place=f"{kind}.spec")
    return target, docs


def render(
    controller: Controller,
    plan: RolloutPlan,
    *,
    app: str = "app",
    existing: Path | None = None,
) -> dict[str, str]:
    """The manifests as YAML text, by file name."""
    if existing is None and not NAME.match(app):
        raise InputError(
            f"{app!r} is not a Kubernetes name (lower-case letters, digits and '-')",
            place="--name",
        )
    if controller == "argo":
        if existing is not None:
            target, docs = load_existing(existing, controller)
            main = _replace(docs, target, argo.patch_rollout(plan, target))
            app = str(target["metadata"]["name"])
        else:
            main = [argo.rollout(plan, app)]
        return {
            "rollout.yaml": _dump(main),
            "analysis-template.yaml": _dump([argo.analysis_template(plan, app)]),
        }
    if existing is not None:
        target, docs = load_existing(existing, controller)
        main = _replace(docs, target, flagger.patch_canary(plan, target))
    else:
        main = [flagger.canary(plan, app)]
    return {
        "canary.yaml": _dump(main),
        "metric-templates.yaml": _dump(flagger.metric_templates(plan)),
    }


def _replace(docs: list[Any], old: Any, new: Any) -> list[Any]:
    return [new if d is old else d for d in docs]


class _Dumper(yaml.SafeDumper):
    """Plain YAML: no anchors or aliases for repeated steps, Unicode as it is."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(docs: list[Any]) -> str:
    return yaml.dump_all(docs, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
