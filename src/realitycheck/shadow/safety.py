"""Which requests are copied, and what a copy carries: safe methods only, no credentials.

Only GET, HEAD and OPTIONS are copied unless a route is allowed explicitly (a candidate must
never repeat a payment because it was shadowed). Credentials (`Authorization`, cookies, API-key
headers and query parameters) are stripped from the copies unless allowed by name. Hop-by-hop
headers never cross the proxy in either direction; `X-Forwarded-*` tell the primary who asked.
"""

from __future__ import annotations

import fnmatch
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from realitycheck.core.config.replay import SAFE_METHODS
from realitycheck.core.config.shadow import CREDENTIAL_HEADERS, CREDENTIAL_PARAMS, ShadowConfig
from realitycheck.corpus.http import http_target, template_path

Headers = list[tuple[bytes, bytes]]

CACHE = 4096  # routes whose decisions are remembered

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"proxy-authenticate",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)


def route_of(method: str, path: str) -> str:
    """The route a request is grouped under, as the corpus names it (`http:GET /users/{id}`)."""
    return http_target(method, template_path(path))


def upstream_headers(
    headers: Iterable[tuple[bytes, bytes]],
    client: tuple[str, int] | None,
    scheme: str,
) -> Headers:
    """The client's headers as the primary gets them: hop-by-hop and Host dropped,
    `X-Forwarded-For` extended, `X-Forwarded-Proto` and `X-Forwarded-Host` set."""
    out: Headers = []
    forwarded_for = host = b""
    for name, value in headers:
        low = name.lower()
        if low in HOP_BY_HOP:
            continue
        if low == b"host":
            host = value
            continue
        if low == b"x-forwarded-for":
            forwarded_for = value
            continue
        if low in (b"x-forwarded-proto", b"x-forwarded-host"):
            continue
        out.append((name, value))
    if client is not None:
        ip = client[0].encode("latin-1")
        forwarded_for = forwarded_for + b", " + ip if forwarded_for else ip
    if forwarded_for:
        out.append((b"x-forwarded-for", forwarded_for))
    out.append((b"x-forwarded-proto", scheme.encode("latin-1")))
    if host:
        out.append((b"x-forwarded-host", host))
    return out


def response_headers(headers: Iterable[tuple[bytes, bytes]]) -> Headers:
    """The primary's response headers as the client gets them (hop-by-hop dropped)."""
    return [(n, v) for n, v in headers if n.lower() not in HOP_BY_HOP]


@dataclass
class Policy:
    """The sampling and safety rules of one proxy."""

    rate: float = 1.0
    rates: dict[str, float] = field(default_factory=dict)
    allow_routes: Sequence[str] = ()
    allow_credentials: frozenset[str] = frozenset()
    credential_headers: frozenset[bytes] = frozenset(h.encode() for h in CREDENTIAL_HEADERS)
    credential_params: frozenset[str] = frozenset(CREDENTIAL_PARAMS)
    chance: random.Random = field(default_factory=random.Random)
    _allowed: dict[str, bool] = field(default_factory=dict, repr=False)
    _shares: dict[str, float] = field(default_factory=dict, repr=False)

    @classmethod
    def from_config(cls, config: ShadowConfig) -> Policy:
        """The policy `[shadow]` asks for."""
        allowed = frozenset(config.allow_credentials)
        headers = {*CREDENTIAL_HEADERS, *config.credential_headers} - allowed
        params = {*CREDENTIAL_PARAMS, *(p.lower() for p in config.credential_params)} - allowed
        return cls(
            rate=config.rate,
            rates=dict(config.rates),
            allow_routes=tuple(config.allow_routes),
            allow_credentials=allowed,
            credential_headers=frozenset(h.encode() for h in headers),
            credential_params=frozenset(params),
        )

    def refused(self, method: str, route: str) -> str | None:
        """Why a request may not be copied at all (an unsafe method), or None."""
        if method in SAFE_METHODS or self._allowed_route(route):
            return None
        return "unsafe-method"

    def _allowed_route(self, route: str) -> bool:
        known = self._allowed.get(route)
        if known is None:
            known = any(fnmatch.fnmatchcase(route, _target(p)) for p in self.allow_routes)
            if len(self._allowed) < CACHE:
                self._allowed[route] = known
        return known

    def share(self, route: str) -> float:
        """The share of a route's requests that is copied (the first matching pattern wins)."""
        known = self._shares.get(route)
        if known is None:
            known = next(
                (s for p, s in self.rates.items() if fnmatch.fnmatchcase(route, _target(p))),
                self.rate,
            )
            if len(self._shares) < CACHE:
                self._shares[route] = known
        return known

    def sampled(self, route: str) -> bool:
        """Whether to copy this request of `route`."""
        share = self.share(route)
        return share >= 1.0 or (share > 0.0 and self.chance.random() < share)

    def copy_headers(self, headers: Headers) -> tuple[Headers, list[str]]:
        """Headers for a copy, credentials stripped; and the names stripped."""
        out: Headers = []
        stripped: list[str] = []
        for name, value in headers:
            if name.lower() in self.credential_headers:
                stripped.append(name.decode("latin-1").lower())
            else:
                out.append((name, value))
        return out, stripped

    def copy_query(self, query: bytes) -> tuple[bytes, list[str]]:
        """The query string for a copy, credential parameters removed; and their names."""
        if not query:
            return query, []
        text = query.decode("latin-1")
        pairs = parse_qsl(text, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if k.lower() not in self.credential_params]
        if len(kept) == len(pairs):
            return query, []
        names = sorted({k.lower() for k, _ in pairs if k.lower() in self.credential_params})
        return urlencode(kept).encode("latin-1"), [f"?{n}" for n in names]


def _target(pattern: str) -> str:
    return pattern if pattern.startswith("http:") else "http:" + pattern
