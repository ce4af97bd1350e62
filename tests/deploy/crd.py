"""Validation against the controllers' published CRD schemas (tests/deploy/crds/README.md).

Kubernetes prunes unknown fields rather than rejecting them; these tests are stricter, as
`kubectl apply --validate=strict` is: every object schema that lists its properties and does not
preserve unknown fields gets `additionalProperties: false`, so a misspelt field fails here.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jsonschema
import yaml

CRDS = Path(__file__).parent / "crds"
FILES = {
    "Rollout": "argo-rollouts-v1.9.1-rollout-crd.yaml",
    "AnalysisTemplate": "argo-rollouts-v1.9.1-analysis-template-crd.yaml",
    "Canary": "flagger-v1.44.0-crd.yaml",
    "MetricTemplate": "flagger-v1.44.0-crd.yaml",
}


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


@functools.cache
def schema(kind: str) -> dict[str, Any]:
    """The strict openAPIV3Schema of a kind, with the top-level apiVersion/kind/metadata."""
    for doc in yaml.safe_load_all((CRDS / FILES[kind]).read_text(encoding="utf-8")):
        if doc and doc["spec"]["names"]["kind"] == kind:
            version = next(v for v in doc["spec"]["versions"] if v.get("storage"))
            found: dict[str, Any] = _strict(version["schema"]["openAPIV3Schema"])
            found["properties"]["metadata"] = {"type": "object"}
            found["required"] = ["apiVersion", "kind", "metadata", "spec"]
            return found
    raise KeyError(kind)


@functools.cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    found = schema(kind)
    cls = jsonschema.validators.validator_for(found, default=jsonschema.Draft7Validator)
    cls.check_schema(found)
    return cls(found)


def validate(doc: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when the document breaks its kind's schema."""
    _validator(doc["kind"]).validate(doc)


def argo_validate_metric(metric: dict[str, Any]) -> None:
    """Argo Rollouts v1.9.1 utils/analysis/factory.go ValidateMetric, the rules that apply."""
    count = int(metric.get("count", 0))
    failure = int(metric.get("failureLimit", 0))
    success = int(metric.get("consecutiveSuccessLimit", 0))
    inconclusive = int(metric.get("inconclusiveLimit", 0))
    assert success >= 0 and failure >= -1 and inconclusive >= 0
    assert not (success == 0 and failure == -1)
    assert int(metric.get("consecutiveErrorLimit", 0)) >= 0
    if count > 0:
        if success >= 0 and failure >= 0:
            assert count >= failure + success
        assert count >= inconclusive
    assert count <= 1 or metric.get("interval")
    assert sum(1 for _ in metric["provider"]) == 1
