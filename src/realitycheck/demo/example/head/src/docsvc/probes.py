"""Probes realitycheck runs on recorded samples, for facts that are not JSON fields."""

from __future__ import annotations

import io


def font_encodings(pdf: bytes) -> list[str]:
    """The encoding of every font the PDF's pages use, as the fast path reads it."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        if fonts is None:
            continue
        for ref in fonts.get_object().values():
            encoding = ref.get_object().get("/Encoding")
            if encoding is None:
                found.add("built-in (no /Encoding)")
                continue
            encoding = encoding.get_object()
            if hasattr(encoding, "keys"):  # a dictionary: /Differences over a base encoding
                base = encoding.get("/BaseEncoding")
                found.add(f"Differences over {str(base)[1:]}" if base else "Differences")
            else:
                found.add(str(encoding).lstrip("/"))
    return sorted(found)
