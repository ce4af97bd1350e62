"""Shape-preserving, deterministic replacement of secrets: equal secrets give equal tokens.

A token keeps the length and the character classes of what it replaces (digits stay digits,
upper-case letters stay upper-case, punctuation stays put), so formats, lengths and diffs over a
redacted corpus stay meaningful. It is derived from a keyed hash (SHAKE-256 over the key and the
secret), so nobody without the key can test a guess against it.
"""

from __future__ import annotations

import hashlib

_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"


def _stream(key: bytes, text: str, n: int) -> bytes:
    return hashlib.shake_256(key + b"\x00" + text.encode("utf-8", "surrogatepass")).digest(n)


def _table(alphabet: str) -> tuple[str, ...]:
    return tuple(alphabet[b % len(alphabet)] for b in range(256))


# For each ASCII letter and digit, the character that each possible stream byte turns it into.
_TABLES = {
    ch: table
    for alphabet in (_DIGITS, _UPPER, _LOWER)
    for table in (_table(alphabet),)
    for ch in alphabet
}
_OTHER_ALNUM = _table(_LOWER)  # letters and digits beyond ASCII become lower-case letters


def mask(key: bytes, text: str, keep_prefix: int = 0) -> str:
    """`text` with every letter and digit replaced, deterministically, by one of its class."""
    if not text:
        return text
    stream = _stream(key, text, len(text))
    get = _TABLES.get
    out = [
        table[b] if (table := get(ch)) is not None else _OTHER_ALNUM[b] if ch.isalnum() else ch
        for ch, b in zip(text[keep_prefix:], stream[keep_prefix:], strict=True)
    ]
    return text[:keep_prefix] + "".join(out)


def mask_int(key: bytes, value: int) -> int:
    """An integer with the same number of digits (and sign), deterministically replaced."""
    text = str(abs(value))
    masked = mask(key, text)
    if len(masked) > 1 and masked[0] == "0":
        masked = "1" + masked[1:]
    return -int(masked) if value < 0 else int(masked)


def mask_float(key: bytes, value: float) -> float:
    """A float whose digits are deterministically replaced, keeping its magnitude."""
    text = repr(value)
    if "e" in text or "n" in text:  # exponent, inf or nan: keep the shape of the mantissa only
        return value
    masked = mask(key, text)
    try:
        return float(masked)
    except ValueError:  # pragma: no cover - mask keeps digits and the point
        return value


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_fix(text: str) -> str:
    """`text` (digits and separators) with its last digit set so the digits pass Luhn."""
    positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    if not positions:
        return text
    digits = [text[i] for i in positions]
    for check in _DIGITS:
        digits[-1] = check
        if luhn_valid("".join(digits)):
            break
    out = list(text)
    out[positions[-1]] = digits[-1]
    return "".join(out)


def iban_valid(text: str) -> bool:
    """Whether an IBAN (spaces allowed) passes its mod-97 check."""
    compact = text.replace(" ", "").upper()
    if len(compact) < 15 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        number = "".join(str(int(ch, 36)) for ch in rearranged)
    except ValueError:
        return False
    return int(number) % 97 == 1


def iban_fix(text: str) -> str:
    """A masked IBAN with its check digits recomputed, so it still looks like an IBAN."""
    compact = text.replace(" ", "").upper()
    try:
        number = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:2] + "00")
    except ValueError:
        return text
    check = f"{98 - int(number) % 97:02d}"
    positions = [i for i, ch in enumerate(text) if ch != " "]
    out = list(text)
    out[positions[2]], out[positions[3]] = check[0], check[1]
    return "".join(out)
