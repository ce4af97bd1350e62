"""A revision's tree on disk, for probe workers to import the changed code from."""

from __future__ import annotations

import io
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from realitycheck.core.git import Git


@contextmanager
def revision_tree(git: Git, rev: str) -> Iterator[Path]:
    """Extract `rev`'s files (git archive) into a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="realitycheck-tree-") as tmp:
        data = git.run_bytes("archive", "--format=tar", rev)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            if sys.version_info >= (3, 12) or hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:  # pragma: no cover - old Pythons without extraction filters
                tar.extractall(tmp)
        yield Path(tmp)
