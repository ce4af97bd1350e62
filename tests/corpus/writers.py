"""Recordings written in each importer's format (shaped like the real files in realworld/)."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import yaml

from .planted import Request

HOST = "shop.example"


def _response_body(req: Request) -> str:
    return json.dumps(req.response)


def write_har(requests: list[Request], path: Path) -> Path:
    """A HAR 1.2 file, one entry per request (bodies as text, some base64)."""
    entries = []
    for i, req in enumerate(requests):
        body_text = _response_body(req)
        content = {"size": len(body_text), "mimeType": "application/json", "text": body_text}
        if i % 2:
            content = {
                **content,
                "text": base64.b64encode(body_text.encode()).decode(),
                "encoding": "base64",
            }
        entries.append(
            {
                "startedDateTime": f"2024-05-01T12:{i // 60:02d}:{i % 60:02d}.000Z",
                "time": 12.5,
                "request": {
                    "method": req.method,
                    "url": f"https://{HOST}{req.url_path}",
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": k, "value": v} for k, v in req.headers]
                    + [{"name": "Content-Type", "value": req.content_type}],
                    "queryString": [{"name": k, "value": v} for k, v in req.query],
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": len(req.body),
                    "postData": {"mimeType": req.content_type, "text": req.body.decode()},
                },
                "response": {
                    "status": 200,
                    "statusText": "OK",
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": "Content-Type", "value": "application/json"}],
                    "cookies": [],
                    "content": content,
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": len(body_text),
                },
                "cache": {},
                "timings": {"send": 0, "wait": 10, "receive": 2},
            }
        )
    har = {
        "log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}
    }
    path.write_text(json.dumps(har), encoding="utf-8")
    return path


def write_vcr(requests: list[Request], path: Path) -> Path:
    """A VCR.py cassette (YAML, headers as lists, as vcrpy writes them)."""
    interactions = []
    for req in requests:
        headers: dict[str, list[str]] = {}
        for k, v in [*req.headers, ("Content-Type", req.content_type)]:
            headers.setdefault(k, []).append(v)
        interactions.append(
            {
                "request": {
                    "body": req.body.decode(),
                    "headers": headers,
                    "method": req.method,
                    "uri": f"https://{HOST}{req.url_path}",
                },
                "response": {
                    "body": {"string": _response_body(req)},
                    "headers": {"content-type": ["application/json"]},
                    "status": {"code": 200, "message": "OK"},
                },
            }
        )
    path.write_text(yaml.safe_dump({"interactions": interactions, "version": 1}), encoding="utf-8")
    return path


def gor_payloads(requests: list[Request]) -> bytes:
    """GoReplay's --output-file format: header line, raw HTTP, the monkey separator."""
    out = []
    for i, req in enumerate(requests):
        rid = f"{i:040x}"
        ts = 1_714_564_800_000_000_000 + i * 1_000_000
        head = "".join(f"{k}: {v}\r\n" for k, v in req.headers)
        raw_req = (
            f"{req.method} {req.url_path} HTTP/1.1\r\nHost: {HOST}\r\n{head}"
            f"Content-Type: {req.content_type}\r\nContent-Length: {len(req.body)}\r\n\r\n"
        ).encode() + req.body
        body = _response_body(req).encode()
        raw_resp = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            + f"{len(body):x}\r\n".encode()
            + body
            + b"\r\n0\r\n\r\n"
        )
        out.append(f"1 {rid} {ts}\n".encode() + raw_req + "\n🐵🙈🙉\n".encode())
        out.append(
            f"2 {rid} {ts + 4_000_000} 4000000\n".encode() + raw_resp + "\n🐵🙈🙉\n".encode()
        )
    return b"".join(out)


def write_gor(requests: list[Request], path: Path) -> Path:
    """A .gor file, gzipped when the name ends in .gz."""
    data = gor_payloads(requests)
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def write_keploy(requests: list[Request], folder: Path) -> Path:
    """Keploy test cases, one YAML file per request (as `keploy record` writes them)."""
    tests = folder / "test-set-0" / "tests"
    tests.mkdir(parents=True, exist_ok=True)
    for i, req in enumerate(requests):
        doc = {
            "version": "api.keploy.io/v1beta1",
            "kind": "Http",
            "name": f"test-{i + 1}",
            "spec": {
                "metadata": {},
                "req": {
                    "method": req.method,
                    "proto_major": 1,
                    "proto_minor": 1,
                    "url": f"http://{HOST}{req.url_path}",
                    "header": {**dict(req.headers), "Content-Type": req.content_type},
                    "body": req.body.decode(),
                    "timestamp": "2024-08-02T22:15:10.596402605Z",
                },
                "resp": {
                    "status_code": 200,
                    "header": {"Content-Type": "application/json"},
                    "body": _response_body(req),
                    "status_message": "OK",
                    "timestamp": "2024-08-02T22:15:12.681157884Z",
                },
                "objects": [],
                "assertions": {"noise": {"header.Date": []}},
                "created": 1722636912,
            },
        }
        (tests / f"test-{i + 1}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return folder


def write_jsonl(requests: list[Request], path: Path) -> Path:
    """Samples in the corpus's own shape, one per line."""
    from realitycheck.corpus.http import http_input, http_output, http_target, template_path

    with path.open("w", encoding="utf-8") as fh:
        for req in requests:
            sample_input = http_input(
                req.method,
                req.path,
                req.url_path.partition("?")[2],
                [*req.headers, ("Content-Type", req.content_type)],
                req.body,
                None,
            )
            output = http_output(
                200, [("Content-Type", "application/json")], _response_body(req), None
            )
            line = {
                "target": http_target(req.method, template_path(req.path)),
                "input": sample_input,
                "output": output,
                "duration_ms": 3.5,
                "recorded_at": "2024-05-01T12:00:00Z",
            }
            fh.write(json.dumps(line) + "\n")
    return path
