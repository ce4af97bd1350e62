"""Tests for the fast text extraction path."""

from __future__ import annotations

from docsvc.extract import extract_text


def make_pdf(pages: list[bytes]) -> bytes:
    """A minimal PDF whose pages draw the given content streams with Helvetica."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for content in pages:
        stream = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
        objects.append(stream)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_single_page() -> None:
    pdf = make_pdf([b"BT /F1 12 Tf 72 720 Td (Hello world) Tj ET"])
    assert extract_text(pdf) == "Hello world"


def test_lines_and_pages() -> None:
    pdf = make_pdf(
        [
            b"BT /F1 12 Tf 72 720 Td (Invoice 2024-117) Tj 0 -14 Td (Total: 42.00 EUR) Tj ET",
            b"BT /F1 12 Tf 72 720 Td (Page two) Tj ET",
        ]
    )
    assert extract_text(pdf) == "Invoice 2024-117\nTotal: 42.00 EUR\nPage two"


def test_kerned_text() -> None:
    pdf = make_pdf([b"BT /F1 12 Tf 72 720 Td [(Ke) 20 (rned) -500 (words)] TJ ET"])
    assert extract_text(pdf) == "Kerned words"


def test_accented_characters() -> None:
    pdf = make_pdf([b"BT /F1 12 Tf 72 720 Td (Caf\\351 cr\\350me) Tj ET"])
    assert extract_text(pdf) == "Café crème"


def test_empty_page() -> None:
    assert extract_text(make_pdf([b""])) == ""
