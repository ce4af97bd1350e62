"""Reality coverage: which changed lines real inputs executed, which only tests did, which nothing.

The head's replay workers run under coverage.py with a context per target (or per sample); the
project's tests run under coverage.py with a context per test. Changed lines are counted as
coverage.py counts statements: a line inside a multi-line statement belongs to that statement,
and lines that are not code (blank lines, comments) are left out.
"""

from __future__ import annotations

import ast
import functools
import os
import shlex
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from realitycheck.core.diff import FileDiff, FileStatus
from realitycheck.core.errors import ConfigError
from realitycheck.core.ranges import Range, to_ranges
from realitycheck.replay.interpreter import advice, project_python
from realitycheck.replay.model import FileCoverage, RealityCoverage, SuiteRun

if TYPE_CHECKING:
    from coverage import Coverage

PLUGIN = "_realitycheck_contexts"
PYTEST_BROKEN = {2: "interrupted", 3: "internal error", 4: "usage error"}
IMPORT_CONTEXT = "(collection)"
Lines = dict[str, set[int]]
TestLines = dict[str, dict[int, set[str]]]
# "ai" (written in an AI commit), "unknown" (new in the change, origin unknown) or "independent"
Origin = Callable[[str, int], str]


def is_test_file(path: str) -> bool:
    """Whether a repository path is test code rather than the code under test."""
    p = PurePosixPath(path)
    if p.name == "conftest.py" or p.name.startswith("test_") or p.stem.endswith("_test"):
        return True
    return any(part in ("tests", "test", "testing") for part in p.parts[:-1])


def pytest_command(command: str, python: str) -> list[str]:
    """The pytest arguments of a configured test command, run under coverage.py."""
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(
            f"cannot parse test_command: {exc}", place="replay.test_command"
        ) from None
    if words and PurePosixPath(words[0]).name in ("pytest", "py.test"):
        interpreter, args = python, words[1:]
    elif len(words) >= 3 and words[1:3] == ["-m", "pytest"]:
        first = words[0]
        interpreter = python if first in ("python", "python3", "{python}") else first
        args = words[3:]
    else:
        raise ConfigError(
            f"test_command {command!r} does not run pytest",
            place="replay.test_command",
            hint="write it as 'python -m pytest ARGS' or 'pytest ARGS'",
        )
    return [interpreter, "-m", "coverage", "run", "-m", "pytest", *args]


@dataclass
class TestRunOutput:
    """What running the tests under coverage gave: the run, and lines per test per file."""

    run: SuiteRun
    lines: TestLines = field(default_factory=dict)


