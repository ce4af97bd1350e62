"""The share of the bugs replay finds that a mined assumption would have predicted.

A bug is a recorded target whose replay shows unexpected divergences (not noise, not declared
as intended). It was predicted when a mined assumption on that target is contradicted by the
corpus: the reviewer reading the assumption list would have seen it before replay ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Share:
    """Bugs replay found, and which of them a mined assumption predicted."""

    bugs: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)  # bugs where the head fails requests

    def __str__(self) -> str:
        crash = [b for b in self.failing if b in self.predicted]
        return (
            f"{len(self.predicted)} of {len(self.bugs)} bugs replay found were predicted by a "
            f"mined assumption ({', '.join(self.predicted) or 'none'}); "
            f"{len(crash)} of {len(self.failing)} where the head fails or raises"
        )


def _unexpected(target: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        g for g in target.get("divergences", []) if not g.get("noise") and not g.get("expected")
    ]


def share(report: dict[str, Any]) -> Share:
    """The measure over one `verify --format json` report."""
    out = Share()
    violated = {
        m["target"]
        for m in report["assumptions"]["mined"]
        if m.get("result") and m["result"]["status"] == "violated"
    }
    for target in report["replay"]["targets"]:
        groups = _unexpected(target)
        if not groups:
            continue
        name = target["target"]
        out.bugs.append(name)
        if name in violated:
            out.predicted.append(name)
        if any(
            g["category"] == "exception" or g["path"] in ("$.status", "$.raised") for g in groups
        ):
            out.failing.append(name)
    return out
