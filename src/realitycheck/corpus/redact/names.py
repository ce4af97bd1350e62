"""Which header, field, query-parameter and argument names hold secrets.

A name is split into words (`X-Api-Key` → x, api, key; `clientSecret` → client, secret), so
`author_association` is not mistaken for `auth` and `max_tokens` is not a `token`.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
from collections.abc import Iterable

SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "token",
        "credential",
        "credentials",
        "apikey",
        "accesskey",
        "secretkey",
        "privatekey",
        "cookie",
        "session",
        "sessionid",
        "signature",
        "sig",
        "auth",
        "authorization",
        "ssn",
        "sin",
        "nino",
        "passport",
        "cvv",
        "cvc",
        "otp",
    }
)
# "key" is a secret only after one of these words: api_key, accessKey, private-key...
KEY_QUALIFIERS = frozenset(
    {
        "api",
        "access",
        "private",
        "secret",
        "signing",
        "encryption",
        "master",
        "license",
        "subscription",
        "client",
        "session",
        "auth",
        "account",
        "app",
        "shared",
    }
)
# Pairs of words that together name a secret: card_number, account_number...
SECRET_PAIRS = frozenset(
    {
        ("card", "number"),
        ("cc", "number"),
        ("security", "code"),
        ("national", "id"),
        ("tax", "id"),
        ("social", "security"),
    }
)
ALWAYS_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# Standard headers whose names sound secret but whose values never are.
PUBLIC_HEADERS = frozenset(
    {
        "access-control-allow-credentials",
        "access-control-allow-headers",
        "access-control-request-headers",
        "access-control-expose-headers",
        "sec-websocket-key",
        "sec-websocket-accept",
        "idempotency-key",
    }
)
HEADER_SUFFIXES = ("-token", "-key", "-secret", "-password", "-signature", "-auth")

_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def words(name: str) -> list[str]:
    """The lower-case words of a name, split at separators and camelCase boundaries."""
    return [w.lower() for w in _WORDS.findall(name)]


def secret_name(name: str) -> bool:
    """Whether a field, parameter or argument of this name holds a secret."""
    parts = words(name)
    if not parts:
        return False
    if any(w in SECRET_WORDS for w in parts):
        return True
    joined = "".join(parts)
    if joined in SECRET_WORDS:
        return True
    for before, after in itertools.pairwise(parts):
        if after == "key" and before in KEY_QUALIFIERS:
            return True
        if (before, after) in SECRET_PAIRS:
            return True
    return False


def secret_header(name: str) -> bool:
    """Whether an HTTP header of this name holds a secret."""
    lower = name.lower()
    if lower in PUBLIC_HEADERS:
        return False
    return lower in ALWAYS_HEADERS or lower.endswith(HEADER_SUFFIXES) or secret_name(name)


class NameRules:
    """The default name rules, plus configured globs and allow-listed names."""

    def __init__(
        self,
        *,
        fields: Iterable[str] = (),
        headers: Iterable[str] = (),
        allow: Iterable[str] = (),
    ) -> None:
        self.fields = [g.lower() for g in fields]
        self.headers = [g.lower() for g in headers]
        self.allow = {a.lower() for a in allow}
        self.field_cache: dict[str, bool] = {}
        self.header_cache: dict[str, bool] = {}

    def field(self, name: str) -> bool:
        """Whether a field, query parameter or argument named `name` is redacted whole."""
        hit = self.field_cache.get(name)
        if hit is None:
            lower = name.lower()
            hit = lower not in self.allow and (
                secret_name(name) or any(fnmatch.fnmatchcase(lower, g) for g in self.fields)
            )
            if len(self.field_cache) > 50_000:
                self.field_cache.clear()
            self.field_cache[name] = hit
        return hit

    def header(self, name: str) -> bool:
        """Whether a header named `name` is redacted."""
        hit = self.header_cache.get(name)
        if hit is None:
            lower = name.lower()
            hit = lower not in self.allow and (
                secret_header(name)
                or any(fnmatch.fnmatchcase(lower, g) for g in self.headers + self.fields)
            )
            if len(self.header_cache) > 50_000:
                self.header_cache.clear()
            self.header_cache[name] = hit
        return hit

    def prefilter(self) -> str:
        """An RE2 pattern matching (at least) every JSON object key these rules could redact,
        also when escaped inside a string (JSON held as text), and every secret-sounding name
        followed by `:` or `=` in free text (`session=…`, `Cookie: …`)."""
        stems = [
            "passw",
            "pwd",
            "passphrase",
            "secret",
            "token",
            "credential",
            "key",
            "cookie",
            "session",
            "sig",
            "authori[sz]",
            'auth(?:[^o"]|o[^r"])',
            "ssn",
            "sin",
            "nino",
            "passport",
            "national",
            "tax",
            "social",
            "cvv",
            "cvc",
            "otp",
            "card",
            "security",
            "cc[_-]?n",
        ]
        stems += [_glob_core(glob) for glob in self.fields + self.headers]
        inner = "|".join(stems)
        pairs = rf"(?:{inner})[A-Za-z0-9_.-]*\\*[\"']?[ \t]*[:=]"
        return f'(?i:\\\\?"[^"]*(?:{inner})[^"]*":|\\\\?"[^"]*auth":|{pairs})'


def _glob_core(glob: str) -> str:
    """A pattern for the longest literal run of a glob (the rest may be anything)."""
    runs = [r for r in re.split(r"[*?\[\]]", glob) if r]
    longest = max(runs, key=len) if runs else ""
    return re.escape(longest) if longest else "."
