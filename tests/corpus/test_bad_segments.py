"""One bad segment never takes the corpus down; `corpus doctor` lists and repairs what it can.

Bad segments are made the ways they happen: a write cut short (truncated), a file that is not
Parquet (garbage), someone else's Parquet file (wrong schema), a segment from a newer
realitycheck, and damaged pages behind an intact footer. Staging leftovers come from a real
import killed with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from realitycheck.assumptions.checks.plan import Check
from realitycheck.assumptions.checks.run import CheckRunner
from realitycheck.assumptions.jsonpath import JsonPath
from realitycheck.cli.main import main
from realitycheck.corpus import doctor
from realitycheck.corpus.model import Sample, input_hash
from realitycheck.corpus.segments import QUARANTINE_DIR, segment_problem
from realitycheck.corpus.store import SCHEMA, Corpus

Capsys = pytest.CaptureFixture[str]
T = "fn:shop.orders:total"


def _samples(start: int, n: int) -> list[Sample]:
    return [
        Sample(
            id=f"s{i:05d}",
            input_hash=input_hash(T, {"args": {"n": i}}),
            target=T,
            kind="function",
            input={"args": {"n": i}},
            output={"return": i * 2},
        )
        for i in range(start, start + n)
    ]


def _corpus(folder: Path) -> tuple[Corpus, list[Path]]:
    corpus = Corpus(folder, create=True)
    paths = [corpus.write(_samples(10 * k, 10)) for k in range(4)]
    return corpus, [p for p in paths if p is not None]


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def _wrong_schema(path: Path) -> None:
    pq.write_table(pa.table({"id": [1, 2], "target": ["a", "b"]}), path)


def _newer(path: Path) -> None:
    table = pq.read_table(path)
    meta = {b"realitycheck.format_version": b"99"}
    pq.write_table(table.replace_schema_metadata(meta), path)


BREAKS = {
    "truncated": (_truncate, "truncated (no Parquet footer at the end)"),
    "garbage": (_garbage, "not a Parquet file (no PAR1 at the start)"),
    "wrong-schema": (_wrong_schema, "not a corpus segment"),
    "newer-version": (_newer, "segment format 99 is newer than this realitycheck reads"),
}


def _run(capsys: Capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("how", sorted(BREAKS))
def test_a_bad_segment_is_named_quarantined_and_the_rest_stays_readable(
    how: str, corpus_dir: Path, capsys: Capsys
) -> None:
    _, paths = _corpus(corpus_dir)
    damage, says = BREAKS[how]
    damage(paths[1])
    code, out, err = _run(capsys, "corpus", "stats", "--corpus", str(corpus_dir), "-f", "json")
    assert code == 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and paths[1].name in lines[0] and says in lines[0], err
    stats = json.loads(out)
    assert stats["samples"] == 30 and stats["segments"] == 3
    assert stats["quarantined_segments"] == 1
    assert (corpus_dir / QUARANTINE_DIR / paths[1].name).exists()
    assert not paths[1].exists()
    for args in (["ls"], ["profile", "--target", T]):
        code, out, err = _run(capsys, "corpus", *args, "--corpus", str(corpus_dir))
        assert code == 0 and err == "", err  # named once, when it was found
    check = Check("A1", T, {"type": "integer"}, JsonPath.parse("$.args.n"))
    result = CheckRunner(Corpus(corpus_dir)).run([check])["A1"]
    assert result.status == "holds" and result.n == 30


def test_a_corpus_that_cannot_be_written_reads_around_a_bad_segment(corpus_dir: Path) -> None:
    _, paths = _corpus(corpus_dir)
    _garbage(paths[2])
    (corpus_dir / QUARANTINE_DIR).write_text("not a folder")  # so nothing can be moved there
    corpus = Corpus(corpus_dir)
    assert corpus.count() == 30
    assert len(corpus.problems) == 1 and "left in place" in corpus.problems[0]
    assert paths[2].exists()


def test_doctor_lists_then_repairs_quarantine_staging_and_orphan_blobs(
    corpus_dir: Path, capsys: Capsys
) -> None:
    corpus, paths = _corpus(corpus_dir)
    _newer(paths[0])
    corpus.segment_paths()  # quarantined
    orphan = corpus.blobs.put(b"nobody refers to me")["$blob"].split(":")[1]
    orphan_path = corpus.blobs.path(orphan)
    old = time.time() - 2 * doctor.GRACE_SECONDS
    os.utime(orphan_path, (old, old))
    young = corpus.blobs.path(corpus.blobs.put(b"just written")["$blob"].split(":")[1])
    dead = corpus_dir / "segments" / ".staging-999999999-dead"
    dead.mkdir()
    (dead / "seg-x.parquet").write_bytes(b"x" * 100)
    live = corpus_dir / "segments" / f".staging-{os.getpid()}-abcd"
    live.mkdir()

    code, out, _ = _run(capsys, "corpus", "doctor", "--corpus", str(corpus_dir), "-f", "json")
    report = json.loads(out)
    kinds = {(f["kind"], Path(f["path"]).name, f["action"]) for f in report["findings"]}
    assert code == 1
    assert ("quarantined", paths[0].name, None) in kinds
    assert ("staging", dead.name, "remove") in kinds and ("staging", live.name, None) in kinds
    # quarantined segments and a running import may reference blobs: none is offered for removal
    assert all(f["action"] is None for f in report["findings"] if f["kind"] == "orphan-blob")
    assert dead.exists() and orphan_path.exists()  # a listing changes nothing

    live.rmdir()
    # once the newer segment is readable again (as after an upgrade), --repair restores it
    meta = {b"realitycheck.format_version": str(1).encode()}
    quarantined = corpus_dir / QUARANTINE_DIR / paths[0].name
    pq.write_table(pq.read_table(quarantined).replace_schema_metadata(meta), quarantined)
    code, out, _ = _run(capsys, "corpus", "doctor", "--corpus", str(corpus_dir), "--repair")
    assert code == 0, out
    assert not dead.exists() and not orphan_path.exists() and young.exists()
    assert Corpus(corpus_dir).count() == 40
    code, out, _ = _run(capsys, "corpus", "doctor", "--corpus", str(corpus_dir))
    assert code == 0 and "healthy" in out


def test_doctor_deep_finds_damaged_pages_behind_a_sound_footer(
    corpus_dir: Path, capsys: Capsys
) -> None:
    _, paths = _corpus(corpus_dir)
    data = bytearray(paths[3].read_bytes())
    middle = len(data) // 3
    data[middle : middle + 64] = os.urandom(64)
    paths[3].write_bytes(bytes(data))
    assert segment_problem(paths[3]) is None  # the footer still reads
    code, out, _ = _run(
        capsys, "corpus", "doctor", "--corpus", str(corpus_dir), "--deep", "-f", "json"
    )
    found = json.loads(out)["findings"]
    if not found:
        pytest.skip("the damaged bytes fell where the reader does not notice (padding)")
    assert code == 1 and found[0]["kind"] == "bad-segment" and found[0]["action"] == "quarantine"
    code, _, _ = _run(capsys, "corpus", "doctor", "--corpus", str(corpus_dir), "--deep", "--repair")
    assert Corpus(corpus_dir).count() == 30


def test_staging_left_by_a_killed_import_is_found_and_removed(
    tmp_path: Path, corpus_dir: Path, key_file: Path, capsys: Capsys
) -> None:
    lines = tmp_path / "big.jsonl"
    with lines.open("w") as fh:
        for i in range(200_000):
            fh.write(
                json.dumps({"target": T, "input": {"args": {"n": i, "pad": "x" * 200}}}) + "\n"
            )
    Corpus(corpus_dir, create=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "realitycheck",
            "corpus",
            "import",
            "--format",
            "jsonl",
            str(lines),
            "--corpus",
            str(corpus_dir),
            "--key-file",
            str(key_file),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    segments = corpus_dir / "segments"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        p.name.startswith(".staging-") and any(p.iterdir()) for p in segments.iterdir()
    ):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    left = [p for p in segments.iterdir() if p.name.startswith(".staging-")]
    if not left:
        pytest.skip("the import finished before it could be killed")
    assert Corpus(corpus_dir).count() == 0  # nothing of a killed import is visible
    code, out, _ = _run(capsys, "corpus", "doctor", "--corpus", str(corpus_dir))
    assert code == 1 and "left by an import that did not finish" in out
    code, _, _ = _run(capsys, "corpus", "doctor", "--corpus", str(corpus_dir), "--repair")
    assert code == 0 and not any(p.name.startswith(".staging-") for p in segments.iterdir())


def test_schema_of_a_sound_segment_passes() -> None:
    assert {f.name for f in SCHEMA} >= {"id", "target", "kind", "input"}


def test_user_data_is_never_markup_or_emoji(
    corpus_dir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fn:a:b` once came out as `fn🅰b`, and `[bold]` in a target vanished."""
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that no table cell is folded
    corpus = Corpus(corpus_dir, create=True)
    odd = ["fn:a:b", "fn:x:[bold]y[/bold]", "http:GET /:smile:"]
    corpus.write(
        [
            Sample(
                id=f"u{i}",
                input_hash=input_hash(t, {"args": {}}),
                target=t,
                kind="function",
                input={"args": {}},
            )
            for i, t in enumerate(odd)
        ]
    )
    for args in (["stats"], ["ls"], ["profile", "--target", "fn:a:b"], ["show", "u1"]):
        code, out, err = _run(capsys, "corpus", *args, "--corpus", str(corpus_dir))
        assert code == 0, err
        assert "🅰" not in out and "😄" not in out
        if args[0] in ("stats", "ls"):
            for target in odd:
                assert target in out.replace("\n", ""), (target, out)
        if args[0] == "show":
            assert "fn:x:[bold]y[/bold]" in out
