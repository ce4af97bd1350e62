"""Fixtures of the corpus tests: a redaction key, a corpus folder, capture switched off after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from realitycheck.corpus.capture import state
from realitycheck.corpus.capture.control import disable
from realitycheck.corpus.redact import Redactor, load_key


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """A redaction key outside the corpus."""
    path = tmp_path / "keys" / "redaction.key"
    load_key(path)
    return path


@pytest.fixture
def redactor(key_file: Path) -> Redactor:
    """A redactor with the default rules."""
    return Redactor(load_key(key_file))


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """Where a test's corpus goes (not created)."""
    return tmp_path / "corpus"


@pytest.fixture(autouse=True)
def no_capture() -> Iterator[None]:
    """Every test starts and ends with capture off for the process."""
    disable()
    yield
    disable()
    state.CURRENT = None


def raw_corpus_text(root: Path) -> str:
    """Everything a corpus folder holds, decompressed: every Parquet value, blobs, other files."""
    parts: list[str] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            for column in table.columns:
                parts += [str(v) for v in column.to_pylist()]
            parts.append(str(pq.read_metadata(path).metadata))
        else:
            parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)
