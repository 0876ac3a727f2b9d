"""Private documents: served only through short-lived links to the applicant and platform reviewers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.core import signing
from django.urls import reverse

from tests.auth import login_verified
from unit_onboarding import filetypes
from unit_onboarding.documents import document_link
from unit_onboarding.models import Document

from .factories import ApplicationFactory, UserFactory, licence_document, reviewer
from .files import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    application = ApplicationFactory()
    return licence_document(application, original_name="营业执照.pdf", content=PDF)


def open_link(client, document):
    response = client.get(reverse("unit_onboarding:document", args=[document.pk]))
    assert response.status_code == 302
    return response["Location"]


def test_the_applicant_downloads_through_a_fresh_link(client, document):
    client.force_login(document.application.applicant)

    response = client.get(open_link(client, document))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


def test_a_reviewer_may_open_it_and_a_stranger_may_not(client, document):
    login_verified(client, reviewer())
    assert client.get(open_link(client, document)).status_code == 200

    client.force_login(UserFactory())
    assert client.get(reverse("unit_onboarding:document", args=[document.pk])).status_code == 404


def test_a_link_handed_to_someone_else_does_not_open(client, document):
    client.force_login(document.application.applicant)
    link = open_link(client, document)

    client.force_login(UserFactory())

    assert client.get(link).status_code == 404


def test_a_link_expires(client, document, settings, monkeypatch):
    client.force_login(document.application.applicant)
    link = open_link(client, document)
    issued = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: issued + settings.DOCUMENT_LINK_SECONDS + 1)

    assert client.get(link).status_code == 404


def test_a_tampered_link_does_not_open(client, document):
    client.force_login(document.application.applicant)
    link = open_link(client, document)

    assert client.get(link[:-3] + "xyz/").status_code == 404


def test_with_s3_configured_links_are_presigned_and_expire(settings, document):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "wenchuang-documents",
                "access_key": "AKIAEXAMPLE",
                "secret_key": "example-secret",
                "region_name": "cn-north-1",
                "endpoint_url": "http://127.0.0.1:9000",
                "location": "private",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
            },
        },
    }
    stored = Document.objects.get(pk=document.pk)  # the field now resolves to the S3 storage

    link = document_link(stored, stored.application.applicant_id)

    query = parse_qs(urlparse(link).query)
    assert link.startswith("http://127.0.0.1:9000/wenchuang-documents/private/")
    assert query["X-Amz-Expires"] == [str(settings.DOCUMENT_LINK_SECONDS)]
    assert "X-Amz-Signature" in query


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.4 rest", "application/pdf"),
        (b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"MZ\x90\x00 windows executable", None),
        (b"\x7fELF linux executable", None),
        (b"<html><script>", None),
        (b"", None),
    ],
)
def test_types_are_detected_from_the_first_bytes(head, expected):
    assert filetypes.sniff(head) == expected
