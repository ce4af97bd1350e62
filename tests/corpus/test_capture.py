"""The decorator and the recorder: what is recorded, how, and that nothing is when off."""

from __future__ import annotations

import asyncio
import dataclasses
import decimal
import threading
from pathlib import Path
from typing import Any

import pytest

import realitycheck
from realitycheck.corpus.capture import state
from realitycheck.corpus.capture.control import configure, disable, flush, recording
from realitycheck.corpus.capture.decorator import TARGET_ATTRIBUTE
from realitycheck.corpus.capture.sampler import Sampler
from realitycheck.corpus.model import input_hash
from realitycheck.corpus.store import Corpus


@realitycheck.record()
def handle(payload: dict[str, Any], strict: bool = True) -> dict[str, Any]:
    """A module-level function, as in a service."""
    if payload.get("boom"):
        raise KeyError("boom")
    return {"n": len(payload), "strict": strict}


class Service:
    """Methods of every kind."""

    @realitycheck.record()
    def method(self, x: int, *rest: int, **named: int) -> int:
        return x + sum(rest) + sum(named.values())

    @staticmethod
    @realitycheck.record()
    def static(x: int) -> int:
        return x * 2

    @classmethod
    @realitycheck.record("service-class")
    def klass(cls, x: int) -> str:
        return f"{cls.__name__}:{x}"


@realitycheck.record()
async def fetch(data: bytes, *, limit: int = 3) -> bytes:
    """An async function taking bytes."""
    await asyncio.sleep(0)
    return data[:limit]


def samples(root: Path) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for s in Corpus(root).iter_samples():
        out.setdefault(s.target, []).append(s)
    return out


def test_nothing_is_recorded_and_no_thread_runs_until_configured(tmp_path: Path) -> None:
    before = {t.name for t in threading.enumerate()}
    assert state.CURRENT is None
    assert handle({"a": 1}) == {"n": 1, "strict": True}
    assert Service().method(1, 2, y=3) == 6
    assert asyncio.run(fetch(b"abcdef")) == b"abc"
    assert {t.name for t in threading.enumerate()} == before
    assert not list(tmp_path.iterdir())


def test_environment_switch_turns_capture_off(tmp_path: Path) -> None:
    env = {"REALITYCHECK_CAPTURE": "0", "REALITYCHECK_CORPUS": str(tmp_path / "c")}
    assert configure(tmp_path / "c", environ=env) is None
    assert state.CURRENT is None
    assert configure(environ={}) is None  # no corpus named: off
    recorder = configure(
        environ={"REALITYCHECK_CAPTURE": "1", "REALITYCHECK_CORPUS": str(tmp_path / "c")}
    )
    assert recorder is not None and recorder.settings.corpus == tmp_path / "c"


def test_calls_are_recorded_with_arguments_bound_to_names(corpus_dir: Path, key_file: Path) -> None:
    with recording(corpus_dir, key_file=key_file, max_per_hour=None):
        handle({"a": 1})
        handle({"a": 2}, strict=False)
        with pytest.raises(KeyError):
            handle({"boom": True})
        Service().method(1, 2, 3, y=4)
        Service.static(5)
        Service.klass(6)
        asyncio.run(fetch(b"hello world", limit=5))
    got = samples(corpus_dir)
    mod = __name__
    calls = got[f"fn:{mod}:handle"]
    assert [c.input for c in calls] == [
        {"args": {"payload": {"a": 1}, "strict": True}},
        {"args": {"payload": {"a": 2}, "strict": False}},
        {"args": {"payload": {"boom": True}, "strict": True}},
    ]
    assert calls[0].output == {"return": {"n": 1, "strict": True}}
    assert calls[2].output == {"raised": {"type": "KeyError", "message": "'boom'"}}
    assert calls[0].input_hash == input_hash(calls[0].target, calls[0].input)
    method = got[f"fn:{mod}:Service.method"][0]
    assert method.input == {"args": {"x": 1, "rest": [2, 3], "named": {"y": 4}}}
    assert got[f"fn:{mod}:Service.static"][0].output == {"return": 10}
    assert got["fn:service-class"][0].input == {"args": {"x": 6}}
    assert got["fn:service-class"][0].output == {"return": "Service:6"}
    fetched = got[f"fn:{mod}:fetch"][0]
    store = Corpus(corpus_dir)
    assert store.blobs.get(fetched.input["args"]["data"]) == b"hello world"
    assert fetched.input["args"]["limit"] == 5
    assert store.blobs.get(fetched.output["return"]) == b"hello"  # type: ignore[index]
    assert getattr(handle, TARGET_ATTRIBUTE) == f"fn:{mod}:handle"
    assert handle.__wrapped__.__name__ == "handle"  # type: ignore[attr-defined]


