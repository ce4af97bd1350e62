"""Redaction: what is found, what is left alone, and the shape of what replaces it."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realitycheck.corpus.model import canonical_json
from realitycheck.corpus.redact import Redactor, Rules
from realitycheck.corpus.redact.detectors import DETECTORS, Detector
from realitycheck.corpus.redact.names import secret_header, secret_name
from realitycheck.corpus.redact.paths import PathPattern, format_path, parse_path
from realitycheck.corpus.redact.shape import iban_valid, luhn_valid, mask

KEY = b"k" * 32

FOUND = {
    "email": "write to jane.doe@acme-corp.io today",
    "aws-access-key": "key AKIAIOSFODNN7EXAMPLF here",
    "github-token": "token ghp_" + "aB3" * 12,
    "slack-token": "xoxb-123456789012-123456789012-abcdefghijklmnopqrstuvwx",
    "stripe-key": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "google-api-key": "AIza" + "SyA-1234567890abcdefghijklmnopqrstu",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "private-key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
    "-----END PRIVATE KEY-----",
    "card-number": "paid with 4242 4242 4242 4242",
    "us-ssn": "ssn 123-45-6789",
    "uk-nino": "NI number AB 12 34 56 C",
    "iban": "IBAN GB82 WEST 1234 5698 7654 32",
    "phone": "call +44 20 7946 0958",
    "url-credentials": "postgres://app:s3cretpw@db.internal:5432/app",
    "secret-assignment": "password=hunter22&user=x",
}

NOT_SECRETS = [
    "2024-05-01T12:00:00Z",
    "version 1.2.3.4 released",
    "550e8400-e29b-41d4-a716-446655440000",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b",
    "order 1714564800123 shipped",
    "https://example.org/docs/getting-started?page=2",
    "The quick brown fox jumps over the lazy dog",
    "4111111111111112",  # fails Luhn
    "000-12-3456",  # not an issued SSN
]


@pytest.mark.parametrize(("kind", "text"), sorted(FOUND.items()))
def test_each_kind_is_found(kind: str, text: str) -> None:
    redactor = Redactor(KEY)
    spans = redactor.scanner.spans(text)
    assert [d.kind for _, _, d in spans] == [kind]
    assert redactor.text(text) != text


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert Redactor(KEY).text(text) == text


def test_tokens_keep_shape_checksums_and_public_prefixes() -> None:
    redactor = Redactor(KEY)
    card = redactor.text("4242 4242 4242 4242")
    assert card[0] == "4" and len(card) == 19 and luhn_valid(card.replace(" ", ""))
    iban = redactor.text("GB82 WEST 1234 5698 7654 32")
    assert iban.startswith("GB") and iban_valid(iban)
    token = redactor.text("ghp_" + "aB3" * 12)
    assert token.startswith("ghp_") and len(token) == 40
    pem = redactor.text(FOUND["private-key"])
    assert pem.startswith("-----BEGIN PRIVATE KEY-----\n") and pem.endswith(
        "-----END PRIVATE KEY-----"
    )
    email = redactor.text("jane.doe@acme-corp.io")
    assert email.endswith(".io") and email.count("@") == 1 and email != "jane.doe@acme-corp.io"


def test_equal_secrets_give_equal_tokens_and_keys_matter() -> None:
    a, b = Redactor(KEY), Redactor(KEY)
    text = "jane.doe@acme-corp.io"
    assert a.text(text) == b.text(f" {text} ").strip()
    assert Redactor(b"another key 0123456789").text(text) != a.text(text)


@given(st.text(alphabet=string.ascii_letters + string.digits + "-_.@ +/", min_size=1, max_size=60))
@settings(max_examples=300)
def test_mask_keeps_length_and_character_classes(text: str) -> None:
    out = mask(KEY, text)
    assert len(out) == len(text)
    for before, after in zip(text, out, strict=True):
        assert before.isdigit() == after.isdigit()
        assert before.isupper() == after.isupper()
        assert before.islower() == after.islower()
        if not before.isalnum():
            assert before == after
    assert mask(KEY, text) == out


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("api_key", True),
        ("apiKey", True),
        ("X-API-KEY", True),
        ("client_secret", True),
        ("accessToken", True),
        ("session_id", True),
        ("card_number", True),
        ("ssn", True),
        ("auth", True),
        ("author_association", False),
        ("max_tokens", False),
        ("keyboard", False),
        ("key", False),
        ("monkey", False),
        ("name", False),
        ("authored_at", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert secret_name(name) is secret


def test_secret_headers() -> None:
    for name in (
        "Authorization",
        "Cookie",
        "Set-Cookie",
        "X-Auth-Token",
        "Ocp-Apim-Subscription-Key",
    ):
        assert secret_header(name)
    for name in ("Content-Type", "User-Agent", "Access-Control-Allow-Credentials", "X-Request-Id"):
        assert not secret_header(name)


def test_sample_paths_rules_and_allow_lists() -> None:
    rules = Rules(
        fields=["*_pin"],
        allow_paths=["$.input.body.contact.email", "$.input.headers['x-api-key']"],
        allow_values=["support@example.com"],
        detectors=(Detector("employee-id", r"\bEMP-(?P<s>\d{6})\b"), *DETECTORS),
    )
    redactor = Redactor(KEY, rules)
    sample_input = {
        "method": "POST",
        "path": "/x",
        "query": {"token": "abcdef123"},
        "headers": {
            "authorization": "Basic dXNlcjpwYXNz",
            "x-api-key": "k-1",
            "cookie": "a=1; b=2",
        },
        "body": {
            "card_pin": 1234,
            "contact": {"email": "kept@example.org", "note": "EMP-123456 asked"},
            "cc": "support@example.com",
            "items": [{"owner": "li@example.net"}],
        },
    }
    text = json.dumps(sample_input).encode()
    paths = redactor.sample(
        "http", sample_input, {"status": 200, "headers": {}, "body": None}, [text]
    )
    assert paths == [
        "$.input.query.token",
        "$.input.headers.authorization",
        "$.input.headers.cookie",
        "$.input.body.card_pin",
        "$.input.body.contact.note",
        "$.input.body.items[0].owner",
    ]
    assert sample_input["headers"]["authorization"].startswith("Basic ")
    assert (
        sample_input["headers"]["cookie"].startswith("a=")
        and "; b=" in sample_input["headers"]["cookie"]
    )
    assert sample_input["headers"]["x-api-key"] == "k-1"
    assert sample_input["body"]["contact"]["email"] == "kept@example.org"
    assert sample_input["body"]["contact"]["note"].startswith(
        "EMP-"
    ) and "123456" not in text.decode().replace("EMP-123456", "")
    assert sample_input["body"]["cc"] == "support@example.com"
    assert isinstance(sample_input["body"]["card_pin"], int)


def test_disabled_kinds_and_clean_samples_skip_the_walk() -> None:
    redactor = Redactor(KEY, Rules(disabled=("phone",)))
    assert redactor.text("call +44 20 7946 0958") == "call +44 20 7946 0958"
    clean = {"args": {"n": 1, "name": "widget"}}
    assert not redactor.needs_walk(json.dumps(clean).encode())
    assert redactor.needs_walk(b'{"password":"x"}')


@given(
    st.lists(
        st.one_of(st.integers(min_value=0, max_value=50), st.text(min_size=1, max_size=12)),
        max_size=6,
    )
)
def test_paths_round_trip(components: list[str | int]) -> None:
    assert parse_path(format_path(components)) == components


def test_path_patterns() -> None:
    assert PathPattern("$.input.body.items[*].email").matches(
        ["input", "body", "items", 3, "email"]
    )
    assert PathPattern("$.input.headers.X-Api-Key").matches(["input", "headers", "x-api-key"])
    assert PathPattern("$.**.email").matches(["input", "body", "a", "b", "email"])
    assert PathPattern("$.input.body").matches(["input", "body", "deep", 0])
    assert not PathPattern("$.input.body.*.email").matches(["input", "body", 0, "email"])


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=5), c, max_size=4),
        max_leaves=15,
    )
)
def test_canonical_json_matches_sorted_compact_json(value: object) -> None:
    assert canonical_json(value) == json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
