"""Mail about licence requests: to the unit's operators and finance members, and to the designer, each in
their language (the unit's mail in the platform's default, zh-Hans)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from resources.models import LicenceRequest
from unit_onboarding.models import UnitMembership

TO_UNIT = {"submitted", "withdrawn"}


def _absolute(path: str) -> str:
    return f"{settings.APP_PUBLIC_URL}{path}"


def unit_recipients(request: LicenceRequest) -> list[str]:
    emails = UnitMembership.objects.filter(
        unit=request.unit, role__in=[UnitMembership.Role.OPERATOR, UnitMembership.Role.FINANCE]
    ).values_list("user__email", flat=True)
    return sorted({e.lower() for e in emails if e})


def licence_request_event(*, request_id: int, event: str) -> None:
    """Submitted and withdrawn go to the unit; approved and declined to the designer."""
    request = LicenceRequest.objects.select_related("unit", "object", "profile", "requester", "licence").get(
        pk=request_id
    )
    if event in TO_UNIT:
        recipients = unit_recipients(request)
        language = settings.LANGUAGE_CODE
        url = reverse("resources:licence_request", args=[request.unit.uid, request.pk])
    else:
        recipients = [request.requester.email] if request.requester.email else []
        language = request.language
        url = reverse("resources:me")
    if not recipients:
        return
    with translation.override(language):
        context = {
            "request": request,
            "event": event,
            "unit": request.unit,
            "object": request.object,
            "designer": request.profile,
            "url": _absolute(url),
        }
        subject = render_to_string("resources/email/licence_request_subject.txt", context).strip()
        body = render_to_string("resources/email/licence_request_body.txt", context)
    send_mass_mail([(subject, body, None, [email]) for email in recipients])
