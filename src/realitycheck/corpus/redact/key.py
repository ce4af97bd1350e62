"""The redaction key: a secret kept outside the corpus, so tokens cannot be reversed by guessing."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from realitycheck.core.errors import ConfigError

KEY_FILE_NAME = "redaction.key"
MIN_KEY_BYTES = 16


def default_key_file(corpus_dir: Path) -> Path:
    """Where the key lives when none is configured: beside the corpus folder, not inside it."""
    return Path(corpus_dir).resolve().parent / KEY_FILE_NAME


def load_key(path: Path, *, create: bool = True) -> bytes:
    """The key in `path` (its stripped bytes), created with 32 random bytes when missing."""
    path = Path(path).expanduser()
    if not path.exists() and create:
        try:
            _create(path)
        except OSError as exc:  # named by the path given, not the temporary file's name
            raise ConfigError(
                f"cannot create the redaction key: {exc.strerror or exc}", path=path
            ) from None
    try:
        data = path.read_bytes().strip()
    except FileNotFoundError:
        raise ConfigError(
            "the redaction key file does not exist", path=path, hint="create it or set key_file"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the redaction key: {exc.strerror}", path=path) from None
    if len(data) < MIN_KEY_BYTES:
        raise ConfigError(
            f"the redaction key is shorter than {MIN_KEY_BYTES} bytes",
            path=path,
            hint="put at least 16 random bytes in it, e.g. `openssl rand -hex 32`",
        )
    return data


def _create(path: Path) -> None:
    """Create the key file atomically; when another process wins the race, keep its key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
