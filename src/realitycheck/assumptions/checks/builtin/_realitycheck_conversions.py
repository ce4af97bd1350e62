"""Probes for mined conversion assumptions: does the recorded value convert as the code does?

This file is put on the probe workers' path as it is (it imports nothing from realitycheck), so
it works under any interpreter, the project's own included. Each probe returns None when there
is no value (another assumption covers presence), True when the value converts exactly as the
code converts it, and False when the code would raise.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any


def _first(value: Any) -> Any:
    """A repeated query parameter or header is a list; frameworks hand the first one to code."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _decode(value: Any, decode: Any) -> bytes | None:
    value = _first(value)
    if value is None:
        return None
    return bytes(decode(value))


def _converts(value: Any, decode: Any, text: bool) -> bool | None:
    if _first(value) is None:
        return None
    try:
        raw = _decode(value, decode)
        if text and raw is not None:
            raw.decode("utf-8")
    except (binascii.Error, ValueError, TypeError):
        return False
    return True


def b64decode(value: Any) -> bool | None:
    """`base64.b64decode(value)` succeeds."""
    return _converts(value, base64.b64decode, text=False)


def b64decode_utf8(value: Any) -> bool | None:
    """`base64.b64decode(value).decode("utf-8")` succeeds."""
    return _converts(value, base64.b64decode, text=True)


def urlsafe_b64decode(value: Any) -> bool | None:
    """`base64.urlsafe_b64decode(value)` succeeds."""
    return _converts(value, base64.urlsafe_b64decode, text=False)


def urlsafe_b64decode_utf8(value: Any) -> bool | None:
    """`base64.urlsafe_b64decode(value).decode("utf-8")` succeeds."""
    return _converts(value, base64.urlsafe_b64decode, text=True)


def utf8(value: Any) -> bool | None:
    """A raw body (bytes) decodes as UTF-8; text and parsed JSON were UTF-8 when recorded."""
    value = _first(value)
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True
