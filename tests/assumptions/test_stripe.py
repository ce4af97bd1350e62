"""The miner on a webhook handler over 281 real Stripe events: rates equal plain counts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from realitycheck.assumptions.model import AssumptionsResult, MinedAssumption

from .conftest import MakeChange, sample, write_corpus
from .stripe_data import stripe_events

HANDLER = Path(__file__).parent / "fixtures" / "stripe_webhooks.py"
TARGET = "fn:billing.webhooks:handle_event"
MISSING = object()


@pytest.fixture(scope="module")
def events() -> list[tuple[str, dict[str, Any]]]:
    found = stripe_events()
    assert len(found) == 281, "stripe-mock-data 1.0.3 ships 281 webhook events"
    return found


@pytest.fixture
def result(
    events: list[tuple[str, dict[str, Any]]], make_change: MakeChange, tmp_path: Path
) -> AssumptionsResult:
    change = make_change(
        {"src/billing/__init__.py": ""},
        {"src/billing/webhooks.py": HANDLER.read_text(encoding="utf-8")},
    )
    corpus = write_corpus(
        tmp_path / "corpus",
        [sample(TARGET, {"args": {"event": e}}, i) for i, (_, e) in enumerate(events)],
    )
    return change.analyse(corpus)


def get(obj: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(obj, dict) or key not in obj:
            return MISSING
        obj = obj[key]
    return obj


def count(
    events: list[tuple[str, dict[str, Any]]],
    path: str,
    *,
    prefix: str = "",
    check: str,
) -> tuple[int, int]:
    """(samples judged, violations) for data.object.<path> counted with plain Python."""
    n = bad = 0
    parent, _, leaf = ("data.object." + path).rpartition(".")
    for _, event in events:
        if not event["type"].startswith(prefix):
            continue
        holder = get(event, parent)
        if not isinstance(holder, dict):
            continue
        n += 1
        value = holder.get(leaf, MISSING)
        ok = {
            "present": value is not MISSING,
            "not_null": value is not MISSING and value is not None,
            "int": isinstance(value, int | float | str) and _int_like(value),
        }[check]
        bad += not ok
    return n, bad


def _int_like(value: Any) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return True


BRANCH = {
    "charge.": "charge_summary",
    "invoice.": "invoice_summary",
    "customer.subscription.": "subscription_summary",
}


def find(
    result: AssumptionsResult, path: str, kind: str, function: str | None = None
) -> MinedAssumption:
    matches = [
        m
        for m in result.mined
        if m.path == path and m.kind == kind and function in (None, m.function)
    ]
    assert len(matches) == 1, [(m.path, m.kind) for m in result.mined]
    return matches[0]


CASES: list[tuple[str, str, str, str]] = [
    # (path under data.object, branch prefix, mined kind, how to count)
    ("amount", "charge.", "key-present", "present"),
    ("customer", "charge.", "key-present", "present"),
    ("source", "charge.", "not-null", "not_null"),
    ("source.last4", "charge.", "key-present", "present"),
    ("paid", "charge.", "key-present", "present"),
    ("lines.data", "invoice.", "not-null", "not_null"),
    ("charge", "invoice.", "key-present", "present"),
    ("plan", "customer.subscription.", "not-null", "not_null"),
    ("trial_end", "customer.subscription.", "key-present", "present"),
    ("trial_end", "customer.subscription.", "conversion", "int"),
]


@pytest.mark.parametrize(("path", "prefix", "kind", "how"), CASES)
def test_reported_rates_equal_plain_counts(
    result: AssumptionsResult,
    events: list[tuple[str, dict[str, Any]]],
    path: str,
    prefix: str,
    kind: str,
    how: str,
) -> None:
    mined = find(result, f"$.args.event.data.object.{path}", kind, BRANCH[prefix])
    assert mined.target == TARGET and mined.result is not None
    n, bad = count(events, path, prefix=prefix, check=how)
    assert (mined.result.n, mined.result.violations) == (n, bad)
    assert mined.result.status == ("violated" if bad else "holds")
    assert prefix.rstrip(".") in mined.statement


def test_the_top_level_fields(
    result: AssumptionsResult, events: list[tuple[str, dict[str, Any]]]
) -> None:
    version = find(result, "$.args.event.api_version", "key-present")
    absent = sum("api_version" not in e for _, e in events)
    assert absent > 100  # the older API versions did not send it
    assert (version.result.n, version.result.violations) == (281, absent)  # type: ignore[union-attr]
    assert version.result.counts == {"absent": absent}  # type: ignore[union-attr]
    kind = find(result, "$.args.event.type", "not-null")  # `kind.startswith(...)` needs a str
    assert kind.result.status == "holds" and kind.result.n == 281  # type: ignore[union-attr]


def test_every_line_item_is_judged(
    result: AssumptionsResult, events: list[tuple[str, dict[str, Any]]]
) -> None:
    amounts = find(result, "$.args.event.data.object.lines.data[*].amount", "key-present")
    n = bad = 0
    for _, event in events:
        lines = get(event, "data.object.lines.data")
        if not event["type"].startswith("invoice.") or not isinstance(lines, list):
            continue
        items = [item for item in lines if isinstance(item, dict)]
        if items:
            n += 1
            bad += any("amount" not in item for item in items)
    assert (amounts.result.n, amounts.result.violations) == (n, bad)  # type: ignore[union-attr]


def test_the_dispute_events_are_the_charges_without_a_customer(
    result: AssumptionsResult, events: list[tuple[str, dict[str, Any]]]
) -> None:
    customer = find(result, "$.args.event.data.object.customer", "key-present", "charge_summary")
    disputes = sum(e["type"].startswith("charge.dispute.") for _, e in events)
    assert customer.result.violations == disputes  # type: ignore[union-attr]
    assert all(eid for eid in customer.result.examples)  # type: ignore[union-attr]


def test_what_the_handler_assumes_is_listed_for_the_ledger(result: AssumptionsResult) -> None:
    assert result.ledger is None and result.ledger_required
    assert all(m.declared_by is None for m in result.mined)
    assert {m.function for m in result.mined} >= {
        "handle_event",
        "charge_summary",
        "invoice_summary",
    }
    unused: Callable[[], None] | None = None
    assert unused is None
