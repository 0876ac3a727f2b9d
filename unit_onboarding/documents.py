"""Short-lived links to private documents: presigned S3 URLs, or signed links served by this service."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from unit_onboarding.models import Document

_SALT = "unit_onboarding.document"


def document_link(document: Document, user_id: int) -> str:
    """A link valid for DOCUMENT_LINK_SECONDS; local links are also bound to the user they were made for."""
    storage = document.file.storage
    if getattr(storage, "querystring_auth", False):  # S3: presigned, expires on the S3 side
        return storage.url(
            document.file.name,
            parameters={"ResponseContentType": document.content_type},
            expire=settings.DOCUMENT_LINK_SECONDS,
        )
    token = signing.dumps({"d": document.pk, "u": user_id}, salt=_SALT, compress=True)
    return reverse("unit_onboarding:document_blob", args=[token])


def document_from_token(token: str, user_id: int) -> Document | None:
    """The document a signed link names, if the link is fresh and was made for this user."""
    try:
        claims = signing.loads(token, salt=_SALT, max_age=settings.DOCUMENT_LINK_SECONDS)
    except signing.BadSignature:
        return None
    if claims.get("u") != user_id:
        return None
    return Document.objects.filter(pk=claims.get("d")).first()
