"""`verify`'s body: stage order, statuses, and the fail-closed verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from realitycheck.core.errors import InputError, RealityCheckError
from realitycheck.core.report import Reason, StageReport, StageStatus, Verdict
from realitycheck.demo.repo import RepoBuilder
from realitycheck.pipeline import Context, Skip, StageRun, VerifyOptions, verify
from realitycheck.pipeline.registry import order_stages
from realitycheck.pipeline.run import AI_CHANGE_KEY


@dataclass
class FakeStage:
    """A stage for testing the pipeline; it does what it is told."""

    name: str
    after: tuple[str, ...] = ()
    title: str = "Fake"
    behaviour: str = "pass"
    ai_change: bool | None = None
    seen: list[str] = field(default_factory=list)

    def run(self, ctx: Context) -> StageRun:
        self.seen.extend(ctx.results)
        if self.ai_change is not None:
            ctx.results[AI_CHANGE_KEY] = self.ai_change
        if self.behaviour == "skip":
            raise Skip("nothing to do")
        if self.behaviour == "input-error":
            raise InputError("bad ledger", path="ledger.yaml", line=4)
        if self.behaviour == "crash":
            raise ZeroDivisionError("boom")
        failures = (
            [Reason(check=self.name, message="it failed")] if self.behaviour == "fail" else []
        )
        short = [Reason(check=self.name, message="0 samples ran")]
        return StageRun(
            StageReport(
                name=self.name,
                title=self.title,
                status=StageStatus.RAN,
                failures=failures,
                insufficient=short if self.behaviour == "insufficient" else [],
            ),
            result=self.name,
        )


@pytest.fixture
def change(repo: RepoBuilder) -> Path:
    repo.write({"a.py": "x = 1\n"})
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write({"a.py": "x = 2\n"})
    repo.commit("change")
    return repo.root


def test_order_honours_after() -> None:
    a, b, c = FakeStage("a", after=("c",)), FakeStage("b"), FakeStage("c", after=("missing",))
    assert [s.name for s in order_stages([a, b, c])] == ["c", "a", "b"]


def test_cycle_is_an_error() -> None:
    with pytest.raises(RealityCheckError, match="cycle"):
        order_stages([FakeStage("a", after=("b",)), FakeStage("b", after=("a",))])


def test_statuses_and_verdict(change: Path) -> None:
    first = FakeStage("first", ai_change=False)
    later = FakeStage("later", after=("first",))
    stages = [
        later,
        first,
        FakeStage("skipper", behaviour="skip"),
        FakeStage("broken", behaviour="input-error"),
        FakeStage("buggy", behaviour="crash"),
    ]
    report = verify(VerifyOptions(repo=change), stages=order_stages(stages))  # type: ignore[arg-type]
    statuses = {s.name: (s.status, s.reason) for s in report.stages}
    assert statuses["skipper"] == (StageStatus.SKIPPED, "nothing to do")
    assert statuses["broken"] == (StageStatus.ERROR, "ledger.yaml:4: bad ledger")
    assert statuses["buggy"][0] is StageStatus.ERROR
    assert "ZeroDivisionError: boom" in (statuses["buggy"][1] or "")
    assert "first" in later.seen
    assert report.verdict is Verdict.ERROR
    assert report.change.commits == 1


def test_failure_fails(change: Path) -> None:
    stages = [FakeStage("a", behaviour="fail", ai_change=False)]
    report = verify(VerifyOptions(repo=change), stages=stages)  # type: ignore[arg-type]
    assert report.verdict is Verdict.FAIL
    assert [r.message for r in report.reasons] == ["it failed"]


@pytest.mark.parametrize(
    ("ai_change", "verdict"), [(True, Verdict.FAIL), (False, Verdict.PASS), (None, Verdict.FAIL)]
)
def test_required_stage_that_did_not_run_fails_an_ai_change(
    change: Path, ai_change: bool | None, verdict: Verdict
) -> None:
    (change / "realitycheck.toml").write_text('[policy]\nrequired = ["needed"]\n')
    stages = [FakeStage("who", ai_change=ai_change), FakeStage("needed", behaviour="skip")]
    report = verify(VerifyOptions(repo=change), stages=stages)  # type: ignore[arg-type]
    assert report.verdict is verdict
    if verdict is Verdict.FAIL:
        assert "required stage 'needed' did not run (nothing to do)" in report.reasons[0].message


def test_fail_open_when_policy_says_so(change: Path) -> None:
    (change / "realitycheck.toml").write_text(
        '[policy]\nrequired = ["needed"]\nfail_closed = false\n'
    )
    stages = [FakeStage("needed", behaviour="skip", ai_change=True)]
    report = verify(VerifyOptions(repo=change), stages=stages)  # type: ignore[arg-type]
    assert report.verdict is Verdict.PASS


@pytest.mark.parametrize(
    ("ai_change", "fail_closed", "verdict"),
    [
        (True, True, Verdict.FAIL),
        (None, True, Verdict.FAIL),
        (False, True, Verdict.ERROR),
        (True, False, Verdict.ERROR),
    ],
)
def test_a_stage_without_enough_evidence_is_never_a_pass(
    change: Path, ai_change: bool | None, fail_closed: bool, verdict: Verdict
) -> None:
    (change / "realitycheck.toml").write_text(
        f"[policy]\nfail_closed = {str(fail_closed).lower()}\n"
    )
    stages = [FakeStage("who", ai_change=ai_change), FakeStage("thin", behaviour="insufficient")]
    report = verify(VerifyOptions(repo=change), stages=stages)  # type: ignore[arg-type]
    assert report.verdict is verdict
    assert [r.message for r in report.reasons] == ["insufficient evidence: 0 samples ran"]
    assert not report.stages[-1].passed


def test_policy_selects_and_skips(change: Path) -> None:
    (change / "realitycheck.toml").write_text('[policy]\nstages = ["a"]\nskip = ["a"]\n')
    stages = [FakeStage("a"), FakeStage("b")]
    report = verify(VerifyOptions(repo=change), stages=stages)  # type: ignore[arg-type]
    assert {s.name: s.reason for s in report.stages} == {
        "a": "turned off by policy.skip",
        "b": "not listed in policy.stages",
    }


def test_unknown_stage_in_policy(change: Path) -> None:
    (change / "realitycheck.toml").write_text('[policy]\nstages = ["nope"]\n')
    with pytest.raises(RealityCheckError, match="unknown stage 'nope'"):
        verify(VerifyOptions(repo=change), stages=[FakeStage("a")])  # type: ignore[list-item]


def test_debug_reraises(change: Path) -> None:
    with pytest.raises(ZeroDivisionError):
        verify(VerifyOptions(repo=change, debug=True), stages=[FakeStage("x", behaviour="crash")])  # type: ignore[list-item]


def test_default_base_is_merge_base(change: Path) -> None:
    report = verify(VerifyOptions(repo=change), stages=[])
    assert report.change.base_ref == "merge-base(main, HEAD)"
    report = verify(VerifyOptions(repo=change, base="EMPTY"), stages=[])
    assert report.change.base is None and report.change.commits == 2
