"""Integrations: what the pytest plugin costs a suite that does not use it, and what the HTML
report's figures cost.

- pytest start-up and collection of a plain suite with the plugin loaded (it is, wherever
  realitycheck is installed) against the same run with `-p no:realitycheck`;
- rendering the HTML report with its four figures against rendering the same report as JSON.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

from benchmarks.common import Figure, best_of, workdir


def _suite(folder: Path, tests: int) -> None:
    body = "\n".join(f"def test_{i}():\n    assert {i} == {i}\n" for i in range(tests))
    (folder / "test_plain.py").write_text(body)
    (folder / "pytest.ini").write_text("[pytest]\n")


def _pytest(folder: Path, *extra: str) -> float:
    """The CPU time (user + system) of one pytest run: less swayed by a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _report(files: int, assumptions: int, targets: int) -> object:
    from realitycheck.core.report import Change, Report, StageReport, StageStatus, Verdict

    prov = {"files": [{"path": f"src/pkg/m{i}.py", "ai": [[1, 20 + i]], "human": [[40, 45]],
                       "unknown": []} for i in range(files)]}  # fmt: skip
    checked = [{"id": f"M{i}", "statement": f"`$.args.p.k{i}` is always present",
                "result": {"status": "violated" if i % 5 == 0 else "holds", "n": 1000,
                           "violations": 3 * (i % 5 == 0), "rate": 0.003 * (i % 5 == 0),
                           "ci": [0.0, 0.01]}} for i in range(assumptions)]  # fmt: skip
    spans = [[f"src/pkg/m{i}.py", [5, 9 + i]] for i in range(files)]
    replay = {
        "targets": [{"target": f"fn:pkg.m{i}:handle", "samples": 2000, "replayed": 2000,
                     "diverged": 40 * i, "unexpected": 10 * i, "rate": 0.02 * i}
                    for i in range(targets)],
        "reality_coverage": {"changed_lines": 400, "covered_by_replay": 300,
                             "covered_by_tests_only": 50, "uncovered_lines": 50,
                             "by_replay": spans, "tests_only": [[p, [12, 14]] for p, _ in spans],
                             "uncovered": [[p, [30, 33]] for p, _ in spans]},
    }  # fmt: skip
    stages = [
        StageReport(name="provenance", title="Provenance", status=StageStatus.RAN, data=prov),
        StageReport(name="assumptions", title="Assumptions", status=StageStatus.RAN,
                    data={"mined": checked}),
        StageReport(name="replay", title="Replay", status=StageStatus.RAN, data=replay),
    ]  # fmt: skip
    return Report(verdict=Verdict.FAIL, change=Change(repo=".", base="a", head="b"), stages=stages)


def run(scale: str) -> list[Figure]:
    tests, repeat = (2000, 7) if scale == "full" else (200, 3)
    folder = workdir("integrations")
    _suite(folder, tests)
    _pytest(folder)  # warm the import caches of both runs
    without, loaded = float("inf"), float("inf")
    for _ in range(repeat):  # interleaved, so a busy spell of the machine hits both
        without = min(without, _pytest(folder, "-p", "no:realitycheck"))
        loaded = min(loaded, _pytest(folder))
    figures = [
        Figure(
            name="pytest: plain suite, plugin loaded / not",
            ratio=loaded / without,
            goal="<= 1.05",
            met=loaded / without <= 1.05,
            detail=f"{tests} trivial tests, start-up and run, CPU time, best of {repeat}",
        )
    ]
    from realitycheck.report import renderer

    report = _report(files=20, assumptions=30, targets=5)
    html, json_ = renderer("html"), renderer("json")
    html(report)  # type: ignore[arg-type]  # import matplotlib once, outside the timing
    t_html = best_of(lambda: html(report), repeat)  # type: ignore[arg-type]
    t_json = best_of(lambda: json_(report), repeat * 10)  # type: ignore[arg-type]
    figures.append(
        Figure(
            name="html report (4 figures) / json report",
            ratio=t_html / t_json,
            goal="informational",
            met=None,
            detail="20 files, 30 assumptions, 5 targets; matplotlib already imported",
        )
    )
    return figures
