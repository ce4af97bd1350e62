"""aiohttp client sessions set up to add nothing to what is forwarded.

No automatic headers, no redirects, no cookie jar, no decompression (bodies pass as they came),
no proxy or credentials from the environment. Both the proxy (towards the primary) and the
worker (towards the candidate and the secondary) use one, for its C-accelerated HTTP parser.
"""

from __future__ import annotations

import aiohttp
import httpx
from yarl import URL

Pairs = list[tuple[bytes, bytes]]


def session(*, limit: int, connect: float | None, total: float | None) -> aiohttp.ClientSession:
    """A session with at most `limit` connections (0: no limit) and these timeouts."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, ttl_dns_cache=300),
        timeout=aiohttp.ClientTimeout(total=total, sock_connect=connect),
        auto_decompress=False,
        cookie_jar=aiohttp.DummyCookieJar(),
        skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
        trust_env=False,
    )


def base_of(upstream: httpx.URL) -> str:
    """The upstream's scheme, host, port and path prefix, without a trailing slash."""
    return str(upstream.copy_with(query=None)).rstrip("/")


def target_url(base: str, target: bytes) -> URL:
    """The upstream URL of a request target (path and query), its bytes kept as they are."""
    return URL(base + target.decode("latin-1"), encoded=True)


def str_pairs(headers: Pairs) -> list[tuple[str, str]]:
    """Header pairs as aiohttp takes them."""
    return [(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers]
