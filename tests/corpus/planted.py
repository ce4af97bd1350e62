"""Planted secrets and PII: realistic values of many kinds, placed in every part of a request.

Values are generated here (deterministically) in the formats the providers document; the test
then looks for each one, verbatim, in everything the corpus wrote.
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

ALNUM = string.ascii_letters + string.digits


def _luhn_complete(digits: str) -> str:
    for check in string.digits:
        candidate = digits + check
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch)
            if i % 2 == 1:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _iban(rng: random.Random) -> str:
    bban = "WEST" + "".join(rng.choice(string.digits) for _ in range(14))
    number = "".join(str(int(ch, 36)) for ch in bban + "GB00")
    check = 98 - int(number) % 97
    raw = f"GB{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4)) if rng.random() < 0.5 else raw


def _b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _pick(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def make_value(kind: str, rng: random.Random, n: int) -> str:
    """One planted value of a kind."""
    first = rng.choice(["olivia", "liam", "amara", "kenji", "sofia", "mateo", "priya", "jonas"])
    if kind == "email":
        domain = rng.choice(["gmail.com", "outlook.com", "acme-corp.io", "posteo.de"])
        return f"{first}.{_pick(rng, 6, string.ascii_lowercase)}{n}@{domain}"
    if kind == "phone":
        return rng.choice(
            [
                f"+44 20 7946 {rng.randint(1000, 9999)}",
                f"+1 415-555-{rng.randint(1000, 9999)}",
                f"(212) 555-{rng.randint(1000, 9999)}",
                f"+49 30 {rng.randint(100000, 999999)}{rng.randint(10, 99)}",
            ]
        )
    if kind == "card":
        body = rng.choice(["4", "51", "52", "55"])
        digits = _luhn_complete(
            body + "".join(rng.choice(string.digits) for _ in range(15 - len(body)))
        )
        if rng.random() < 0.5:
            return " ".join(digits[i : i + 4] for i in range(0, 16, 4))
        return digits
    if kind == "ssn":
        return f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    if kind == "nino":
        return (
            rng.choice("ACEHJKLMPRSWXY")
            + rng.choice("ACEHJLMPRSWXY")
            + f"{rng.randint(100000, 999999)}"
            + rng.choice("ABCD")
        )
    if kind == "iban":
        return _iban(rng)
    if kind == "sin":
        digits = _luhn_complete(
            str(rng.randint(1, 7)) + "".join(rng.choice(string.digits) for _ in range(7))
        )
        sep = rng.choice([" ", "-"])
        return sep.join((digits[:3], digits[3:6], digits[6:]))
    if kind == "aws":
        return "AKIA" + _pick(rng, 16, string.ascii_uppercase + string.digits)
    if kind == "github":
        return "ghp_" + _pick(rng, 36)
    if kind == "slack":
        return f"xoxb-{rng.randint(10**10, 10**11)}-{rng.randint(10**11, 10**12)}-{_pick(rng, 24)}"
    if kind == "stripe":
        return "sk_live_" + _pick(rng, 24)
    if kind == "google":
        return "AIza" + _pick(rng, 35, ALNUM + "_-")
    if kind == "openai":
        return "sk-proj-" + _pick(rng, 48)
    if kind == "sendgrid":
        return "SG." + _pick(rng, 22) + "." + _pick(rng, 43)
    if kind == "npm":
        return "npm_" + _pick(rng, 36)
    if kind == "jwt":
        head = _b64url({"alg": "HS256", "typ": "JWT"})
        body = _b64url({"sub": str(n), "name": first, "iat": 1700000000 + n})
        return f"{head}.{body}.{_pick(rng, 43, ALNUM + '_-')}"
    if kind == "password":
        return "Pw!" + _pick(rng, 14)
    if kind == "private-key":
        lines = [_pick(rng, 64, ALNUM + "+/") for _ in range(3)]
        return (
            "-----BEGIN RSA PRIVATE KEY-----\n"
            + "\n".join(lines)
            + "\n-----END RSA PRIVATE KEY-----"
        )
    raise ValueError(kind)


SCANNED = [
    "email",
    "phone",
    "card",
    "ssn",
    "nino",
    "iban",
    "sin",
    "aws",
    "github",
    "slack",
    "stripe",
    "google",
    "openai",
    "sendgrid",
    "npm",
    "jwt",
    "private-key",
]
KINDS = [*SCANNED, "password"]


def needles(kind: str, value: str) -> list[str]:
    """What must not appear anywhere in the corpus for a planted value."""
    if kind == "private-key":
        return value.splitlines()[1:-1]  # the key's body; the BEGIN/END lines are kept
    return [value]


@dataclass
class Request:
    """One HTTP exchange carrying planted values everywhere."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes
    content_type: str
    response: dict[str, object]
    planted: list[tuple[str, str]] = field(default_factory=list)

    @property
    def url_path(self) -> str:
        return self.path + ("?" + urlencode(self.query) if self.query else "")


