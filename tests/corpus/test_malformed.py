"""Malformed input: exit 2, one line naming the file and the place, nothing written.

Each case is a file shaped like what the real tool writes, with one thing wrong. A file whose
structure is wrong (`entries` not a list, an empty cassette) is refused with or without
`--strict`; an entry that breaks its format's schema fails `--strict` (and is skipped and
counted without it). In every failing case the corpus holds no sample and no staging folder.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

from realitycheck.cli.main import main
from realitycheck.corpus.store import Corpus

from .planted import Planter, requests
from .writers import gor_payloads, write_har, write_keploy, write_vcr

Capsys = pytest.CaptureFixture[str]


def _har(tmp_path: Path, mutate: object) -> Path:
    path = write_har(requests(Planter(7), 2), tmp_path / "traffic.har")
    doc = json.loads(path.read_text())
    mutate(doc)  # type: ignore[operator]
    path.write_text(json.dumps(doc))
    return path


def _vcr(tmp_path: Path, mutate: object) -> Path:
    path = write_vcr(requests(Planter(7), 2), tmp_path / "cassette.yaml")
    doc = yaml.safe_load(path.read_text())
    mutate(doc)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(doc))
    return path


def _gor(tmp_path: Path, old: bytes, new: bytes) -> Path:
    data = gor_payloads(requests(Planter(7), 2))
    assert old in data
    path = tmp_path / "requests_0.gor"
    path.write_bytes(data.replace(old, new, 1))
    return path


def _set(*keys: object, value: object) -> object:
    def mutate(doc: dict[str, object]) -> None:
        node: object = doc
        for key in keys[:-1]:
            node = node[key]  # type: ignore[index]
        node[keys[-1]] = value  # type: ignore[index]

    return mutate


CHUNKED_OK = b"Transfer-Encoding: chunked\r\n\r\n"

# (name, format, make(tmp_path) -> path, what the one line says, refused without --strict)
CASES = [
    (
        "har-entries-not-list",
        "har",
        lambda t: _har(t, _set("log", "entries", value={"a": 1})),
        "traffic.har (log.entries): log.entries is an object, not a list",
        True,
    ),
    (
        "har-log-a-string",
        "har",
        lambda t: _har(t, _set("log", value="x")),
        "traffic.har (log): log is a string, not an object",
        True,
    ),
    (
        "har-numeric-method",
        "har",
        lambda t: _har(t, _set("log", "entries", 0, "request", "method", value=5)),
        "traffic.har (entry 0): not a HAR 1.2 entry: request.method: 5 is not of type 'string'",
        False,
    ),
    (
        "har-headers-not-list",
        "har",
        lambda t: _har(t, _set("log", "entries", 1, "request", "headers", value={"a": "b"})),
        "traffic.har (entry 1): not a HAR 1.2 entry: "
        "request.headers: {'a': 'b'} is not of type 'array'",
        False,
    ),
    (
        "vcr-interactions-not-list",
        "vcr",
        lambda t: _vcr(t, _set("interactions", value={"a": 1})),
        "cassette.yaml:2 (interactions): interactions is a mapping, not a list",
        True,
    ),
    (
        "vcr-uri-a-list",
        "vcr",
        lambda t: _vcr(t, _set("interactions", 0, "request", "uri", value=["a", "b"])),
        "cassette.yaml (entry 0): not a VCR interaction: "
        "request.uri: ['a', 'b'] is not of type 'string'",
        False,
    ),
    (
        "gor-bad-request-line",
        "gor",
        lambda t: _gor(t, b"POST /submit/1000", b"POST"),
        "requests_0.gor (entry 0): not a GoReplay payload: ",
        False,
    ),
    (
        "gor-bad-chunked",
        "gor",
        lambda t: _gor(t, CHUNKED_OK + b"", CHUNKED_OK + b"zz\r\n"),
        "requests_0.gor (entry 0): not an HTTP exchange: ",
        False,
    ),
    (
        "gor-content-length-too-long",
        "gor",
        lambda t: _gor(t, b"Content-Length: ", b"Content-Length: 9"),
        "requests_0.gor (entry 0): not a GoReplay payload: the message ends before its body does",
        False,
    ),
]


def _keploy_headers_list(tmp_path: Path) -> Path:
    folder = write_keploy(requests(Planter(7), 2), tmp_path / "keploy")
    case = folder / "test-set-0" / "tests" / "test-1.yaml"
    doc = yaml.safe_load(case.read_text())
    doc["spec"]["req"]["header"] = [["Accept", "*/*"]]
    case.write_text(yaml.safe_dump(doc))
    return folder


CASES.append(
    (
        "keploy-headers-a-list",
        "keploy",
        _keploy_headers_list,
        "test-1.yaml (entry 0): not a Keploy Http document: "
        "spec.req.header: [['Accept', '*/*']] is not of type 'object', 'null'",
        False,
    )
)


def _empty_cassette(tmp_path: Path) -> Path:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    return path


CASES.append(
    (
        "vcr-empty-file",
        "vcr",
        _empty_cassette,
        "empty.yaml: an empty cassette: no interactions",
        True,
    )
)


def _run(capsys: Capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    _, err = capsys.readouterr()
    return code, err


def assert_nothing_written(corpus_dir: Path) -> None:
    if corpus_dir.exists():
        assert Corpus(corpus_dir).count() == 0
        leftovers = (
            [p.name for p in (corpus_dir / "segments").iterdir()]
            if (corpus_dir / "segments").exists()
            else []
        )
        assert leftovers == []


@pytest.mark.parametrize(
    ("name", "fmt", "make", "says", "always"), CASES, ids=[c[0] for c in CASES]
)
def test_malformed_input_is_refused_in_one_line(
    name: str,
    fmt: str,
    make: object,
    says: str,
    always: bool,
    tmp_path: Path,
    corpus_dir: Path,
    key_file: Path,
    capsys: Capsys,
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    base = [
        "corpus",
        "import",
        "--format",
        fmt,
        str(path),
        "--corpus",
        str(corpus_dir),
        "--key-file",
        str(key_file),
    ]
    code, err = _run(capsys, *base, "--strict")
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert says in err, err
    assert_nothing_written(corpus_dir)
    if always:  # the file's structure is wrong: refused without --strict too
        code, err = _run(capsys, *base)
        assert code == 2 and err.count("\n") == 1 and says in err, err
        assert_nothing_written(corpus_dir)


def test_truncated_json_cassette_is_one_line(
    tmp_path: Path, corpus_dir: Path, key_file: Path, capsys: Capsys
) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"interactions": [{"request": {"method": "GET", "uri": "http://x/a"')
    code, err = _run(
        capsys,
        "corpus",
        "import",
        "--format",
        "vcr",
        str(path),
        "--corpus",
        str(corpus_dir),
        "--key-file",
        str(key_file),
        "--strict",
    )
    assert code == 2 and err.count("\n") == 1, err
    assert "cut.json (entry 0): not a cassette: the file ends early (truncated JSON)" in err
    assert_nothing_written(corpus_dir)


def test_invalid_user_regex_is_one_line(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """RE2 logs its own complaint to standard error (a C++ log line) unless told not to."""
    (tmp_path / "realitycheck.toml").write_text(
        textwrap.dedent("""
        [corpus.redaction]
        patterns = [{ name = "ticket", regex = "TK-(\\\\d{1,5000})" }]
    """)
    )
    code = main(["corpus", "stats", "--repo", str(tmp_path)])
    _, err = capfd.readouterr()
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert "not a valid re2 expression: invalid repetition size: {1,5000}" in err.lower()


def test_usage_errors_are_one_line(capsys: Capsys) -> None:
    code, err = _run(capsys, "corpus", "import", "--formatt", "har", "x.har")
    assert code == 2 and err.count("\n") == 1, err
    assert "No such option '--formatt'" in err and "realitycheck corpus import --help" in err
    code, err = _run(capsys, "corpus", "import", "--formatt", "har", "x.har", "--debug")
    assert code == 2 and "Usage:" in err  # --debug shows the rest


def test_unwritable_key_file_names_the_path_given(
    tmp_path: Path, corpus_dir: Path, capsys: Capsys
) -> None:
    """A key file where nobody may create one (/proc refuses even root) is named as given."""
    if not Path("/proc/self").is_dir():
        pytest.skip("needs /proc (Linux), where no one can create a file")
    har = write_har(requests(Planter(7), 1), tmp_path / "t.har")
    key = Path("/proc/self/redaction.key")
    code, err = _run(
        capsys,
        "corpus",
        "import",
        "--format",
        "har",
        str(har),
        "--corpus",
        str(corpus_dir),
        "--key-file",
        str(key),
    )
    assert code == 2 and err.count("\n") == 1, err
    assert f"{key}: cannot create the redaction key" in err
    assert ".redaction.key." not in err  # not the temporary file's name
    assert_nothing_written(corpus_dir)
