"""Redaction before anything touches disk: name rules, a secret and PII scanner, keyed tokens."""

from realitycheck.corpus.redact.detectors import DETECTORS, Detector, detector_kinds
from realitycheck.corpus.redact.key import default_key_file, load_key
from realitycheck.corpus.redact.redactor import Redactor, Rules
from realitycheck.corpus.redact.settings import build_redactor, key_path, rules_from_config

__all__ = [
    "DETECTORS",
    "Detector",
    "Redactor",
    "Rules",
    "build_redactor",
    "default_key_file",
    "detector_kinds",
    "key_path",
    "load_key",
    "rules_from_config",
]
