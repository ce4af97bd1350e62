"""Pre-flight: whether a target or a service can run real inputs at all, checked before a batch.

A target that cannot be imported, hangs while importing, or whose parameters no recorded input
fits is reported as itself, once, instead of as a thousand identical failures; an HTTP service
that does not answer is named before a single sample is sent.
"""

from __future__ import annotations

import json
import re
import socket

import httpx

from realitycheck.core.errors import StageError

_DIGEST = re.compile(r"[0-9a-f]{16,}")  # blob digests, ids: one reason, not one per sample


def preflight_error(name: str, head: tuple[str, str], base: tuple[str, str]) -> str | None:
    """Why the target cannot be replayed at all, from what each revision's probe said.

    A state is ok, missing, broken (import fails), stuck (import hangs), signature (no recorded
    input binds to the parameters) or absent (no base revision). A head that cannot run what
    the base runs is left to replay, where it shows as the head's own failures.
    """
    (h, h_why), (b, b_why) = head, base
    if "stuck" in (h, b):  # every batch on that revision would hang too
        side, why = ("the head", h_why) if h == "stuck" else ("the base", b_why)
        return f"{name} cannot be loaded in {side}: {why}"
    if h == "missing":
        if b == "missing":
            return f"neither revision has {name} ({h_why}); check the target and source_roots"
        return f"the head has no {name} ({h_why}): renamed or removed?"
    bad = ("broken", "signature")
    if h in bad and (b in bad or b == "missing" or b == "absent"):
        if h == "signature" and b in ("signature", "absent", "missing"):
            return f"the recorded arguments do not fit {name}'s parameters: {h_why}"
        where = "the head" if b in ("missing", "absent") else "either revision"
        why = h_why if b in ("missing", "absent") or h_why == b_why else f"{h_why}; base: {b_why}"
        return f"{name} cannot be loaded in {where}: {why}"
    return None


def failure(status: str, text: str) -> str | None:
    """Why an outcome is a failure (`TypeError: ...`, a timeout, a crash), or None."""
    if status == "return":
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return status
    if status == "raised":
        raised = doc.get("raised", {})
        message = str(raised.get("message", "")).splitlines()[:1]
        text = _DIGEST.sub("…", message[0] if message else "")
        return f"{raised.get('type', 'exception')}: {text}"[:160]
    if status == "timeout":
        return f"timeout (ran past {doc.get('timeout', {}).get('seconds', '?')} s)"
    return f"crash ({doc.get('crashed', {}).get('reason', 'the worker died')})"[:160]


def recorded_names(inputs: list[str]) -> str:
    """The argument names the recorded inputs use, for a message."""
    names: list[str] = []
    for text in inputs:
        try:
            args = json.loads(text).get("args", {})
        except (ValueError, AttributeError):
            continue
        names += [n for n in args if isinstance(args, dict) and n not in names]
    return ", ".join(names) or "none"


def check_answers(services: list[tuple[str, str]], timeout: float) -> None:
    """Every service accepts a connection before a sample is sent.

    `services` holds (what it is, URL); the first that refuses or does not answer is named.
    Only a connection is opened: nothing is sent that was not recorded. A service that accepts
    connections and then fails every request shows as samples that failed on both sides.
    """
    for label, url in services:
        parsed = httpx.URL(url)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            with socket.create_connection((parsed.host, port), timeout=timeout):
                pass
        except OSError as exc:
            raise StageError(
                f"the {label} at {url} does not answer ({exc.strerror or exc}); no sample was sent",
                hint="start it first, or check the URL",
            ) from None
