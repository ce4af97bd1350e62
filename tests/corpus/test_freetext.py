"""Free-text name rules and decoded forms: deterministic, shape-keeping, and quiet on clean text."""

from __future__ import annotations

import json
from urllib.parse import quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from realitycheck.corpus.redact import Redactor

from .hidden import HIDDEN_KINDS, Hidden
from .test_redact import NOT_SECRETS

R = Redactor(b"k" * 32)
HIDDEN = Hidden(7)
PIECES = [HIDDEN.text(kind) for kind in HIDDEN_KINDS for _ in range(2)]
texts = st.lists(
    st.sampled_from(PIECES) | st.text(alphabet="aZ09 _-.:=&+%/\n", max_size=12), max_size=6
).map(" ".join)


@settings(max_examples=200)
@given(texts)
def test_redaction_is_deterministic_and_keeps_the_length(text: str) -> None:
    once = R.text(text)
    assert R.text(text) == once
    assert len(once) == len(text)


def test_every_hidden_form_is_found_and_keeps_its_frame() -> None:
    for kind in HIDDEN_KINDS:
        hidden = Hidden(99)
        text = hidden.text(kind)
        out = R.text(text)
        assert all(needle not in out for _, needle in hidden.needles), (kind, out)
        assert len(out) == len(text)


def test_the_same_secret_gives_the_same_token_in_every_form() -> None:
    secret = "s3cr3tValue42xyz"
    plain = R.text(f"password={secret}")
    in_json = R.text(json.dumps({"password": secret}))
    encoded = R.text("x=1&password=" + quote_plus(secret))
    token = plain.split("=", 1)[1]
    assert json.loads(in_json)["password"] == token
    assert encoded.endswith(token)


def test_json_held_as_text_keeps_its_layout() -> None:
    for dumps in (
        json.dumps,
        lambda v: json.dumps(v, separators=(",", ":")),
        lambda v: json.dumps(v, indent=2),
    ):
        text = dumps({"user": "kenji", "client_secret": "abcdefgh12345", "n": [1, 2]})
        out = R.text(text)
        assert "abcdefgh12345" not in out and len(out) == len(text)
        assert json.loads(out)["user"] == "kenji" and json.loads(out)["n"] == [1, 2]


def test_clean_text_is_left_alone() -> None:
    for text in [*NOT_SECRETS, "a=1&b=2", "max_tokens=512", "author_association: OWNER"]:
        assert R.text(text) == text, text
