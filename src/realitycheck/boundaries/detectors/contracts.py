"""Schema and contract files: OpenAPI, JSON Schema, protobuf, GraphQL SDL and Avro."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from realitycheck.boundaries.detectors import Scope, whole_file
from realitycheck.boundaries.model import Region

RULE = "contracts"
_SNIFF = 8192  # the leading bytes a content check reads

_BY_SUFFIX = {
    ".proto": "a protobuf schema: the wire contract of its messages and services",
    ".graphql": "a GraphQL schema: the types clients query",
    ".graphqls": "a GraphQL schema: the types clients query",
    ".gql": "a GraphQL document: the types or operations clients rely on",
    ".avsc": "an Avro schema: the shape of records producers and consumers share",
    ".avdl": "an Avro IDL protocol: the records and messages peers share",
    ".avpr": "an Avro protocol: the records and messages peers share",
}
_OPENAPI_YAML = re.compile(r"^(openapi|swagger)\s*:", re.MULTILINE)
_OPENAPI_JSON = re.compile(r'^\s*\{?\s*"(openapi|swagger)"\s*:', re.MULTILINE)
_JSON_SCHEMA = re.compile(r'^\s*\{?\s*"?\$schema"?\s*:\s*"?[^\n]*json-schema\.org', re.MULTILINE)


def kind_of(path: str, text: str) -> str | None:
    """Why a file is a contract, or None when it is not one."""
    pure = PurePosixPath(path)
    suffix = pure.suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    head = text[:_SNIFF]
    if suffix in (".yaml", ".yml", ".json"):
        if (_OPENAPI_JSON if suffix == ".json" else _OPENAPI_YAML).search(head):
            return "an OpenAPI description: the HTTP contract clients are built against"
        if pure.name.lower().endswith((".schema.json", ".schema.yaml", ".schema.yml")):
            return "a JSON Schema: the shape of documents others validate against"
        if _JSON_SCHEMA.search(head):
            return "a JSON Schema: the shape of documents others validate against"
    return None


def detect(scope: Scope) -> list[Region]:
    """A region over each changed contract file."""
    regions: list[Region] = []
    for changed in scope.files:
        text = scope.head.text(changed.path)
        if text is None:
            continue
        why = kind_of(changed.path, text)
        if why is not None:
            regions.append(whole_file(scope, changed.path, RULE, f"the file is {why}"))
    return regions
