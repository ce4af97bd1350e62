"""Each imported entry is checked against its format's schema before a sample is built from it.

HAR uses the published HAR 1.2 JSON Schema (`schemas/har/`, see its SOURCE.md); VCR.py and
Keploy publish none, so `schemas/` holds one written from the files those tools write. A
problem is one line naming the place in the entry (`request.method: 5 is not of type
'string'`), which the import driver reports with the file and the entry's number.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from jsonschema import Draft6Validator, Draft7Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

# What the HAR importer reads: errors elsewhere (fields browsers leave out or null) are ignored.
HAR_READ = (
    ("request",),
    ("request", "method"),
    ("request", "url"),
    ("request", "headers"),
    ("request", "headers", "*"),
    ("request", "headers", "*", "name"),
    ("request", "headers", "*", "value"),
    ("request", "queryString"),
    ("request", "postData"),
    ("request", "postData", "mimeType"),
    ("request", "postData", "text"),
    ("request", "postData", "params"),
    ("response",),
    ("response", "status"),
    ("response", "headers"),
    ("response", "headers", "*"),
    ("response", "headers", "*", "name"),
    ("response", "headers", "*", "value"),
    ("response", "content"),
    ("response", "content", "text"),
    ("response", "content", "encoding"),
)
HAR_REQUIRED = frozenset({("request",), ("request", "method"), ("request", "url")})


def _schemas() -> Any:
    return resources.files("realitycheck.corpus.importers").joinpath("schemas")


@functools.cache
def _har() -> Draft6Validator:
    folder = _schemas().joinpath("har")
    pairs = []
    entry: Any = None
    for item in folder.iterdir():
        if not item.name.endswith(".json"):
            continue
        schema = json.loads(item.read_text(encoding="utf-8"))
        pairs.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT6)))
        if item.name == "entry.json":
            entry = schema
    return Draft6Validator(entry, registry=Registry().with_resources(pairs))


@functools.cache
def _own(name: str) -> Draft7Validator:
    schema = json.loads(_schemas().joinpath(name).read_text(encoding="utf-8"))
    return Draft7Validator(schema)


def _place(path: Iterable[Any]) -> tuple[str, ...]:
    return tuple("*" if isinstance(p, int) else str(p) for p in path)


def _describe(error: ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    message = error.message if len(error.message) <= 120 else error.message[:117] + "..."
    return f"{where}: {message}" if where else message


def har_problem(entry: Any) -> str | None:
    """Why a HAR entry cannot be read (its first problem in what the importer reads), or None."""
    if not isinstance(entry, dict):
        return f"an entry is an object, not {type(entry).__name__}"
    for error in _har().iter_errors(entry):
        place = _place(error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            if (*place, missing) in HAR_REQUIRED:
                return _describe(error)
        elif place in HAR_READ and error.validator not in ("format", "oneOf", "pattern"):
            return _describe(error)
    return None


def vcr_problem(interaction: Any) -> str | None:
    """Why a VCR.py interaction cannot be read, or None."""
    return _first(_own("vcr-interaction.schema.json"), interaction)


def keploy_http_problem(spec: Any) -> str | None:
    """Why the spec of a Keploy Http document cannot be read, or None."""
    return _first(_own("keploy-http.schema.json"), spec)


def _first(validator: Draft7Validator, value: Any) -> str | None:
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    return _describe(errors[0]) if errors else None
