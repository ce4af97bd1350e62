"""Every importer against files real tools wrote (../shared/realworld), counted independently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from realitycheck.cli.main import main
from realitycheck.core.errors import InputError
from realitycheck.corpus.importers import import_paths
from realitycheck.corpus.store import Corpus

GOOD_HARS = [
    "chrome.har",
    "firefox.har",
    "safari.har",
    "charles.har",
    "insomnia.har",
    "postdata.har",
    "head-content-length.har",
    "with-bom.har",
    "successful_log.har",
    "error_log.har",
    "incomplete_log.har",
    "websocket.har",
    "event_stream.har",
    "diff_data.har",
    "corrupted_gzip_body.har",
]


def har_entries(path: Path) -> list[dict[str, object]]:
    """The entries of a HAR file, read with the standard library."""
    return json.loads(path.read_text(encoding="utf-8-sig"))["log"]["entries"]


@pytest.mark.parametrize("name", GOOD_HARS)
def test_har_files_import_every_entry(
    name: str, realworld: Path, corpus_dir: Path, key_file: Path
) -> None:
    path = realworld / "har" / name
    expected = har_entries(path)
    result = import_paths(corpus_dir, "har", [path], key_file=key_file, strict=True)
    assert result.imported == len(expected) and result.skipped == 0
    samples = list(Corpus(corpus_dir).iter_samples())
    methods = sorted(s.input["method"] for s in samples)
    assert methods == sorted(str(e["request"]["method"]) for e in expected)  # type: ignore[index]
    statuses = sorted(s.output["status"] for s in samples if s.output)
    assert statuses == sorted(
        int(e["response"]["status"])
        for e in expected
        if e["response"]["status"]  # type: ignore[index]
    )
    assert all(s.target.startswith("http:") for s in samples)


def test_har_base64_bodies_decode(realworld: Path, corpus_dir: Path, key_file: Path) -> None:
    path = realworld / "har" / "firefox.har"
    import_paths(corpus_dir, "har", [path], key_file=key_file)
    store = Corpus(corpus_dir)
    images = [
        e
        for e in har_entries(path)
        if e["response"]["content"].get("encoding") == "base64"  # type: ignore[index,union-attr]
    ]
    assert images
    blobs = [
        s.output["body"]
        for s in store.iter_samples()
        if s.output and isinstance(s.output["body"], dict) and "$blob" in s.output["body"]
    ]
    assert blobs
    data = store.blobs.get(blobs[0])
    assert (
        data[:4]
        in (b"\x89PNG", b"GIF8", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"RIFF", b"wOF2")
        or len(data) > 0
    )


def test_har_postdata_and_bom(realworld: Path, corpus_dir: Path, key_file: Path) -> None:
    import_paths(corpus_dir, "har", [realworld / "har" / "with-bom.har"], key_file=key_file)
    import_paths(corpus_dir, "har", [realworld / "har" / "successful_log.har"], key_file=key_file)
    posts = {
        s.source.rsplit(":", 1)[1]: s.input
        for s in Corpus(corpus_dir).iter_samples()
        if s.input["method"] == "POST"
    }
    # a beacon sends JSON as text/plain: kept as the text the server received
    assert json.loads(posts["with-bom.har"]["body"])["metadata"]["domain"] == "reqbin.com"
    assert posts["successful_log.har"]["body"] == {"key1": "value1", "key2": "value2"}


def test_broken_har_is_refused_naming_the_place(
    realworld: Path, corpus_dir: Path, key_file: Path
) -> None:
    """mitmproxy's broken file has a list where `log` is: the file is refused, nothing written."""
    with pytest.raises(InputError) as caught:
        import_paths(
            corpus_dir, "har", [realworld / "har" / "corrupted-brokenfile.har"], key_file=key_file
        )
    assert str(caught.value).endswith(
        "corrupted-brokenfile.har (log): log is a list, not an object"
    )
    assert Corpus(corpus_dir).count() == 0