def test_arguments_are_captured_before_the_call_changes_them(
    corpus_dir: Path, key_file: Path
) -> None:
    @realitycheck.record("mutating")
    def consume(items: list[int]) -> int:
        total = sum(items)
        items.clear()
        return total

    with recording(corpus_dir, key_file=key_file):
        consume([1, 2, 3])
    (sample,) = samples(corpus_dir)["fn:mutating"]
    assert sample.input == {"args": {"items": [1, 2, 3]}}


class Opaque:
    def __repr__(self) -> str:
        return "<Opaque handle>"


@dataclasses.dataclass
class Point:
    x: int
    y: int


def test_unserializable_values_never_break_the_host(corpus_dir: Path, key_file: Path) -> None:
    @realitycheck.record("odd")
    def odd(value: Any) -> Any:
        return value

    cyclic: list[Any] = []
    cyclic.append(cyclic)
    values = [Opaque(), {1, 2}, decimal.Decimal("1.10"), Point(1, 2), cyclic, 2**80, iter([1])]
    with recording(corpus_dir, key_file=key_file, dedup=False) as recorder:
        results = [odd(v) for v in values]
    assert results[0] is values[0] and results[4] is cyclic
    got = [s.input["args"]["value"] for s in samples(corpus_dir)["fn:odd"]]
    assert got[0] == {"$unserializable": f"{__name__}.Opaque", "repr": "<Opaque handle>"}
    assert got[1:4] == [[1, 2], "1.10", {"x": 1, "y": 2}]
    assert got[4] == [{"$unserializable": "builtins.list", "repr": "[[...]]"}]
    assert got[5] == 2**80
    assert got[6]["$unserializable"] == "builtins.list_iterator"
    assert recorder.stats()["unserializable"] == 3


def test_dedup_rate_and_hourly_cap(corpus_dir: Path, key_file: Path) -> None:
    with recording(corpus_dir, key_file=key_file, max_per_hour=3) as recorder:
        for i in range(10):
            handle({"i": i % 5})  # five distinct inputs, each twice
    stats = recorder.stats()
    assert Corpus(corpus_dir).count() == 3  # the cap
    assert stats["written"] == 3 and stats["capped"] + stats["duplicates"] == 7
    disable()
    other = corpus_dir.parent / "other"
    with recording(other, key_file=key_file, max_per_hour=None) as recorder:
        for i in range(10):
            handle({"i": i % 5})
    assert Corpus(other).count() == 5 and recorder.stats()["duplicates"] == 5
    off = corpus_dir.parent / "off"
    with recording(off, key_file=key_file, rate=0.0) as recorder:
        handle({"i": 1})
    assert recorder.stats()["sampled_out"] == 1 and not (off / "segments").exists()


def test_sampler_rate_is_close_to_what_is_asked() -> None:
    sampler = Sampler(rate=0.2, rates={"fn:never*": 0.0, "fn:always": 1.0})
    admitted = sum(sampler.admit("fn:some") for _ in range(20_000))
    assert 3_600 < admitted < 4_400  # 20% of 20,000, far outside ±5 standard deviations
    assert not any(sampler.admit("fn:never-this") for _ in range(100))
    assert all(sampler.admit("fn:always") for _ in range(100))


def test_hourly_cap_resets_each_hour() -> None:
    now = [0.0]
    sampler = Sampler(max_per_hour=2, clock=lambda: now[0])
    assert [sampler.take("t") for _ in range(3)] == [True, True, False]
    assert not sampler.under_cap("t")
    now[0] = 3600.0
    assert sampler.take("t") and sampler.under_cap("t")


def test_flush_without_capture_is_harmless() -> None:
    assert flush() is True
    disable()


@pytest.mark.filterwarnings("ignore:.*multi-threaded.*fork:DeprecationWarning")
def test_a_forked_child_records_through_its_own_writer(corpus_dir: Path, key_file: Path) -> None:
    import os

    with recording(corpus_dir, key_file=key_file, max_per_hour=None) as recorder:
        handle({"who": "parent"})
        recorder.flush()
        pid = os.fork()
        if pid == 0:  # the child: record, write, and leave without running the parent's code
            code = 1
            try:
                handle({"who": "child"})
                code = 0 if flush(20) else 3
                disable(20)
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    who = sorted(s.input["args"]["payload"]["who"] for s in Corpus(corpus_dir).iter_samples())
    assert who == ["child", "parent"]
