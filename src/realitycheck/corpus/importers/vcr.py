"""`vcr`: VCR.py cassettes, YAML or JSON, current (`interactions`) and old (a bare list) forms.

YAML is read with a safe loader that never runs code: the `!!python/...` tags of old cassettes
become plain lists and mappings. Interactions are composed one at a time, so a large cassette is
never held in memory whole.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ijson  # type: ignore[import-untyped]
import yaml

from realitycheck.core.errors import InputError
from realitycheck.corpus.http import BlobPut, http_input, http_output, http_target, template_path
from realitycheck.corpus.importers.base import BadEntry, Entry, Item, Progress
from realitycheck.corpus.importers.har import open_skipping_bom
from realitycheck.corpus.importers.validate import vcr_problem


class _CassetteLoader(yaml.SafeLoader):
    """A safe loader that reads python-specific tags as plain data instead of objects."""


def _plain(loader: Any, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node, deep=True)
        # frozenset([(k, v), ...]) of old requests: a list of pairs
        return items[0] if len(items) == 1 and isinstance(items[0], list) else items
    return loader.construct_scalar(node)


_CassetteLoader.add_multi_constructor("tag:yaml.org,2002:python/", _plain)


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    """Headers in any form VCR.py wrote: {k: [v]}, {k: v}, [(k, v)], ["k: v\\r\\n"]."""
    out: list[tuple[str, str]] = []
    if isinstance(headers, dict):
        for name, value in headers.items():
            values = value if isinstance(value, list) else [value]
            out += [(str(name), str(v)) for v in values]
    elif isinstance(headers, list):
        for item in headers:
            if isinstance(item, (list, tuple)) and len(item) == 2:
                out.append((str(item[0]), str(item[1])))
            elif isinstance(item, str) and ":" in item:
                name, _, value = item.partition(":")
                out.append((name.strip(), value.strip()))
    return out


def _body(body: Any) -> bytes | str | None:
    if isinstance(body, dict):
        body = body.get("string", body.get("base64_string"))
    if body is None or isinstance(body, (bytes, str)):
        return body
    return str(body)


def entry_from_interaction(raw: Any, index: int, blob: BlobPut) -> Entry:
    """One interaction as an Entry; raises KeyError, TypeError or ValueError when malformed."""
    request, response = raw["request"], raw.get("response")
    if "uri" in request:
        url = urlsplit(str(request["uri"]))
        path, query, host = url.path, url.query, url.hostname
    else:  # the form before VCR.py 1.0: protocol, host, port, path
        url = urlsplit(str(request["path"]))
        path, query, host = url.path, url.query, request.get("host")
    method = str(request["method"])
    sample_input = http_input(
        method, path, query, _header_pairs(request.get("headers")), _body(request.get("body")), blob
    )
    output = None
    if isinstance(response, dict):
        status = response.get("status")
        code: Any = status.get("code") if isinstance(status, dict) else status
        output = http_output(
            int(code), _header_pairs(response.get("headers")), _body(response.get("body")), blob
        )
    return Entry(
        index=index,
        target=http_target(method, template_path(path)),
        kind="http",
        input=sample_input,
        output=output,
        tags=[f"host:{host}"] if host else [],
    )


def _interactions_yaml(path: Path) -> Iterator[Any]:
    """The interactions of a YAML cassette, composed one at a time."""
    with path.open("rb") as fh:
        loader: Any = _CassetteLoader(fh)
        try:
            loader.get_event()  # stream start
            if loader.check_event(yaml.StreamEndEvent):
                raise InputError("an empty cassette: no interactions", path=path)
            loader.get_event()  # document start
            if loader.check_event(yaml.SequenceStartEvent):  # the old form: a bare list
                yield from _sequence_items(loader)
                return
            if not loader.check_event(yaml.MappingStartEvent):
                raise InputError("not a cassette: a mapping with 'interactions'", path=path)
            loader.get_event()
            found = False
            while not loader.check_event(yaml.MappingEndEvent):
                key = loader.construct_document(loader.compose_node(None, None))
                if key == "interactions" and loader.check_event(yaml.SequenceStartEvent):
                    found = True
                    yield from _sequence_items(loader)
                elif key == "interactions":
                    node = loader.compose_node(None, None)
                    raise InputError(
                        f"interactions is {_yaml_kind(node)}, not a list",
                        path=path,
                        line=node.start_mark.line + 1,
                        place="interactions",
                    )
                else:
                    loader.compose_node(None, None)  # skip the value
            if not found:
                raise ValueError("it has no 'interactions'")
        finally:
            loader.dispose()


def _yaml_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.ScalarNode):
        return "null" if node.value in ("", "~", "null") else f"a scalar ({node.value[:30]!r})"
    return "not a list"


def _sequence_items(loader: Any) -> Iterator[Any]:
    loader.get_event()  # sequence start
    while not loader.check_event(yaml.SequenceEndEvent):
        node = loader.compose_node(None, None)
        yield loader.construct_document(node)
    loader.get_event()


def _interactions_json(path: Path, bare_list: bool) -> Iterator[Any]:
    """The interactions of a JSON cassette, streamed (refused when `interactions` is not a list)."""
    if not bare_list:
        with open_skipping_bom(path) as fh:
            for prefix, event, _ in ijson.parse(fh):
                if prefix == "interactions":
                    if event != "start_array":
                        raise InputError(
                            f"interactions is {event.replace('start_', 'a ')}, not a list",
                            path=path,
                            place="interactions",
                        )
                    break
            else:
                raise ValueError("it has no 'interactions'")
    with open_skipping_bom(path) as fh:
        yield from ijson.items(fh, "item" if bare_list else "interactions.item", use_float=True)


def read_cassette(path: Path, blob: BlobPut, progress: Progress) -> Iterator[Item]:
    """Every interaction of a cassette."""
    with path.open("rb") as fh:
        head = fh.read(256).removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head:
        raise InputError("an empty cassette: no interactions", path=path)
    index = 0
    try:
        items: Any = (
            _interactions_json(path, head[:1] == b"[")
            if head[:1] in (b"{", b"[")
            else _interactions_yaml(path)
        )
        for raw in items:
            problem = vcr_problem(raw)
            if problem is not None:
                yield BadEntry(index, f"not a VCR interaction: {problem}")
                index += 1
                continue
            try:
                yield entry_from_interaction(raw, index, blob)
            except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as exc:
                why = f"missing {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
                yield BadEntry(index, f"not a VCR interaction: {why}")
            index += 1
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        yield BadEntry(index, f"not valid YAML: {getattr(exc, 'problem', exc)}", line)
    except (ijson.JSONError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, ijson.IncompleteJSONError) and "premature" in first.lower():
            first = "the file ends early (truncated JSON)"
        yield BadEntry(index, f"not a cassette: {first}")
    progress.finish_file()
