"""`corpus profile` against counts computed independently in Python, and intervals from scipy."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import binomtest

from realitycheck.cli.main import main
from realitycheck.corpus.model import Sample, input_hash, new_sample_id
from realitycheck.corpus.profile import profile_target
from realitycheck.corpus.store import Corpus

TARGET = "fn:shop.orders:place"
MISSING = object()


def make_payload(rng: random.Random, i: int) -> dict[str, Any]:
    payload: dict[str, Any] = {"id": i, "customer": {"email": f"user{i}@example.org"}}
    roll = rng.random()
    if roll < 0.1:
        payload["customer"]["tier"] = None  # null
    elif roll < 0.25:
        pass  # absent
    elif roll < 0.3:
        payload["customer"]["tier"] = 3  # another type
    else:
        payload["customer"]["tier"] = rng.choice(["gold", "silver"])
    payload["when"] = rng.choice(["2024-05-01", "2024-05-01T10:00:00Z", "yesterday"])
    payload["ref"] = rng.choice(["550e8400-e29b-41d4-a716-446655440000", "https://example.org/x"])
    if rng.random() < 0.5:
        payload["items"] = [
            {"sku": f"S{rng.randint(1, 9)}", "qty": rng.randint(1, 4)}
            if rng.random() < 0.9
            else {"qty": rng.randint(1, 4)}
            for _ in range(rng.randint(0, 3))
        ]
    if rng.random() < 0.2:
        payload["customer"] = None  # the whole parent is null
    return payload


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Corpus, list[dict[str, Any]]]:
    rng = random.Random(7)
    payloads = [make_payload(rng, i) for i in range(3000)]
    store = Corpus(tmp_path / "corpus", create=True)
    samples = []
    for p in payloads:
        sample_input = {"args": {"order": p}}
        samples.append(
            Sample(
                id=new_sample_id(),
                input_hash=input_hash(TARGET, sample_input),
                target=TARGET,
                kind="function",
                input=sample_input,
                output={"return": {"ok": p["id"] % 7 != 0}},
                recorded_at=datetime(2024, 5, 1, tzinfo=timezone.utc),
            )
        )
    store.write(samples[:1500])
    store.write(samples[1500:])
    return store, payloads


def resolve(value: Any, keys: list[str]) -> Any:
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return value


def test_present_absent_null_and_types(corpus: tuple[Corpus, list[dict[str, Any]]]) -> None:
    store, payloads = corpus
    result = profile_target(store, TARGET)
    paths = {p["path"]: p for p in result["paths"]}
    assert result["samples"] == len(payloads)
    tier = paths["$.input.args.order.customer.tier"]
    values = [resolve(p, ["customer", "tier"]) for p in payloads]
    present = [v for v in values if v is not MISSING]
    assert tier["n"] == len(payloads)
    assert tier["present"]["count"] == len(present)
    assert tier["absent"]["count"] == values.count(MISSING)
    assert tier["null"]["count"] == sum(v is None for v in present)
    assert tier["types"]["string"]["count"] == sum(isinstance(v, str) for v in present)
    assert tier["types"]["integer"]["count"] == sum(isinstance(v, int) for v in present)
    assert tier["distinct"] == len({json.dumps(v) for v in present})
    assert tier["absent"]["count"] and tier["null"]["count"]  # never conflated
    customer = paths["$.input.args.order.customer"]
    assert customer["null"]["count"] == sum(p["customer"] is None for p in payloads)
    # Wilson intervals, checked against scipy
    k, n = tier["absent"]["count"], tier["n"]
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert tier["absent"]["ci"] == pytest.approx([ci.low, ci.high], abs=1e-9)


def test_array_elements_ranges_lengths_and_formats(
    corpus: tuple[Corpus, list[dict[str, Any]]],
) -> None:
    store, payloads = corpus
    paths = {p["path"]: p for p in profile_target(store, TARGET)["paths"]}
    elements = [e for p in payloads for e in p.get("items", [])]
    sku = paths["$.input.args.order.items[*].sku"]
    assert sku["unit"] == "element"
    assert sku["n"] == len(elements)
    assert sku["present"]["count"] == sum("sku" in e for e in elements)
    qty = paths["$.input.args.order.items[*].qty"]
    assert qty["numbers"] == {"min": 1.0, "max": 4.0}
    counts: dict[int, int] = {}
    for e in elements:
        counts[e["qty"]] = counts.get(e["qty"], 0) + 1
    top = {t["value"]: t["count"] for t in qty["top"]}
    assert top == {k: v for k, v in counts.items() if k in top}
    assert len(qty["top"]) == 4
    email = paths["$.input.args.order.customer.email"]
    emails = [p["customer"]["email"] for p in payloads if p["customer"]]
    assert email["formats"]["email"]["count"] == len(emails)
    assert email["lengths"] == {"min": min(map(len, emails)), "max": max(map(len, emails))}
    when = paths["$.input.args.order.when"]
    dated = sum(p["when"] != "yesterday" for p in payloads)
    assert when["formats"]["date"]["count"] == dated
    ref = paths["$.input.args.order.ref"]
    assert ref["formats"]["uuid"]["count"] + ref["formats"]["url"]["count"] == len(payloads)
    ok = paths["$.output.return.ok"]
    assert ok["types"]["boolean"]["count"] == len(payloads)


def test_profile_cli(
    corpus: tuple[Corpus, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    store, _ = corpus
    assert (
        main(
            [
                "corpus",
                "profile",
                "--target",
                TARGET,
                "--corpus",
                str(store.root),
                "--format",
                "json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["samples"] == 3000
    assert main(["corpus", "profile", "--target", TARGET, "--corpus", str(store.root)]) == 0
    text = capsys.readouterr().out
    assert "customer.tier" in text and "%" in text
    assert main(["corpus", "profile", "--target", "fn:nope:x", "--corpus", str(store.root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no samples of target 'fn:nope:x'" in err[0]
