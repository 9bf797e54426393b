"""Real documents for upload tests, made with the same libraries that check them: a one-page
PDF, PNG and JPEG pictures, and hostile variants of each."""

import io

from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript


def pdf_bytes(*, javascript: str = "", attachment: bytes = b"", password: str = "") -> bytes:
    """Return a one-page PDF; optionally with document JavaScript, an embedded file or
    encrypted with ``password``."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4 in points
    if javascript:  # run when the document opens
        writer.add_open_action(JavaScript(javascript))
    if attachment:
        writer.add_attachment("payload.exe", attachment)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    """Return a small picture in ``fmt`` (PNG or JPEG)."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format=fmt)
    return out.getvalue()