def run_tests(
    command: str,
    tree: Path,
    roots: Iterable[str],
    scratch: Path,
    *,
    timeout: float,
    environ: Mapping[str, str],
    python: str | None = None,
    repo: Path | None = None,
) -> TestRunOutput:
    """Run the project's tests in `tree` under coverage.py, one context per test.

    `python` (the command's `python`) is the repository's own virtualenv when it has one,
    else realitycheck's interpreter.
    """
    python = python or project_python(repo) or sys.executable
    argv = pytest_command(command, python)
    plugin_dir = scratch / "plugin"
    plugin_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(__file__).with_name("pytest_contexts.py"), plugin_dir / f"{PLUGIN}.py")
    rcfile = scratch / "coveragerc"
    rcfile.write_text(f"[run]\ninclude =\n    {tree}{os.sep}*\n", encoding="utf-8")
    data_file = scratch / "tests.coverage"
    cov_args = ["--rcfile", str(rcfile), "--data-file", str(data_file)]
    at = argv.index("run") + 1
    argv = [*argv[:at], *cov_args, *argv[at:]]
    argv += ["-p", PLUGIN, "-p", "no:cacheprovider"]
    paths = [str(plugin_dir), *(str((tree / r).resolve()) for r in roots)]
    if environ.get("PYTHONPATH"):
        paths.append(environ["PYTHONPATH"])
    env = {**environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}
    run = SuiteRun(command=argv)
    try:
        proc = subprocess.run(
            argv, cwd=tree, env=env, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        run.note = f"the tests ran past {timeout:.0f} s and were stopped"
        return TestRunOutput(run)
    except OSError as exc:
        run.note = f"the tests could not start: {exc}"
        return TestRunOutput(run)
    run.exit_code = proc.returncode
    output = (proc.stderr + proc.stdout).decode("utf-8", "replace")
    tail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()
    last = f": {tail[-1][:300]}" if tail else ""
    if proc.returncode in PYTEST_BROKEN:
        run.note = (
            f"pytest exited with code {proc.returncode} ({PYTEST_BROKEN[proc.returncode]}){last}"
            f"; {advice(argv[0], output)}"
        )
        return TestRunOutput(run)
    if not data_file.exists():
        run.note = f"the tests wrote no coverage data{last}; {advice(argv[0], output)}"
        return TestRunOutput(run)
    run.ran = True
    if proc.returncode not in (0, 5):
        run.note = f"the tests exited with code {proc.returncode}; their coverage is still used"
    lines = read_test_lines(data_file, tree)
    names = {n for per_line in lines.values() for found in per_line.values() for n in found}
    run.tests = len(names - {IMPORT_CONTEXT})
    return TestRunOutput(run, lines)


def read_test_lines(data_file: Path, tree: Path) -> TestLines:
    """Executed lines per tree-relative file, each with the tests (contexts) that ran it."""
    from coverage import CoverageData

    data = CoverageData(basename=str(data_file))
    data.read()
    prefix = f"{tree.resolve()}{os.sep}"
    out: TestLines = {}
    for path in data.measured_files():
        if not path.startswith(prefix):
            continue
        rel = PurePosixPath(Path(path[len(prefix) :]).as_posix()).as_posix()
        per_line: dict[int, set[str]] = {}
        for line, contexts in data.contexts_by_lineno(path).items():
            per_line[line] = {c or IMPORT_CONTEXT for c in contexts}
        out[rel] = per_line
    return out


def test_origins(tree: Path, tests: Iterable[str], origin_of: Origin | None) -> dict[str, str]:
    """The origin of each test (by node id): ai, unknown or independent."""
    out: dict[str, str] = {}
    defs: dict[str, dict[tuple[str, ...], int]] = {}
    for node in tests:
        if node == IMPORT_CONTEXT or origin_of is None:
            out[node] = "independent" if node == IMPORT_CONTEXT else "unknown"
            continue
        path, _, rest = node.partition("::")
        names = tuple(part.split("[", 1)[0] for part in rest.split("::") if part)
        if path not in defs:
            defs[path] = _definitions(tree / path)
        line = defs[path].get(names)
        out[node] = origin_of(path, line) if line is not None else "unknown"
    return out


def _definitions(path: Path) -> dict[tuple[str, ...], int]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return {}
    out: dict[tuple[str, ...], int] = {}

    def walk(body: list[ast.stmt], prefix: tuple[str, ...]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                key = (*prefix, node.name)
                out[key] = node.lineno
            elif isinstance(node, ast.ClassDef):
                walk(node.body, (*prefix, node.name))

    walk(tree.body, ())
    return out


@functools.lru_cache(maxsize=1)
def _coverage() -> Coverage:
    from coverage import Coverage

    return Coverage(data_file=None, config_file=False)


@functools.lru_cache(maxsize=256)
def _reporter(path: Path) -> object | None:
    from coverage.python import PythonFileReporter

    try:
        reporter = PythonFileReporter(str(path), coverage=_coverage())
        reporter.lines()
    except Exception:  # not Python coverage.py can parse: the file is left out
        return None
    return reporter


def statement_map(path: Path, lines: Iterable[int]) -> dict[int, int]:
    """Each given line that is code, mapped to the first line of its statement."""
    reporter = _reporter(path)
    if reporter is None:
        return {}
    statements: set[int] = reporter.lines()  # type: ignore[attr-defined]
    out: dict[int, int] = {}
    for line in lines:
        first = reporter.translate_lines([line])  # type: ignore[attr-defined]
        stmt = min(first) if first else line
        if stmt in statements:
            out[line] = stmt
    return out


def analyse(
    tree: Path,
    diffs: Iterable[FileDiff],
    replay: Lines,
    tests: TestLines | None,
    origins: Mapping[str, str],
    *,
    origins_known: bool,
) -> RealityCoverage:
    """Sort each changed line of code into executed by replay, by tests only, or by nothing."""
    result = RealityCoverage()
    for fd in diffs:
        if fd.status is FileStatus.DELETED or fd.binary or not fd.path.endswith(".py"):
            continue
        if is_test_file(fd.path) or not (tree / fd.path).is_file():
            continue
        changed = statement_map(tree / fd.path, fd.added_lines)
        if not changed:
            continue
        stmts = _statements_of(tree / fd.path, replay.get(fd.path, set()))
        by_test: dict[int, set[str]] = defaultdict(set)
        for line, names in (tests or {}).get(fd.path, {}).items():
            for stmt in _statements_of(tree / fd.path, {line}):
                by_test[stmt] |= names
        buckets: dict[str, list[int]] = defaultdict(list)
        tests_by_line: dict[int, list[str]] = {}
        for line, stmt in sorted(changed.items()):
            if stmt in stmts:
                buckets["replay"].append(line)
                if tests is not None and stmt not in by_test:
                    buckets["replay_only"].append(line)
            elif stmt in by_test:
                ran = sorted(by_test[stmt])
                tests_by_line[line] = ran[:10]
                buckets["tests"].append(line)
                if origins_known and all(origins.get(n) in ("ai", "unknown") for n in ran):
                    buckets["ai"].append(line)
            else:
                buckets["none"].append(line)
        result.files.append(
            FileCoverage(
                path=fd.path,
                changed=len(changed),
                by_replay=to_ranges(buckets["replay"]),
                replay_only=to_ranges(buckets["replay_only"]),
                tests_only=to_ranges(buckets["tests"]),
                ai_tests_only=to_ranges(buckets["ai"]),
                uncovered=to_ranges(buckets["none"]),
                tests_by_line=tests_by_line,
            )
        )
        result.changed_lines += len(changed)
        result.covered_by_replay += len(buckets["replay"])
        result.covered_by_replay_only += len(buckets["replay_only"])
        result.covered_by_tests_only += len(buckets["tests"])
        result.covered_only_by_ai_tests += len(buckets["ai"])
        result.uncovered_lines += len(buckets["none"])
    return result


def _statements_of(path: Path, lines: Iterable[int]) -> set[int]:
    return set(statement_map(path, [n for n in lines if n > 0]).values())


def lines_of(coverage: Mapping[str, Mapping[str, list[int]]], contexts: Iterable[str]) -> Lines:
    """Executed lines per file, over some coverage contexts."""
    out: Lines = defaultdict(set)
    for context in contexts:
        for path, lines in coverage.get(context, {}).items():
            out[path].update(lines)
    return dict(out)


def reached(
    tree: Path, changed: Mapping[str, Iterable[int]], executed: Lines
) -> dict[str, list[Range]]:
    """The changed lines of code that the executed lines cover, per file."""
    out: dict[str, list[Range]] = {}
    for path, lines in changed.items():
        stmts = statement_map(tree / path, lines)
        hit = _statements_of(tree / path, executed.get(path, set()))
        ranges = to_ranges(line for line, stmt in stmts.items() if stmt in hit)
        if ranges:
            out[path] = ranges
    return out
