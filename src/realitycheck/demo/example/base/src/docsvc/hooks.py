"""Pull-request webhooks: record which pull requests were opened or updated."""

from __future__ import annotations

from typing import Any


def handle(payload: dict[str, Any]) -> dict[str, Any]:
    """React to one `pull_request` webhook delivery."""
    action = payload.get("action")
    if action not in ("opened", "synchronize", "reopened"):
        return {"ignored": action}
    return process(payload["pull_request"])


def process(pr: dict[str, Any]) -> dict[str, Any]:
    """The summary we keep of a pull request."""
    return {"number": pr["number"], "title": pr["title"]}
