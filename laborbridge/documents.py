"""Uploaded documents (a scanned contract, a phone photo of a work certificate): what they are
and whether they are safe to keep and hand to the next reader.

No signature scanner ships with the project: county networks are often closed, and a virus
scanner is only as good as signature updates it cannot fetch there. What can be checked
without them is checked here, on the bytes and never on the name or the browser's type:

- the type, by its first bytes: PDF, PNG or JPEG only;
- a PDF is parsed whole and refused when it is encrypted (nothing in it can be checked),
  broken, or carries *active content* — JavaScript, launch / submit / import actions, embedded
  files, rich media, XFA forms — the ways a PDF attacks the reader who opens it. The walk
  covers every object reachable from the trailer, compressed object streams included (a
  search of the raw bytes would miss those);
- an image is decoded in full (a truncated or corrupt file fails), must be the format its first
  bytes claim, must stay under ``MAX_IMAGE_PIXELS`` (a decompression bomb is refused before it
  is decoded), and may not carry another file after its end (an archive or a program glued
  to a picture).

Each refusal is a ``ValidationError`` whose message says what is wrong in words an official
can act on.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A phone photo is 12–50 megapixels; a scanned A4 page at 600 dpi ~35. Beyond this an image is
# refused before it is decoded (Pillow's own bomb guard only warns below twice its limit).
MAX_IMAGE_PIXELS = 80_000_000
# A five-page contract has a few hundred objects; this bounds the walk of a hostile file.
MAX_PDF_OBJECTS = 200_000


@dataclass(frozen=True)
class DocumentType:
    content_type: str
    suffix: str
    label: str


PDF = DocumentType("application/pdf", ".pdf", "PDF")
PNG = DocumentType("image/png", ".png", "PNG")
JPEG = DocumentType("image/jpeg", ".jpg", "JPG")
# Types by their first bytes (never trust the browser's declared type or the name).
SIGNATURES = {b"%PDF-": PDF, b"\x89PNG\r\n\x1a\n": PNG, b"\xff\xd8\xff": JPEG}

# Dictionary keys and action types by which a PDF runs something or carries another file.
_PDF_ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/Launch": _("启动程序的动作"),
    "/EmbeddedFile": _("嵌入的文件"),
    "/EmbeddedFiles": _("嵌入的文件"),
    "/RichMedia": _("多媒体内容"),
    "/XFA": _("XFA 表单"),
}
_PDF_ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": _("启动程序的动作"),
    "/SubmitForm": _("提交表单的动作"),
    "/ImportData": _("导入数据的动作"),
    "/GoToE": _("嵌入的文件"),
}
# Another file glued after a picture's end: archives, PDFs, Windows and Linux programs (only
# the bytes after the image's own end are searched, so chance matches in pixels do not count).
_GLUED = re.compile(rb"PK\x03\x04|%PDF-|Rar!\x1a\x07|7z\xbc\xaf\x27\x1c|\x7fELF|\A\x00*MZ")


def document_type(data: bytes) -> DocumentType | None:
    """Return the accepted type of ``data`` by its signature, or None."""
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    return None


def document_check(data: bytes) -> DocumentType:
    """Return the type of an uploaded document, or raise ``ValidationError`` saying why it
    cannot be kept (wrong type, broken, encrypted, active content, oversized image)."""
    kind = document_type(data)
    if kind is None:
        raise ValidationError(_("只接受 PDF、PNG 或 JPG 文件。"), code="type")
    if kind is PDF:
        _pdf_check(data)
    else:
        _image_check(data, kind)
    return kind


def _pdf_check(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("PDF 文件已加密，无法检查其内容；请上传未加密的文件。"), code="encrypted"
            )
        found = _pdf_active_content(reader.trailer)
        if not len(reader.pages):
            raise ValidationError(_("PDF 文件没有页面。"), code="empty")
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise ValidationError(_("PDF 文件已损坏，无法打开。"), code="broken") from None
    if found:
        raise ValidationError(
            _("PDF 文件含有可执行内容（%(what)s），不能上传；请打印后扫描，或另存为普通 PDF。")
            % {"what": found},
            code="active",
        )


def _pdf_active_content(root) -> str:
    """Return the first active content found in the objects reachable from ``root``, or ""."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValidationError(_("PDF 文件结构过于复杂，无法检查。"), code="complex")
        if isinstance(item, DictionaryObject):
            for key in item:
                if key in _PDF_ACTIVE_KEYS:
                    return str(_PDF_ACTIVE_KEYS[key])
            action = item.get("/S")
            if action in _PDF_ACTIVE_ACTIONS:
                return str(_PDF_ACTIVE_ACTIONS[action])
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return ""


def _image_check(data: bytes, kind: DocumentType) -> None:
    from PIL import Image, UnidentifiedImageError

    broken = ValidationError(
        _("%(type)s 图片已损坏或不完整，无法打开。") % {"type": kind.label}, code="broken"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValidationError(
                        _("图片像素过多（%(w)s × %(h)s），请缩小后再上传。")
                        % {"w": width, "h": height},
                        code="pixels",
                    )
                if image.format != {"PNG": "PNG", "JPG": "JPEG"}[kind.label]:
                    raise broken
                image.load()  # decodes every pixel: a truncated file fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("图片像素过多，请缩小后再上传。"), code="pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise broken from None
    trailer = _after_image(data, kind)
    if trailer and _GLUED.search(trailer):
        raise ValidationError(
            _("图片末尾附带了其他文件，不能上传；请重新拍照或截图后上传。"), code="glued"
        )


def _after_image(data: bytes, kind: DocumentType) -> bytes:
    """Return the bytes after the image's end: PNG's IEND chunk, or the EOI that ends a JPEG's
    main image (found by walking its segments, so an EXIF thumbnail's EOI does not count)."""
    if kind is PNG:
        at = 8  # after the signature: chunks of length, type, data, CRC
        while at + 8 <= len(data):
            length = int.from_bytes(data[at : at + 4], "big")
            chunk = data[at + 4 : at + 8]
            at += 12 + length
            if chunk == b"IEND":
                return data[at:]
        return b""
    end = _jpeg_end(data)
    return data[end:] if end else b""


def _jpeg_end(data: bytes) -> int:
    """Return the offset just past a JPEG's EOI marker, or 0 if the walk does not find it."""
    at, size = 2, len(data)  # after SOI
    while at + 4 <= size:
        if data[at] != 0xFF:
            return 0
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9:  # EOI
            return at + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # RSTn, TEM: no length
            at += 2
            continue
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
        if marker == 0xDA:  # SOS: entropy-coded data up to the next real marker
            while True:
                at = data.find(b"\xff", at)
                if at < 0 or at + 1 >= size:
                    return 0
                following = data[at + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    at += 1 if following == 0xFF else 2
                    continue
                break
    return 0