def test_truncated_har_keeps_entries_before_the_cut(
    realworld: Path, tmp_path: Path, corpus_dir: Path, key_file: Path
) -> None:
    text = (realworld / "har" / "firefox.har").read_bytes()
    entries = har_entries(realworld / "har" / "firefox.har")
    cut = tmp_path / "cut.har"
    cut.write_bytes(text[: len(text) * 2 // 3])
    result = import_paths(corpus_dir, "har", [cut], key_file=key_file)
    assert 0 < result.imported < len(entries)
    assert result.skipped == 1 and "truncated" in result.problems[0]


def test_truncated_har_with_strict_fails_and_writes_nothing(
    realworld: Path,
    tmp_path: Path,
    corpus_dir: Path,
    key_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = (realworld / "har" / "chrome.har").read_bytes()
    cut = tmp_path / "cut.har"
    cut.write_bytes(text[: len(text) // 2])
    code = main(
        [
            "corpus",
            "import",
            "--format",
            "har",
            str(cut),
            "--strict",
            "--corpus",
            str(corpus_dir),
            "--key-file",
            str(key_file),
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "cut.har" in err[0] and "entry" in err[0]
    assert Corpus(corpus_dir).count() == 0
    assert not list((corpus_dir / "segments").iterdir())


def test_vcr_cassettes(realworld: Path, corpus_dir: Path, key_file: Path) -> None:
    folder = realworld / "vcr"
    expected = sum(
        len(yaml.safe_load(p.read_text())["interactions"]) for p in sorted(folder.glob("*.yaml"))
    )
    result = import_paths(corpus_dir, "vcr", [folder], key_file=key_file, strict=True)
    assert result.files == 40 and result.imported == expected
    store = Corpus(corpus_dir)
    me = [s for s in store.iter_samples() if s.input["path"] == "/2/users/me"]
    assert me and me[0].output["body"]["data"]["username"] == "TweepyDev"  # type: ignore[index]
    assert me[0].target == "http:GET /2/users/me"
    # set-cookie headers are redacted, their cookie names kept
    cookies = me[0].output["headers"]["set-cookie"]  # type: ignore[index]
    assert all(c.split("=")[0].startswith(("guest_id", "personalization_id")) for c in cookies)
    assert "$.output.headers['set-cookie']" in me[0].redactions


OLD_JSON_CASSETTE = """[
  {"request": {"body": null, "protocol": "http", "method": "GET",
               "headers": {"accept": "*/*", "user-agent": "python-requests/2.2.1"},
               "host": "httpbin.org", "path": "/ip", "port": 80},
   "response": {"status": {"message": "OK", "code": 200},
                "headers": ["content-type: application/json\\r\\n", "content-length: 32\\r\\n"],
                "body": {"string": "{\\n  \\"origin\\": \\"203.0.113.7\\"\\n}"}}}
]"""

OLD_YAML_CASSETTE = """\
- request: !!python/object:vcr.request.Request
    body: null
    headers: !!python/object/apply:__builtin__.frozenset
    - - !!python/tuple [accept-encoding, 'gzip, deflate, compress']
      - !!python/tuple [accept, '*/*']
    host: httpbin.org
    method: GET
    path: /ip
    port: 80
    protocol: http
  response:
    body: {string: !!python/unicode "{\\n  \\"origin\\": \\"203.0.113.7\\"\\n}"}
    headers: [!!python/unicode "content-type: application/json\\r\\n"]
    status: {code: 200, message: OK}
"""


def test_old_vcr_forms_read_without_running_code(
    tmp_path: Path, corpus_dir: Path, key_file: Path
) -> None:
    (tmp_path / "old.json").write_text(OLD_JSON_CASSETTE)
    (tmp_path / "old.yaml").write_text(OLD_YAML_CASSETTE)
    result = import_paths(corpus_dir, "vcr", [tmp_path], key_file=key_file, strict=True)
    assert result.imported == 2
    for sample in Corpus(corpus_dir).iter_samples():
        assert sample.target == "http:GET /ip"
        assert sample.output["body"] == {"origin": "203.0.113.7"}  # type: ignore[index]


def test_keploy_tests_and_mocks(realworld: Path, corpus_dir: Path, key_file: Path) -> None:
    folder = realworld / "keploy" / "flask-redis"
    mocks = list(yaml.safe_load_all((folder / "test-set-0" / "mocks.yaml").read_text()))
    tests = sorted((folder / "test-set-0" / "tests").glob("*.yaml"))
    result = import_paths(corpus_dir, "keploy", [folder], key_file=key_file, strict=True)
    redis = [m for m in mocks if m and m["kind"] == "Redis"]
    assert result.imported == len(tests) + len(redis)
    store = Corpus(corpus_dir)
    post = next(s for s in store.iter_samples() if s.target == "http:POST /books/")
    assert post.input["body"] == {"title": "1984", "author": "George Orwell"}
    assert post.output == {
        "status": 201,
        "headers": post.output["headers"],  # type: ignore[index]
        "body": {"book_id": 1, "message": "Book added successfully"},
    }
    assert post.duration_ms and 2000 < post.duration_ms < 2200
    hset = next(s for s in store.iter_samples() if s.target == "fn:redis:HSET")
    assert hset.input["args"]["args"][0].startswith("book:")
    assert "keploy-mock" in hset.tags


def test_gor_file_pairs_requests_and_responses(
    tmp_path: Path, corpus_dir: Path, key_file: Path
) -> None:
    from .planted import Planter, requests
    from .writers import write_gor

    reqs = requests(Planter(99), 5)
    plain = write_gor(reqs, tmp_path / "a.gor")
    zipped = write_gor(reqs, tmp_path / "b.gor.gz")
    result = import_paths(corpus_dir, "gor", [plain, zipped], key_file=key_file, strict=True)
    assert result.imported == 10
    for sample in Corpus(corpus_dir).iter_samples():
        assert sample.output is not None and sample.output["status"] == 200
        assert isinstance(sample.output["body"], dict)  # chunked body decoded
        assert sample.duration_ms == pytest.approx(4.0)


def test_jsonl_bad_lines_name_the_line(tmp_path: Path, corpus_dir: Path, key_file: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"target": "fn:m:f", "input": {"args": {"x": 1}}}\n'
        "\n"
        "{not json\n"
        '{"target": "fn:m:f", "input": [1]}\n'
        '{"target": "fn:m:f", "input": {"args": {"x": 2}}, "output": {"return": 3}}\n'
    )
    result = import_paths(corpus_dir, "jsonl", [path], key_file=key_file)
    assert result.imported == 2 and result.skipped == 2
    assert f"{path}:3" in result.problems[0] and f"{path}:4" in result.problems[1]
