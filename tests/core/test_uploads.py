"""core.uploads: what a file is, from its bytes, and whether it carries what must not be kept."""

from __future__ import annotations

import io

import pytest

from core import uploads
from tests.unit_onboarding import files


def refusal(check, data: bytes, *args) -> uploads.UploadRefused:
    with pytest.raises(uploads.UploadRefused) as caught:
        check(io.BytesIO(data), *args)
    return caught.value


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00", "PNG"),
        (b"\xff\xd8\xff\xe0", "JPEG"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "WEBP"),
        (b"MZ\x90\x00", None),
        (b"  %PDF-1.7", None),  # the type is what the file starts with, nothing else
    ],
)
def test_the_type_is_read_from_the_first_bytes(head, expected):
    assert uploads.sniff(head) == expected


def test_the_javascript_of_a_compressed_object_stream_is_found_by_reading_the_pdf():
    data = files.pdf_with_compressed_javascript()

    refused = refusal(uploads.pdf_check, data)

    assert b"JavaScript" not in data  # no byte spells it: only parsing the object stream finds it
    assert refused.code == uploads.UploadErrorCode.PDF_ACTIVE_CONTENT
    assert refused.params["found"] == "javascript"


def test_a_script_the_cross_reference_leaves_out_is_refused_by_the_raw_scan():
    # Object 4, a script, is in the file but not in its cross-reference table: a reader that trusts the
    # table never sees it; a viewer that rebuilds the table (as they do for damaged files) finds it.
    data = files.pdf("", "<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>")
    xref = data.index(b"xref\n")
    table, trailer = data[xref:].split(b"trailer", 1)
    hidden = data[:xref] + table.replace(b"0 5\n", b"0 4\n").rsplit(b"\n", 2)[0] + b"\n"
    hidden += b"trailer" + trailer.replace(b"/Size 5", b"/Size 4")

    assert uploads._parsed_active_name(hidden) is None  # pypdf, reading the table, finds nothing
    assert refusal(uploads.pdf_check, hidden).params["found"] == "javascript"


@pytest.mark.parametrize(
    "data",
    [files.PDF, files.PDF_WITH_LINK],
    ids=["opens at page one", "web link"],
)
def test_ordinary_pdfs_pass(data):
    uploads.pdf_check(io.BytesIO(data))


def test_a_pixel_bomb_is_refused_from_its_header_alone():
    refused = refusal(uploads.image_size, files.png_400_megapixels(), "PNG")

    assert refused.code == uploads.UploadErrorCode.TOO_MANY_PIXELS
    assert refused.params["pixels"] == 400_000_000


def test_a_compressed_text_chunk_that_inflates_past_the_limit_is_a_bomb():
    picture = files.png_with_text_bomb(inflated_mb=2)

    assert uploads.image_size(io.BytesIO(picture), "PNG") == (64, 64)  # the header is harmless
    assert refusal(uploads.png_verify, picture).code == uploads.UploadErrorCode.DECOMPRESSION_BOMB


def test_a_png_cut_short_is_refused():
    picture = files.png(320, 240)

    refused = refusal(uploads.png_verify, picture[: len(picture) - 30])

    assert refused.code in (uploads.UploadErrorCode.TRUNCATED, uploads.UploadErrorCode.CORRUPT)
