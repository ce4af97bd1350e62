"""Planted secrets in hidden forms: glued to `+`, URL-encoded, JSON held as a string, base64
of text, after a JSON escape, behind markers in free text (`Cookie:`, `Authorization:`, …).

Each form is written as the campaign that found the leaks wrote it. A needle is what must not
appear on disk: the value in the form it was planted in (a base64 run is its own needle: kept
as it was, it would carry the secret).
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from .planted import ALNUM, make_value

HIDDEN_KINDS = (
    "card-plus",
    "card-dashed-plus",
    "pem-url-encoded",
    "json-string-token",
    "json-string-password",
    "json-in-json",
    "cookie-line",
    "bearer-line",
    "session-form",
    "api-key-line",
    "secret-pair-text",
    "base64-json",
    "after-newline",
    "after-tab-escape",
)


@dataclass
class Hidden:
    """Hands out texts that hide fresh secrets, and remembers what must never reach disk."""

    seed: int
    needles: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.n = 0

    def _opaque(self, n: int = 20) -> str:
        """A secret with no recognisable format: only its name or marker gives it away."""
        return "".join(self.rng.choice(ALNUM) for _ in range(n))

    def _plant(self, kind: str, needle: str) -> str:
        self.needles.append((kind, needle))
        return needle

    def text(self, kind: str) -> str:
        """A text hiding one secret of a hidden kind."""
        self.n += 1
        rng, n = self.rng, self.n
        if kind in ("card-plus", "card-dashed-plus"):
            card = make_value("card", rng, n).replace(" ", "")
            if kind == "card-dashed-plus":
                card = "-".join(card[i : i + 4] for i in range(0, 16, 4))
                return f"ctx+{self._plant(kind, card)}+end"
            return f"x+{self._plant(kind, card)}+y"
        if kind == "pem-url-encoded":
            pem = make_value("private-key", rng, n)
            encoded = quote_plus(pem)
            for line in pem.splitlines()[1:-1]:
                self._plant(kind, quote_plus(line))
            return f"key={encoded}&next=1"
        if kind == "json-string-token":
            return json.dumps({"access_token": self._plant(kind, self._opaque()), "n": n})
        if kind == "json-string-password":
            return json.dumps({"user": "kenji", "password": self._plant(kind, self._opaque(12))})
        if kind == "json-in-json":
            inner = json.dumps({"refresh_token": self._plant(kind, self._opaque())})
            return json.dumps({"payload": inner, "ok": True})
        if kind == "cookie-line":
            return f"GET /x HTTP/1.1\nCookie: sid={self._plant(kind, self._opaque())}; theme=dark\n"
        if kind == "bearer-line":
            return f"retrying with Authorization: Bearer {self._plant(kind, self._opaque(12))}"
        if kind == "session-form":
            return f"a=1&session={self._plant(kind, self._opaque())}&b=2"
        if kind == "api-key-line":
            return f"headers were X-Api-Key: {self._plant(kind, self._opaque(24))} (sent)"
        if kind == "secret-pair-text":
            return f'config {{"client_secret": "{self._plant(kind, self._opaque())}"}} loaded'
        if kind == "base64-json":
            doc = json.dumps({"password": self._opaque(16), "user": "amara"}).encode()
            return "blob " + self._plant(kind, base64.b64encode(doc).decode()) + " end"
        if kind == "after-newline":
            aws = "AKIA" + "".join(
                rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)
            )
            return f"first line\n{self._plant(kind, aws)} second"
        if kind == "after-tab-escape":
            github = "ghp_" + self._opaque(36)
            return f"col\t{self._plant(kind, github)}"
        raise ValueError(kind)

    def texts(self) -> list[str]:
        """One text of every hidden kind."""
        return [self.text(kind) for kind in HIDDEN_KINDS]

    def leaked(self, raw: str) -> list[tuple[str, str]]:
        """The needles found in everything written."""
        return [(k, v) for k, v in self.needles if v in raw]
