"""The process's recorder: None until capture is configured (then the decorator records)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from realitycheck.corpus.capture.recorder import Recorder

CURRENT: Recorder | None = None
