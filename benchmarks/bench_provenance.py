"""Provenance over a generated history, against bare `git log` plus `git blame` of the same range.

The repository (5,000 commits at full scale, 300 quick) is written once with `git fast-import`
and cached under benchmarks/.work: a mix of Claude Code, Cursor, Copilot, Aider, Assisted-by and
Entire markers, human commits, unmarked commits, and Git AI notes on a fifth of the commits,
with diffs of a few to a few dozen lines in one to three files, and now and then a new file.

The reference is what any attribution needs at least: one `git log --format=%H%x00%B` of the
range and one `git blame --porcelain base..head` per changed file, one after another. It is
timed in the same run as `realitycheck provenance` (the command, in its own process).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import Figure, best_of, workdir

SIZES = {"full": 5_000, "quick": 300}
GOAL = 2.0
FORMAT_VERSION = 1  # bump when the generated history changes
HUMAN = ("Example Maintainer", "maintainer@example.com")
MARKERS: list[tuple[str, float]] = [
    ("claude", 0.25),
    ("cursor", 0.08),
    ("copilot", 0.05),
    ("aider", 0.05),
    ("assisted", 0.04),
    ("entire", 0.03),
    ("note", 0.20),
    ("human", 0.20),
    ("unmarked", 0.10),
]


def _line(rng: random.Random, k: int, i: int) -> str:
    return rng.choice(
        [
            f"    value_{k}_{i} = compute(value_{i}, {rng.randint(0, 99)})",
            f"    if item_{i} is None:",
            f"        return handle_{k}(item_{i})",
            f"def step_{k}_{i}(payload: dict) -> int:",
            f"    # step {k}.{i}: keep the original order",
            "",
        ]
    )


def _note(session: str, changes: dict[str, list[int]], sha_mark: int) -> str:
    out: list[str] = []
    for path, lines in changes.items():
        if not lines:
            continue
        spans: list[list[int]] = []
        for n in sorted(lines):
            if spans and n == spans[-1][1] + 1:
                spans[-1][1] = n
            else:
                spans.append([n, n])
        out.append(path)
        text = ",".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)
        out.append(f"  {session}::t_{sha_mark:014x} {text}")
    meta = {
        "schema_version": "authorship/3.0.0",
        "git_ai_version": "1.4.5",
        "base_commit_sha": "",
        "prompts": {},
        "sessions": {session: {"agent_id": {"tool": "claude", "id": "c", "model": "claude-opus"}}},
    }
    return "\n".join(out) + "\n---\n" + json.dumps(meta) + "\n"


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def generate(root: Path, commits: int, seed: int = 7) -> tuple[str, str]:
    """Write the history with fast-import; returns (base, head): the first and last commits."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    files: dict[str, list[str]] = {
        f"src/pkg{n % 12}/module_{n}.py": [_line(rng, 0, i) for i in range(rng.randint(40, 300))]
        for n in range(150)
    }
    stream = bytearray()
    notes: list[tuple[int, str]] = []
    clock = 1_700_000_000
    for k in range(commits):
        clock += rng.randint(60, 7200)
        changes: dict[str, list[int]] = {}
        if k == 0:
            changes = {p: list(range(1, len(v) + 1)) for p, v in files.items()}
        else:
            for path in rng.sample(sorted(files), rng.choice([1, 1, 1, 2, 2, 3])):
                lines = files[path]
                for _ in range(rng.randint(1, 3)):
                    size = min(80, max(1, int(rng.lognormvariate(1.6, 0.9))))
                    at = rng.randint(0, len(lines))
                    new = [_line(rng, k, i) for i in range(size)]
                    if rng.random() < 0.5 and lines:
                        lines[at : at + size] = new
                    else:
                        lines[at:at] = new
                    if rng.random() < 0.15 and len(lines) > 30:
                        cut = rng.randint(0, len(lines) - 5)
                        del lines[cut : cut + rng.randint(1, 5)]
                changes[path] = []  # positions are recomputed below
            if rng.random() < 0.03:
                path = f"src/new/feature_{k}.py"
                files[path] = [_line(rng, k, i) for i in range(rng.randint(50, 250))]
                changes[path] = []
        kind = rng.choices([m for m, _ in MARKERS], [w for _, w in MARKERS])[0]
        author, message = HUMAN, f"Change {k}: adjust the pipeline step\n\nWhy: keep order."
        if kind == "claude":
            message += "\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)"
            message += "\n\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>"
        elif kind == "cursor":
            message += "\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>"
        elif kind == "copilot":
            author = ("Copilot", "198982749+Copilot@users.noreply.github.com")
        elif kind == "aider":
            author = ("Example Maintainer (aider)", "maintainer@example.com")
        elif kind == "assisted":
            message += "\n\nAssisted-by: Claude:claude-opus-4-6"
        elif kind == "entire":
            message += f"\n\nEntire-Checkpoint: {rng.getrandbits(48):012x}"
        elif kind == "unmarked":
            author = ("Contributor", "contributor@example.org")
        mark = k + 1
        stream += f"commit refs/heads/main\nmark :{mark}\n".encode()
        stream += f"author {author[0]} <{author[1]}> {clock} +0000\n".encode()
        stream += f"committer {author[0]} <{author[1]}> {clock} +0000\n".encode()
        stream += _data(message)
        if k:
            stream += f"from :{mark - 1}\n".encode()
        for path in changes:
            body = "".join(line + "\n" for line in files[path])
            stream += f"M 100644 inline {path}\n".encode() + _data(body)
        if kind == "note":
            owned = {p: _owned(files[p], k) for p in changes}
            notes.append((mark, _note(f"s_{k:014x}", owned, mark)))
    stream += f"commit refs/notes/ai\ncommitter {HUMAN[0]} <{HUMAN[1]}> {clock} +0000\n".encode()
    stream += _data("Notes added by the benchmark")
    for mark, text in notes:
        stream += f"N inline :{mark}\n".encode() + _data(text)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    out = subprocess.run(
        ["git", "rev-list", "--reverse", "main"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return out[0], out[-1]


def _owned(lines: list[str], k: int) -> list[int]:
    """Lines of a file this commit wrote (they carry its number)."""
    tag = f"_{k}_"
    return [n for n, text in enumerate(lines, start=1) if tag in text or f"step {k}." in text]


def repository(scale: str) -> tuple[Path, str, str]:
    """The cached repository for a scale, generated on first use."""
    root = workdir("provenance") / f"{scale}-v{FORMAT_VERSION}"
    done = root / ".complete"
    if done.is_file():
        base, head = done.read_text().split()
        return root / "repo", base, head
    if root.exists():
        subprocess.run(["rm", "-rf", str(root)], check=True)
    with tempfile.TemporaryDirectory(dir=workdir("provenance")) as tmp:
        base, head = generate(Path(tmp) / "repo", SIZES[scale])
        root.mkdir(parents=True)
        (Path(tmp) / "repo").rename(root / "repo")
    done.write_text(f"{base} {head}\n")
    return root / "repo", base, head


def reference(repo: Path, base: str, head: str, files: list[str]) -> None:
    """Bare git: the messages of the range, and a porcelain blame of every changed file."""
    subprocess.run(
        ["git", "log", "--format=%H%x00%B", f"{base}..{head}"],
        cwd=repo,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for path in files:
        subprocess.run(
            ["git", "blame", "--porcelain", f"{base}..{head}", "--", path],
            cwd=repo,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def command(repo: Path, base: str, head: str) -> None:
    """`realitycheck provenance` as a user runs it, in its own process."""
    args = ["provenance", "--repo", str(repo), "--base", base, "--head", head, "--format", "json"]
    subprocess.run(
        [sys.executable, "-m", "realitycheck", *args], check=True, stdout=subprocess.DEVNULL
    )


def run(scale: str) -> list[Figure]:
    """Time provenance and the reference side by side; the ratio is the figure."""
    repo, base, head = repository(scale)
    files = subprocess.run(
        ["git", "diff", "--name-only", base, head], cwd=repo, capture_output=True, text=True
    ).stdout.split()
    repeat = 3 if scale == "full" else 2
    ref = best_of(lambda: reference(repo, base, head, files), repeat)
    ours = best_of(lambda: command(repo, base, head), repeat)

    from realitycheck.core.config.provenance import ProvenanceConfig
    from realitycheck.core.git import Git
    from realitycheck.provenance import blame
    from realitycheck.provenance.analyze import analyze_range

    blame.WORKERS = 1
    try:
        single = best_of(lambda: analyze_range(Git(repo), base, head, ProvenanceConfig()), repeat)
        result = analyze_range(Git(repo), base, head, ProvenanceConfig())
    finally:
        blame.WORKERS = None
    detail = (
        f"{len(result.commits)} commits, {len(files)} files, {result.changed_lines} changed "
        f"lines ({result.ai_line_share:.0%} AI); reference {ref:.2f}s"
    )
    return [
        Figure(
            name="provenance (command) / git log + blame",
            ratio=ours / ref,
            goal=f"<= {GOAL}x",
            met=ours / ref <= GOAL,
            detail=f"{ours:.2f}s; {detail}",
            extra={"seconds": ours, "reference_seconds": ref},
        ),
        Figure(
            name="provenance (library, 1 blame at a time) / ref",
            ratio=single / ref,
            goal=f"<= {GOAL}x",
            met=single / ref <= GOAL,
            detail=f"{single:.2f}s in-process, blames one after another",
            extra={"seconds": single, "reference_seconds": ref},
        ),
    ]
