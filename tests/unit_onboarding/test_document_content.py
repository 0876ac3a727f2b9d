"""Application documents are checked as strictly as listing images: hostile PDFs and images are refused
through the upload form with a clear message, and nothing is stored (no file, no row)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from tests.auth import browser_log_in
from unit_onboarding.models import Document, Unit

from . import files
from .factories import ApplicationFactory, OperatingEntityFactory, UserFactory, operator_of
from .test_browser import PASSWORD

pytestmark = pytest.mark.django_db


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (240, 240, 230)).save(out, "JPEG", quality=85)
    return out.getvalue()


HOSTILE = {
    "javascript": (files.PDF_WITH_JAVASCRIPT, "营业执照.pdf", "This PDF contains JavaScript"),
    "escaped javascript": (files.PDF_WITH_ESCAPED_JAVASCRIPT, "licence.pdf", "This PDF contains JavaScript"),
    "compressed javascript": (
        files.pdf_with_compressed_javascript(),
        "a.pdf",
        "This PDF contains JavaScript",
    ),
    "embedded file": (files.PDF_WITH_EMBEDDED_FILE, "licence.pdf", "This PDF contains an embedded file"),
    "launch": (files.PDF_WITH_LAUNCH, "licence.pdf", "contains an action that launches a program"),
    "xfa": (files.PDF_WITH_XFA, "form.pdf", "This PDF contains an XFA form"),
    "encrypted": (encrypted_pdf(), "licence.pdf", "This PDF is password-protected"),
    "damaged pdf": (b"%PDF-1.7\n1 0 obj << /Type /Cat", "licence.pdf", "The file is damaged or incomplete"),
    "400 megapixels": (files.png_400_megapixels(), "scan.png", "more than 50 megapixels"),
    "text bomb": (files.png_with_text_bomb(), "scan.png", "a decompression bomb"),
    # the type is the content's, whatever the name says
    "script named png": (files.PDF_WITH_JAVASCRIPT, "scan.png", "This PDF contains JavaScript"),
    "bomb named pdf": (files.png_400_megapixels(), "licence.pdf", "more than 50 megapixels"),
}


@pytest.fixture
def draft(applicant):
    return ApplicationFactory(applicant=applicant, unit=OperatingEntityFactory().unit)


def upload(client, application, content: bytes, name: str, language: str = "en"):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(
        reverse("unit_onboarding:document_upload", args=[application.pk]),
        {"kind": "business_licence", "file": file},
        HTTP_ACCEPT_LANGUAGE=language,
    )


def stored_files(root) -> list:
    return [p for p in (root / "documents").rglob("*") if p.is_file()]


@pytest.mark.parametrize("case", HOSTILE, ids=str)
def test_a_hostile_document_is_refused_with_a_clear_message_and_nothing_is_stored(
    client, draft, _storage, case
):
    content, name, message = HOSTILE[case]

    response = upload(client, draft, content, name)

    assert response.status_code == 400
    assert message in " ".join(response.context["document_form"].errors["file"])
    assert Document.objects.count() == 0
    assert stored_files(_storage) == []


def test_the_refusal_is_in_the_applicants_language(client, draft):
    response = upload(client, draft, files.PDF_WITH_LAUNCH, "营业执照.pdf", language="zh-hans")

    assert "此 PDF 含有启动程序的动作" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (files.PDF, "营业执照.pdf", "application/pdf"),  # opens at its first page: no action
        (files.PDF_WITH_LINK, "licence.pdf", "application/pdf"),  # a web link is no active content
        (files.png(2400, 1800), "scan.png", "image/png"),
        (jpeg(), "photo.jpg", "image/jpeg"),
    ],
)
def test_ordinary_scans_and_pdfs_are_kept(client, draft, _storage, content, name, content_type):
    response = upload(client, draft, content, name)

    assert response.status_code == 302
    assert Document.objects.get().content_type == content_type
    assert len(stored_files(_storage)) == 1


def test_a_unit_logo_bomb_is_refused_too(client, _storage):
    unit = OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit
    client.force_login(operator_of(unit))

    response = client.post(
        reverse("unit_onboarding:profile", args=[unit.uid]),
        {"display_name": "三峡博物馆", "logo": SimpleUploadedFile("logo.png", files.png_400_megapixels())},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "more than 50 megapixels" in str(response.context["form"].errors["logo"])
    unit.refresh_from_db()
    assert unit.display_name == "" and not unit.logo
    assert [p for p in (_storage / "media").rglob("*") if p.is_file()] == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_a_pdf_that_runs_a_script_is_refused_and_the_application_lists_nothing(
    browser, live_server, tmp_path, _storage
):
    applicant = UserFactory()
    applicant.set_password(PASSWORD)
    applicant.save()
    application = ApplicationFactory(applicant=applicant, unit=OperatingEntityFactory().unit)
    hostile = tmp_path / "营业执照.pdf"
    hostile.write_bytes(files.PDF_WITH_JAVASCRIPT)
    page = browser.new_context(locale="zh-CN").new_page()
    browser_log_in(page, live_server.url, applicant.username, PASSWORD)
    page.goto(f"{live_server.url}/onboarding/applications/{application.pk}/")

    page.set_input_files("input[name=file]", str(hostile))
    page.click("button[name=upload]")
    page.wait_for_load_state("load")  # the click returns as the next page starts loading

    assert "此 PDF 含有JavaScript 脚本" in page.content()
    page.goto(f"{live_server.url}/onboarding/applications/{application.pk}/")
    assert "营业执照.pdf" not in page.content()
    assert Document.objects.count() == 0 and stored_files(_storage) == []