class Planter:
    """Hands out fresh planted values and remembers them."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.planted: list[tuple[str, str]] = []
        self.n = 0

    def take(self, kind: str | None = None) -> str:
        kind = kind or self.rng.choice(SCANNED)
        self.n += 1
        value = make_value(kind, self.rng, self.n)
        self.planted.append((kind, value))
        return value

    def kinds(self) -> set[str]:
        return {k for k, _ in self.planted}

    def all_needles(self) -> list[str]:
        return [n for k, v in self.planted for n in needles(k, v)]


def multipart(fields: list[tuple[str, str]], file_text: str, boundary: str) -> bytes:
    """A multipart/form-data body with text fields and one text file."""
    out = []
    for name, value in fields:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    out.append(
        f"--{boundary}\r\nContent-Disposition: form-data; "
        'name="attachment"; filename="note.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\n{file_text}\r\n"
    )
    out.append(f"--{boundary}--\r\n")
    return "".join(out).encode()


def requests(planter: Planter, count: int) -> list[Request]:
    """`count` requests, planting values in headers, query, and a JSON, form or multipart body."""
    out = []
    for i in range(count):
        take = planter.take
        headers = [
            ("Authorization", "Bearer " + take("jwt")),
            ("Cookie", f"session={take('github')}; theme=dark"),
            ("X-Api-Key", take("stripe")),
            ("X-Forwarded-Email", take("email")),
            ("Referer", "https://shop.example/account?email=" + quote(take("email"), safe="")),
        ]
        query = [("email", take("email")), ("api_key", take("google")), ("q", take("phone"))]
        style = i % 3
        note = f"call me on {take('phone')} or mail {take('email')}; card {take('card')}"
        if style == 0:
            content_type = "application/json"
            body = json.dumps(
                {
                    "customer": {
                        "email": take("email"),
                        "ssn": take("ssn"),
                        "password": take("password"),
                        "cards": [take("card"), int(take("card").replace(" ", ""))],
                    },
                    "iban": take("iban"),
                    "note": note,
                    "config": {"aws_key": take("aws"), "slack": take("slack"), "ni": take("nino")},
                    "free_text": f"deploy key {take('private-key')} and {take('openai')}",
                }
            ).encode()
        elif style == 1:
            content_type = "application/x-www-form-urlencoded"
            body = urlencode(
                [
                    ("email", take("email")),
                    ("password", take("password")),
                    ("note", note),
                    ("sin", take("sin")),
                    ("token", take("npm")),
                ]
            ).encode()
        else:
            boundary = f"----realitycheck{i:06d}"
            content_type = f"multipart/form-data; boundary={boundary}"
            body = multipart(
                [("email", take("email")), ("card", take("card")), ("note", note)],
                f"iban {take('iban')}\nsendgrid {take('sendgrid')}\nssn {take('ssn')}\n",
                boundary,
            )
        response = {"ok": True, "echo": take("email"), "contact": take("phone"), "id": i}
        out.append(
            Request(
                method="POST",
                path=f"/submit/{1000 + i}",
                query=query,
                headers=headers,
                body=body,
                content_type=content_type,
                response=response,
            )
        )
    return out
