"""Text extraction from PDF documents."""

from __future__ import annotations


def extract_text(pdf: bytes) -> str:
    """All the text of a PDF, page by page."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
