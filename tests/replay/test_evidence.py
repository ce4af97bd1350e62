"""What a replay claims, and where it says it: problems grouped by cause, every divergence in every
report format, coverage measured in the services replay starts (or said to be not measured).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from realitycheck.cli.main import main
from realitycheck.replay.evidence import signals
from realitycheck.replay.model import RealityCoverage, ReplayResult

from .conftest import Change, write_samples

APP = """
import http.server, json, sys, urllib.parse

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query)){forgets}
        data = json.dumps({{"route": url.path, "params": params}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""
KEYS = ["q", "page", "sort", "lang"]


def service_change(change_factory: Any, command: str, extra: str = "") -> Change:
    config = (
        '[policy]\nstages = ["replay"]\nrequired = []\n'
        '[replay]\ntest_command = ""\nnoise = false\n'
        f'[[replay.services]]\nname = "search"\ncommand = {command}\nready_path = "/"\n{extra}'
    )
    change = change_factory(
        {"app.py": APP.format(forgets="")},
        {"app.py": APP.format(forgets="\n        params = {}  # the head forgot the query")},
        config=config,
    )
    requests = [
        {"method": "GET", "path": "/search", "query": {KEYS[i % 4]: f"v{i}"}, "headers": {}}
        for i in range(12)
    ]
    write_samples(change.corpus_dir, "http:GET /search", requests)
    return change


def verify(change: Change, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    formats = [
        f"{fmt}:{tmp_path / ('out.' + fmt)}" for fmt in ("sarif", "junit", "markdown", "html")
    ]
    args = ["verify", "--repo", str(change.root), "--base", "main", "--format", "json"]
    for value in formats:
        args += ["--format", value]
    code = main(args)
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    doc["exit"] = code
    return doc


def test_one_cause_is_one_problem_in_every_format(
    change_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change = service_change(change_factory, '"{python} app.py {port}"')
    doc = verify(change, tmp_path, capsys)
    assert doc["exit"] == 1 and doc["verdict"] == "fail"
    # four query keys lost, one cause: one headline naming every path
    [reason] = doc["reasons"]
    assert "missing under $.body.params (4 paths) in 12 of 12 samples" in reason["message"]
    for key in KEYS:
        assert f"$.body.params.{key}" in reason["message"]
    # the head service ran under coverage: the changed line real requests executed is located
    replay = doc["replay"]
    [target] = replay["targets"]
    # (a line only a request runs: the service was measured while it served, not only at import)
    assert target["reached"] == {"app.py": [[8, 8]]}
    coverage = replay["reality_coverage"]
    assert coverage["unmeasured"] == [] and coverage["covered_by_replay"] == 1
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    results = sarif["runs"][0]["results"]
    located = [r for r in results if r["ruleId"] == "replay/divergence"]
    assert located and "http:GET /search" in located[0]["message"]["text"]
    location = located[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app.py"
    junit = ET.parse(tmp_path / "out.junit").getroot()
    case = next(c for c in junit.iter("testcase") if c.get("name") == "replay http:GET /search")
    assert case.find("failure") is not None
    for fmt in ("markdown", "html"):
        assert "missing under $.body.params (4 paths)" in (tmp_path / f"out.{fmt}").read_text()


@pytest.mark.parametrize(
    ("command", "extra", "why"),
    [
        ('["/bin/sh", "-c", "exec {python} app.py {port}"]', "", "does not run Python"),
        ('"{python} app.py {port}"', "measure = false\n", "has measure = false"),
    ],
    ids=["not python", "measure off"],
)
def test_an_unmeasured_service_is_said_so_and_not_called_uncovered(
    change_factory: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    extra: str,
    why: str,
) -> None:
    change = service_change(change_factory, command, extra)
    doc = verify(change, tmp_path, capsys)
    assert why in (tmp_path / "out.markdown").read_text()
    coverage = doc["replay"]["reality_coverage"]
    assert coverage["unmeasured"] == ["search"]
    assert coverage["uncovered_lines"] == 0 and coverage["not_measured_lines"] == 1
    assert "not measured" in (tmp_path / "out.markdown").read_text()
    # the risk summary is not told that real inputs missed lines nobody measured
    cov = RealityCoverage.model_validate(
        {k: v for k, v in coverage.items() if k in RealityCoverage.model_fields}
    )
    result = ReplayResult(base=None, head="h", reality_coverage=cov)
    assert cov.changed_lines == 1 and signals(result, []) == []
    # the divergence still reaches SARIF, placed on the changed lines
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    texts = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert any("was not measured" in t and "http:GET /search" in t for t in texts)


def test_a_target_without_samples_is_a_junit_error_not_a_pass(
    change_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        '[policy]\nstages = ["replay"]\nrequired = []\n[replay]\ncoverage = false\n'
        '[[replay.functions]]\ntarget = "m:f"\n'
    )
    change = change_factory(
        {"m.py": "def f(x):\n    return x\n"}, {"m.py": "def f(x):\n    return -x\n"}, config=config
    )
    write_samples(change.corpus_dir, "fn:other:g", [{"args": {"x": 1}}])
    out = tmp_path / "out.xml"
    args = ["verify", "--repo", str(change.root), "--base", "main", "--format", f"junit:{out}"]
    assert main(args) == 1
    capsys.readouterr()
    junit = ET.parse(out).getroot()
    case = next(c for c in junit.iter("testcase") if c.get("name") == "replay fn:m:f")
    error = case.find("error")
    assert error is not None and "no recorded samples" in (error.get("message") or "")
    assert junit.get("errors") == "1"


def test_siblings_of_one_category_are_one_cause_and_top_level_paths_are_not() -> None:
    from realitycheck.replay.compare import Found
    from realitycheck.replay.noise import Thresholds
    from realitycheck.replay.problems import problems
    from realitycheck.replay.tally import Tally

    tally = Tally("http:GET /search", "http", "json")
    for i in range(10):
        found = [Found(f"$.body.params.{KEYS[i % 4]}", "missing")]
        found += [Found("$.status", "value-changed"), Found("$.body", "type-changed")] * (i == 0)
        tally.add(f"s{i}", found, (), "{}", "{}")
    result = tally.result(Thresholds(20.0, 0.03))
    assert result.causes == {"missing under $.body.params": 10}
    headlines = [p.headline() for p in problems([(result, d) for d in result.reported])]
    assert len(headlines) == 3  # the lost query keys, the status, the body's type
    assert "missing under $.body.params (4 paths) in 10 of 10 samples" in headlines[0]
