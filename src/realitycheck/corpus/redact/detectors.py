"""The scanner's detectors: secret and PII formats found in any text, with their checks.

Patterns are RE2 (linear time, so a hostile input cannot stall a host app). A detector's named
group `s` is the part that is replaced; what lies outside it (a key's public prefix such as
`ghp_`, the `-----BEGIN … PRIVATE KEY-----` lines) is kept so the token still says what it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from realitycheck.corpus.redact.shape import iban_fix, iban_valid, luhn_fix, luhn_valid, mask


@dataclass(frozen=True)
class Detector:
    """One kind of secret or PII, as a pattern and an optional validity check."""

    kind: str
    pattern: str
    check: Callable[[str], bool] | None = None
    fix: Callable[[str], str] | None = None
    masker: Callable[[bytes, str], str] | None = None

    def replace(self, key: bytes, secret: str) -> str:
        """The shape-preserving token for `secret`."""
        token = self.masker(key, secret) if self.masker else mask(key, secret)
        return self.fix(token) if self.fix else token


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def card_number(text: str) -> bool:
    """A payment card number: 13–19 digits, a known issuer prefix, and the Luhn check."""
    digits = _digits(text)
    if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
        return False
    two, four = int(digits[:2]), int(digits[:4])
    return (
        digits[0] == "4"
        or 51 <= two <= 55
        or 2221 <= four <= 2720
        or two in (34, 37, 35, 36, 38, 39, 62, 65)
        or digits.startswith(("6011", "644", "645", "646", "647", "648", "649", "300", "301"))
    )


def us_ssn(text: str) -> bool:
    """A US social security number: valid area, group and serial, one kind of separator."""
    if len({ch for ch in text if not ch.isdigit()}) > 1:
        return False
    digits = _digits(text)
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def ca_sin(text: str) -> bool:
    """A Canadian social insurance number: nine digits passing Luhn, not starting 0 or 8."""
    digits = _digits(text)
    return len(digits) == 9 and digits[0] not in "08" and luhn_valid(digits)


def uk_nino(text: str) -> bool:
    """A UK national insurance number with an allocated prefix."""
    return text[:2].upper() not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ")


def phone_number(text: str) -> bool:
    """An international phone number: `+`, then 8 to 15 digits."""
    return 8 <= len(_digits(text)) <= 15 and text.count("(") == text.count(")")


def national_phone(text: str) -> bool:
    """A national-format phone number (US or UK style)."""
    digits = _digits(text)
    return 10 <= len(digits) <= 11 and digits[0] != "1"


def mask_iban(key: bytes, iban: str) -> str:
    """An IBAN with its account replaced, keeping the country (check digits are redone)."""
    return iban[:2] + mask(key, iban)[2:]


def mask_card(key: bytes, card: str) -> str:
    """A card number with its digits replaced, keeping the issuer's first digit."""
    return card[0] + mask(key, card)[1:]


def mask_email(key: bytes, email: str) -> str:
    """An email with its local part and domain replaced, keeping `@`, dots and the TLD."""
    sep = "@" if "@" in email else "%40"
    local, _, domain = email.rpartition(sep)
    host, dot, tld = domain.rpartition(".")
    token = mask(key, local + "@" + host).replace("@", sep)
    return token + dot + tld


DETECTORS: tuple[Detector, ...] = (
    Detector(
        "private-key",
        r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----(?P<s>[\s\S]*?)"
        r"(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|\z)",
    ),
    Detector(
        "aws-access-key", r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA)(?P<s>[A-Z0-9]{16})\b"
    ),
    Detector(
        "aws-secret-key",
        r"(?i:aws_?secret_?access_?key)[\"']?\s*[:=]\s*[\"']?(?P<s>[A-Za-z0-9/+]{40})",
    ),
    Detector("github-token", r"\b(?:gh[pousr]_|github_pat_)(?P<s>[A-Za-z0-9_]{22,255})\b"),
    Detector("gitlab-token", r"\bglpat-(?P<s>[A-Za-z0-9_-]{20,})"),
    Detector("slack-token", r"\bxox[abposr]-(?P<s>[A-Za-z0-9-]{10,})"),
    Detector("slack-webhook", r"https://hooks\.slack\.com/services/(?P<s>[A-Za-z0-9/_-]{20,})"),
    Detector("stripe-key", r"\b(?:sk|rk)_(?:live|test)_(?P<s>[A-Za-z0-9]{16,})"),
    Detector("stripe-webhook-secret", r"\bwhsec_(?P<s>[A-Za-z0-9+/=]{24,})"),
    Detector("google-api-key", r"\bAIza(?P<s>[0-9A-Za-z_-]{35})"),
    Detector("google-oauth-secret", r"\bGOCSPX-(?P<s>[A-Za-z0-9_-]{20,})"),
    Detector("anthropic-key", r"\bsk-ant-(?:api|admin|sid)\d\d-(?P<s>[A-Za-z0-9_-]{20,})"),
    Detector("openai-key", r"\bsk-(?:proj-|svcacct-|admin-)?(?P<s>[A-Za-z0-9_-]{32,})"),
    Detector("twilio-key", r"\bSK(?P<s>[0-9a-fA-F]{32})\b"),
    Detector("sendgrid-key", r"\bSG\.(?P<s>[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})\b"),
    Detector("npm-token", r"\bnpm_(?P<s>[A-Za-z0-9]{36})\b"),
    Detector("pypi-token", r"\bpypi-(?P<s>AgE[A-Za-z0-9_-]{50,})"),
    Detector(
        "azure-key",
        r"(?i:AccountKey|SharedAccessKey|SharedAccessSignature)=(?P<s>[A-Za-z0-9+/%]{20,}={0,2})",
    ),
    Detector("jwt", r"\beyJ(?P<s>[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)"),
    Detector("url-credentials", r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@\"]+:(?P<s>[^\s/@\"]+)@"),
    Detector("bearer-token", r"(?i:\bbearer)\s+(?P<s>[A-Za-z0-9._~+/-]{16,}=*)"),
    Detector(
        "secret-assignment",
        r"(?i:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token)"
        r"[\"']?\s*[:=]\s*[\"']?(?P<s>[^\s\"',;&]{4,})",
    ),
    Detector(
        "email",
        r"\b(?P<s>[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b",
        masker=mask_email,
    ),
    Detector(
        "iban",
        r"\b(?P<s>[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b",
        check=iban_valid,
        fix=iban_fix,
        masker=mask_iban,
    ),
    Detector(
        "uk-nino",
        r"\b(?P<s>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D])\b",
        check=uk_nino,
    ),
    Detector(
        "card-number",
        r"\b(?P<s>[2-6]\d(?:[ -]?\d){11,17})\b",
        check=card_number,
        fix=luhn_fix,
        masker=mask_card,
    ),
    Detector("us-ssn", r"\b(?P<s>\d{3}[- ]\d{2}[- ]\d{4})\b", check=us_ssn),
    Detector("ca-sin", r"\b(?P<s>\d{3}[ -]\d{3}[ -]\d{3})\b", check=ca_sin),
    Detector("phone", r"(?P<s>\+[1-9][0-9 ().-]{6,20}[0-9])", check=phone_number),
    Detector(
        "phone",
        r"(?P<s>\(\d{3}\) ?\d{3}[ .-]\d{4}|\b\d{3}[.-]\d{3}[.-]\d{4}"
        r"|\b0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4})\b",
        check=national_phone,
    ),
)


def detector_kinds() -> list[str]:
    """The names of the built-in detectors."""
    return sorted({d.kind for d in DETECTORS})
