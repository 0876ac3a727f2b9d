"""With S3 configured, documents go to a private bucket and open only through presigned, expiring links.

S3 is moto's server over real HTTP on 127.0.0.1 (the storage code runs unchanged: boto3 over the network).
"""

from __future__ import annotations

import socket

import boto3
import httpx
import moto.server as moto_server
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from unit_onboarding.models import Document

from . import files
from .factories import ApplicationFactory, UserFactory
from .files import PDF

pytestmark = pytest.mark.django_db

BUCKET = "wenchuang-documents"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_documents(settings, s3_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **CREDENTIALS,
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "location": "private",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": settings.DOCUMENT_LINK_SECONDS,
                "file_overwrite": False,
                "signature_version": "s3v4",
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_an_uploaded_document_lands_in_the_bucket_and_opens_only_through_a_presigned_link(
    client, s3_documents, s3_endpoint
):
    application = ApplicationFactory()
    client.force_login(application.applicant)

    uploaded = client.post(
        reverse("unit_onboarding:document_upload", args=[application.pk]),
        {"kind": "business_licence", "file": SimpleUploadedFile("营业执照.pdf", PDF, "application/pdf")},
    )

    assert uploaded.status_code == 302
    document = Document.objects.get()
    [stored] = s3_documents.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert stored["Key"] == f"private/{document.file.name}"
    assert httpx.get(f"{s3_endpoint}/{BUCKET}/{stored['Key']}").status_code == 403  # not public

    link = client.get(reverse("unit_onboarding:document", args=[document.pk]))["Location"]

    assert link.startswith(f"{s3_endpoint}/{BUCKET}/private/")
    assert "X-Amz-Expires=300" in link
    fetched = httpx.get(link)
    assert fetched.status_code == 200
    assert fetched.content == PDF

    client.force_login(UserFactory())
    assert client.get(reverse("unit_onboarding:document", args=[document.pk])).status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (files.PDF_WITH_JAVASCRIPT, "This PDF contains JavaScript"),
        (files.PDF_WITH_EMBEDDED_FILE, "This PDF contains an embedded file"),
        (files.PDF_WITH_LAUNCH, "an action that launches a program"),
        (files.png_400_megapixels(), "more than 50 megapixels"),
        (files.png_with_text_bomb(), "a decompression bomb"),
    ],
    ids=["javascript", "embedded file", "launch", "400 megapixels", "text bomb"],
)
def test_a_hostile_document_never_reaches_the_bucket(client, s3_documents, content, message):
    application = ApplicationFactory()
    client.force_login(application.applicant)

    refused = client.post(
        reverse("unit_onboarding:document_upload", args=[application.pk]),
        {"kind": "business_licence", "file": SimpleUploadedFile("营业执照.pdf", content, "application/pdf")},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert refused.status_code == 400
    assert message in " ".join(refused.context["document_form"].errors["file"])
    assert Document.objects.count() == 0
    assert s3_documents.list_objects_v2(Bucket=BUCKET).get("Contents", []) == []
