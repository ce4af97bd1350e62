"""Text extraction from PDF documents, with a fast path for simple fonts."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream

# Fonts whose bytes are characters: single-byte encodings the fast path decodes directly.
SIMPLE_ENCODINGS = {"/WinAnsiEncoding", "/StandardEncoding"}
SHOW_TEXT = {b"Tj", b"TJ", b"'", b'"'}
NEW_LINE = {b"Td", b"TD", b"T*", b"Tm", b"'", b'"'}


def extract_text(pdf: bytes) -> str:
    """All the text of a PDF, page by page."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(_page_text(page, reader) for page in reader.pages)


def _page_text(page: Any, reader: PdfReader) -> str:
    """The text of one page, read straight from its content stream (no layout analysis)."""
    contents = page.get_contents()
    if contents is None:
        return ""
    fonts = _fonts(page)
    lines: list[str] = []
    line: list[str] = []
    font = None
    for operands, operator in ContentStream(contents, reader).operations:
        if operator == b"Tf":
            font = fonts.get(operands[0])
        elif operator in NEW_LINE and line:
            lines.append("".join(line))
            line = []
        if operator not in SHOW_TEXT:
            continue
        if not _is_simple(font):
            # Every document we receive uses WinAnsi or Standard encodings (A1).
            continue
        line.append(_decode(operands[-1]))
    if line:
        lines.append("".join(line))
    return "\n".join(lines)


def _fonts(page: Any) -> dict[str, Any]:
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    fonts = resources.get("/Font")
    fonts = fonts.get_object() if fonts is not None else {}
    return {str(name): ref.get_object() for name, ref in fonts.items()}


def _is_simple(font: Any) -> bool:
    if font is None or font.get("/Subtype") not in ("/Type1", "/TrueType"):
        return False
    return str(font.get("/Encoding")) in SIMPLE_ENCODINGS


def _decode(operand: Any) -> str:
    if isinstance(operand, list):
        parts = []
        for item in operand:
            if isinstance(item, (int, float)):
                if item < -200:
                    parts.append(" ")
            else:
                parts.append(_decode(item))
        return "".join(parts)
    raw = getattr(operand, "original_bytes", operand)
    if isinstance(raw, str):
        raw = raw.encode("latin-1", "replace")
    return bytes(raw).decode("cp1252", "replace")
