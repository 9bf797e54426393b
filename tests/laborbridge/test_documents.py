"""laborbridge.documents: uploaded evidence is kept only when it is what its first bytes say,
opens whole, and carries nothing that runs or hides another file."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from laborbridge import documents
from tests.documents import image_bytes, pdf_bytes


def _refused(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        documents.document_check(data)
    return caught.value


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("run.bat", "echo hi")
    return out.getvalue()


def test_plain_documents_are_accepted_by_content():
    assert documents.document_check(pdf_bytes()) is documents.PDF
    assert documents.document_check(image_bytes("PNG")) is documents.PNG
    assert documents.document_check(image_bytes("JPEG")) is documents.JPEG


def test_other_types_are_refused_whatever_their_name():
    error = _refused(b"MZ\x90\x00 a program")
    assert error.code == "type" and "只接受 PDF、PNG 或 JPG 文件。" in error.messages


@pytest.mark.parametrize(
    "data, code",
    [
        (pdf_bytes(javascript="app.alert('x')"), "active"),
        (pdf_bytes(attachment=b"MZ payload"), "active"),
        (pdf_bytes(password="secret"), "encrypted"),
        (b"%PDF-1.4\n%not really a pdf\n", "broken"),
    ],
    ids=["javascript", "embedded-file", "encrypted", "broken"],
)
def test_pdfs_that_run_hide_or_do_not_open_are_refused(data, code):
    error = _refused(data)
    assert error.code == code
    if code == "active":
        assert "可执行内容" in error.messages[0]


def test_an_action_deep_in_a_page_is_found():
    """A link annotation whose action launches a program, reached through the page tree."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    )
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/A"): writer._add_object(action),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    out = io.BytesIO()
    writer.write(out)
    error = _refused(out.getvalue())
    assert error.code == "active" and "启动程序的动作" in error.messages[0]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_pictures_are_refused(fmt):
    data = image_bytes(fmt, size=(400, 300))
    assert _refused(data[: len(data) // 2]).code == "broken"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_file_glued_after_a_picture_is_refused(fmt):
    assert _refused(image_bytes(fmt) + _zip()).code == "glued"
    assert _refused(image_bytes(fmt) + b"MZ\x90\x00\x03").code == "glued"


def test_a_phone_trailer_after_a_jpeg_is_kept():
    """Some phones append their own data after the picture; only foreign files are refused."""
    assert documents.document_check(image_bytes("JPEG") + b"\x00" * 4 + b"SEFT0123") is (
        documents.JPEG
    )


def test_an_exif_thumbnail_does_not_end_the_jpeg_early():
    """The thumbnail's own EOI sits inside APP1; the walk skips it and finds the glued file."""
    thumb = image_bytes("JPEG", size=(16, 12))
    exif = Image.Exif()
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 20, 30)).save(out, format="JPEG", exif=exif.tobytes())
    photo = out.getvalue()
    # an APP1 segment carrying a whole JPEG (with its EOI) right after SOI
    segment = b"\xff\xe1" + (len(thumb) + 2).to_bytes(2, "big") + thumb
    with_thumb = photo[:2] + segment + photo[2:]
    assert documents.document_check(with_thumb) is documents.JPEG
    assert _refused(with_thumb + _zip()).code == "glued"


def test_a_decompression_bomb_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")  # 100 megapixels, a few kB
    error = _refused(out.getvalue())
    assert error.code == "pixels"
