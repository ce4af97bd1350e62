"""Contract files and CI, deploy and auth configuration, detected by name and content."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from realitycheck.boundaries.detectors.contracts import kind_of as contract_kind
from realitycheck.boundaries.detectors.infra import kind_of as infra_kind

from .conftest import MakeChange

PROTO = """syntax = "proto3";

package tutorial;

message Person {
  string name = 1;
  int32 id = 2;
  string email = 3;
}
"""
GRAPHQL = """type Query {
  hero(episode: Episode): Character
}

enum Episode {
  NEWHOPE
  EMPIRE
  JEDI
}
"""
AVRO = json.dumps(
    {
        "namespace": "example.avro",
        "type": "record",
        "name": "User",
        "fields": [
            {"name": "name", "type": "string"},
            {"name": "favorite_number", "type": ["int", "null"]},
        ],
    },
    indent=2,
)
# The Deployment of the Kubernetes documentation ("Creating a Deployment").
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
"""
WORKFLOW = """name: CI
on: [pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""


def _fastapi_openapi() -> dict[str, Any]:
    """A real OpenAPI document, as FastAPI writes it."""
    from fastapi import FastAPI
    from pydantic import BaseModel

    class Item(BaseModel):
        name: str
        price: float

    app = FastAPI(title="shop")

    @app.get("/items/{item_id}", response_model=Item)
    def read_item(item_id: int) -> Any:
        return {"name": "x", "price": 1.0}

    return app.openapi()


def _json_schema() -> dict[str, Any]:
    """A real JSON Schema, as pydantic writes it, with the dialect it follows."""
    from pydantic import BaseModel

    class Order(BaseModel):
        id: int
        lines: list[str]

    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **Order.model_json_schema()}


@pytest.mark.parametrize(
    ("path", "text", "words"),
    [
        ("proto/person.proto", PROTO, "protobuf"),
        ("schema/schema.graphql", GRAPHQL, "GraphQL"),
        ("avro/user.avsc", AVRO, "Avro schema"),
        ("api/openapi.json", json.dumps(_fastapi_openapi(), indent=2), "OpenAPI"),
        ("api/openapi.yaml", "openapi: 3.1.0\ninfo:\n  title: shop\n", "OpenAPI"),
        ("api/swagger.yml", "swagger: '2.0'\ninfo: {}\n", "OpenAPI"),
        ("schemas/order.json", json.dumps(_json_schema(), indent=2), "JSON Schema"),
        ("schemas/order.schema.json", "{}", "JSON Schema"),
        ("data/orders.json", '{"orders": []}', None),
        ("config.yaml", "openapi_enabled: true\n", None),
    ],
)
def test_contract_files(path: str, text: str, words: str | None) -> None:
    kind = contract_kind(path, text)
    assert (kind is not None and words in kind) if words else kind is None, kind


@pytest.mark.parametrize(
    ("path", "text", "words"),
    [
        (".github/workflows/ci.yml", WORKFLOW, "GitHub Actions workflow"),
        ("Dockerfile", "FROM python:3.12-slim\n", "container image"),
        ("deploy/api.Dockerfile", "FROM python:3.12-slim\n", "container image"),
        ("k8s/deployment.yaml", DEPLOYMENT, "Kubernetes manifest"),
        ("docker-compose.yml", "services:\n  web: {}\n", "Compose"),
        ("infra/main.tf", 'resource "aws_s3_bucket" "b" {}\n', "Terraform"),
        ("src/app/auth/tokens.py", "SECRET = 1\n", "'auth'"),
        ("src/app/security.py", "x = 1\n", "'security'"),
        (".github/CODEOWNERS", "* @o\n", "code owners"),
        ("realitycheck.toml", "[boundaries]\n", "realitycheck's own configuration"),
        ("src/app/authors.py", "x = 1\n", None),
        ("values.yaml", "replicas: 3\n", None),
    ],
)
def test_ci_deploy_auth_files(path: str, text: str, words: str | None) -> None:
    kind = infra_kind(path, text)
    assert (kind is not None and words in kind) if words else kind is None, kind


def test_whole_file_regions_and_switches(make_change: MakeChange, tmp_path: Path) -> None:
    base = {"proto/person.proto": PROTO, "Dockerfile": "FROM python:3.11\n"}
    head = {
        "proto/person.proto": PROTO.replace("= 3;\n", "= 3;\n  string phone = 4;\n"),
        "Dockerfile": "FROM python:3.12\n",
    }  # fmt: skip
    change = make_change(base, head)
    result = change.check()
    assert [(f.rule, f.path, f.lines) for f in result.findings] == [
        ("ci_config", "Dockerfile", [(1, 1)]),
        ("contracts", "proto/person.proto", [(9, 9)]),
    ]
    off = change.check({"detectors": {"ci_config": False, "contracts": "forbidden"}})
    assert [(f.rule, f.policy.value) for f in off.findings] == [("contracts", "forbidden")]
    assert "ci_config" not in off.detectors
