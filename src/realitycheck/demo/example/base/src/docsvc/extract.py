"""Text extraction from PDF documents."""

from __future__ import annotations

import io

from pypdf import PdfReader


def extract_text(pdf: bytes) -> str:
    """All the text of a PDF, page by page, with pypdf's layout-aware extraction."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
