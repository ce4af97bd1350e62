"""A Redactor built from the `[corpus.redaction]` configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realitycheck.core.config.corpus import RedactionConfig
from realitycheck.corpus.redact.detectors import DETECTORS, Detector
from realitycheck.corpus.redact.key import default_key_file, load_key
from realitycheck.corpus.redact.redactor import Redactor, Rules


def key_path(
    corpus_dir: Path,
    config: RedactionConfig | None = None,
    key_file: Path | None = None,
    root: Path | None = None,
) -> Path:
    """The key file: given explicitly, else configured (relative to `root`), else the default."""
    if key_file is not None:
        return Path(key_file).expanduser()
    if config is not None and config.key_file:
        path = Path(config.key_file).expanduser()
        return path if path.is_absolute() or root is None else root / path
    return default_key_file(corpus_dir)


def rules_from_config(config: RedactionConfig | None) -> Rules:
    """The redaction rules a configuration asks for."""
    if config is None:
        return Rules()
    custom = tuple(Detector(rule.name, rule.regex) for rule in config.patterns)
    return Rules(
        detectors=custom + DETECTORS,
        fields=config.fields,
        headers=config.headers,
        allow_names=config.allow_names,
        allow_paths=config.allow_paths,
        allow_values=config.allow_values,
        scan=config.scan,
        binary_blobs=config.binary_blobs,
        disabled=tuple(config.disable),
    )


def build_redactor(
    corpus_dir: Path,
    config: RedactionConfig | None = None,
    *,
    key_file: Path | None = None,
    root: Path | None = None,
) -> Redactor:
    """A Redactor with the configured rules and the key (created when missing)."""
    key = load_key(key_path(corpus_dir, config, key_file, root))
    return Redactor(key, rules_from_config(config))


def rules_to_json(rules: Rules) -> dict[str, object]:
    """Redaction rules as plain data (custom detectors by pattern, built-in ones implied)."""
    return {
        "custom": [[d.kind, d.pattern] for d in rules.detectors if d not in DETECTORS],
        "fields": list(rules.fields),
        "headers": list(rules.headers),
        "allow_names": list(rules.allow_names),
        "allow_paths": list(rules.allow_paths),
        "allow_values": list(rules.allow_values),
        "scan": rules.scan,
        "binary_blobs": rules.binary_blobs,
        "disabled": list(rules.disabled),
    }


def rules_from_json(data: dict[str, Any]) -> Rules:
    """The inverse of `rules_to_json`."""
    custom = tuple(Detector(kind, pattern) for kind, pattern in data["custom"])
    return Rules(
        detectors=custom + DETECTORS,
        fields=data["fields"],
        headers=data["headers"],
        allow_names=data["allow_names"],
        allow_paths=data["allow_paths"],
        allow_values=data["allow_values"],
        scan=data["scan"],
        binary_blobs=data["binary_blobs"],
        disabled=tuple(data["disabled"]),
    )
