"""Licence requests: a designer asks for a licence on a published, licensable object; the unit approves
(an IP licence the catalog's royalty and expiry machinery applies) or declines with a reason; the designer
may withdraw while pending. Every step audited and mailed; each party sees only its own."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from catalog.models import IpLicence
from payments.models import FinanceAuditEvent
from resources.error_codes import MESSAGES, ResourcesError
from resources.error_codes import ResourcesErrorCode as Code
from resources.models import LicenceRequest
from tests.auth import login_verified
from tests.catalog.factories import active_unit
from tests.resources.helpers import designer, library_object
from tests.unit_onboarding.factories import UserFactory, operator_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_at")]


@pytest.fixture
def bowl(museum):
    return library_object(museum, "M-003", title_zh="青花缠枝莲纹碗", category="ceramics", licensable=True)


def request_form(**overrides) -> dict:
    data = {
        "product": "青花纹样书签",
        "channels": "本平台、自有网店",
        "quantity": "2000",
        "royalty_percent": "8.5",
        "term_from": "2027-01-01",
        "term_until": "2027-12-31",
        "note": "首批两千枚。",
    }
    data.update(overrides)
    return data


def ask(client, obj, committed, **overrides):
    with committed(execute=True):
        return client.post(reverse("resources:licence_request_new", args=[obj.pk]), request_form(**overrides))


def test_a_designer_requests_a_licence_and_the_unit_is_told(client, museum, bowl, mailoutbox, committed):
    operator, finance = operator_of(museum), operator_of(museum, role="finance")
    client.force_login(designer())
    page = client.get(reverse("library:object", args=[bowl.pk]))
    assert reverse("resources:licence_request_new", args=[bowl.pk]) in page.content.decode()

    sent = ask(client, bowl, committed)

    assert sent.status_code == 302 and sent["Location"] == reverse("resources:me")
    request = LicenceRequest.objects.get()
    assert (request.unit, request.status, request.royalty_bps, request.quantity) == (
        museum,
        "pending",
        850,
        2000,
    )
    assert (request.term_from, request.term_until) == (date(2027, 1, 1), date(2027, 12, 31))
    members = {e.lower() for e in museum.memberships.values_list("user__email", flat=True)}
    assert {operator.email.lower(), finance.email.lower()} <= members
    assert sorted(m.to[0] for m in mailoutbox) == sorted(members)  # every operator and finance member
    assert "青花纹样书签" in mailoutbox[0].body and "8.5%" in mailoutbox[0].body
    assert f"/resources/units/{museum.uid}/licence-requests/{request.pk}/" in mailoutbox[0].body
    event = FinanceAuditEvent.objects.get(action="licence_request.submitted")
    assert (event.subject, event.detail["royalty_bps"]) == (f"licence_request:{request.pk}", 850)
    assert "青花纹样书签" in client.get(reverse("resources:me")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        (
            {"term_until": "2026-12-31", "term_from": "2027-01-01"},
            "term_until",
            "must not be before its start",
        ),
        ({"royalty_percent": "150"}, "royalty_percent", "between 0% and 100%"),
        ({"royalty_percent": "-1"}, "royalty_percent", "between 0% and 100%"),
        ({"royalty_percent": "8.125"}, "royalty_percent", "between 0% and 100%"),
        ({"term_from": "2026-01-01", "term_until": "2026-06-30"}, "term_until", "must not end in the past"),
        ({"quantity": "0"}, "quantity", ""),
    ],
)
def test_bad_terms_are_refused_with_a_clear_message_and_keep_what_was_typed(
    client, bowl, overrides, field, words
):
    client.force_login(designer())

    page = client.post(
        reverse("resources:licence_request_new", args=[bowl.pk]),
        request_form(**overrides),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert page.status_code == 400 and not LicenceRequest.objects.exists()
    errors = page.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert 'value="青花纹样书签"' in page.content.decode()


def test_an_object_that_is_not_licensable_takes_no_request(client, museum, committed):
    not_licensable = library_object(museum, "M-004", licensable=False)
    public_domain = library_object(museum, "M-005", licensable=True, public_domain=True)
    client.force_login(designer())

    for obj in (not_licensable, public_domain):
        page = ask(client, obj, committed)
        assert page.status_code == 400
        assert page.context["form"].non_field_errors() == [ResourcesError(Code.OBJECT_NOT_LICENSABLE).message]
        assert client.get(reverse("resources:licence_request_new", args=[obj.pk])).status_code == 409
    unpublished = library_object(museum, "M-006", licensable=True, publish=False)
    assert ask(client, unpublished, committed).status_code == 404
    assert not LicenceRequest.objects.exists()


def test_without_a_designer_profile_one_is_asked_for_first(client, bowl, committed):
    client.force_login(UserFactory())
    url = reverse("resources:licence_request_new", args=[bowl.pk])

    page = client.get(url)

    assert (
        page.status_code == 302
        and page["Location"] == f"{reverse('resources:me_profile')}?next={url.replace('/', '%2F')}"
    )
    made = client.post(
        reverse("resources:me_profile"), {"display_name_zh": "李文", "kind": "individual", "next": url}
    )
    assert made["Location"] == url


def test_the_unit_approves_on_its_terms_and_an_ip_licence_is_recorded(
    client, museum, bowl, mailoutbox, committed
):
    wang = designer()
    client.force_login(wang)
    ask(client, bowl, committed)
    request = LicenceRequest.objects.get()
    finance = operator_of(museum, role="finance")
    login_verified(client, finance)
    url = reverse("resources:licence_request", args=[museum.uid, request.pk])
    page = client.get(url)
    assert page.status_code == 200 and "青花纹样书签" in page.content.decode()
    mailoutbox.clear()

    with committed(execute=True):
        done = client.post(
            url,
            {
                "action": "approve",
                "royalty_percent": "10",
                "valid_from": "2027-01-01",
                "valid_until": "2027-06-30",
                "scope": "青花纹样书签，本平台销售",
            },
        )

    assert done.status_code == 302
    request.refresh_from_db()
    licence = IpLicence.objects.get()
    assert (request.status, request.licence, request.decided_by) == ("approved", licence, finance)
    assert (licence.licensor, licence.licensee_name, licence.royalty_bps) == (museum, "山水设计工作室", 1000)
    assert (licence.valid_from, licence.valid_until) == (date(2027, 1, 1), date(2027, 6, 30))
    # the unit's licences (what its products name, and what the expiry job reads) include it
    assert licence in museum.ip_licences_granted.all()
    assert [m.to for m in mailoutbox] == [[wang.email]]
    assert "1000" in mailoutbox[0].body and "2027-06-30" in mailoutbox[0].body
    assert FinanceAuditEvent.objects.get(action="licence_request.approved").detail["licence"] == licence.pk
    # Not in force until a second finance member confirms it: the approver cannot.
    assert (licence.status, licence.created_by) == ("pending", finance)
    licences_url = reverse("catalog:licences", args=[museum.uid])
    own = client.post(licences_url, {"action": "confirm", "licence": licence.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert own.status_code == 400 and "needs a second person" in own.content.decode()
    login_verified(client, operator_of(museum, role="finance"))
    assert client.post(licences_url, {"action": "confirm", "licence": licence.pk}).status_code == 302
    licence.refresh_from_db()
    assert licence.status == "in_force"
    client.force_login(wang)
    mine = client.get(reverse("resources:me")).content.decode()
    assert "青花纹样书签，本平台销售" in mine
    # answered: neither a second approval nor a withdrawal changes anything
    login_verified(client, finance)
    again = client.post(url, {"action": "decline", "reason": "重复"})
    assert again.status_code == 400 and IpLicence.objects.count() == 1


def test_the_unit_declines_only_with_a_reason_and_the_designer_reads_it(
    client, museum, bowl, mailoutbox, committed
):
    wang = designer()
    client.force_login(wang)
    ask(client, bowl, committed)
    request = LicenceRequest.objects.get()
    client.force_login(operator_of(museum))
    url = reverse("resources:licence_request", args=[museum.uid, request.pk])

    empty = client.post(url, {"action": "decline", "reason": "  "})
    assert empty.status_code == 400 and LicenceRequest.objects.get().status == "pending"
    assert empty.context["decline_form"].errors["reason"] == [str(MESSAGES[Code.DECLINE_REASON_REQUIRED])]
    mailoutbox.clear()
    with committed(execute=True):
        client.post(url, {"action": "decline", "reason": "该纹样已独家授权至 2027 年底。"})

    request.refresh_from_db()
    assert (request.status, request.decline_reason) == ("declined", "该纹样已独家授权至 2027 年底。")
    assert not IpLicence.objects.exists()
    assert [m.to for m in mailoutbox] == [[wang.email]] and "独家授权" in mailoutbox[0].body
    assert FinanceAuditEvent.objects.filter(action="licence_request.declined").exists()
    client.force_login(wang)
    assert "独家授权" in client.get(reverse("resources:me")).content.decode()


def test_the_designer_withdraws_while_pending_and_nobody_else_can(
    client, museum, bowl, mailoutbox, committed
):
    wang, li = designer(), designer("李文", "li.wen@example.cn")
    client.force_login(wang)
    ask(client, bowl, committed)
    request = LicenceRequest.objects.get()
    withdraw = reverse("resources:me_request_withdraw", args=[request.pk])

    client.force_login(li)
    assert client.post(withdraw).status_code == 404
    assert "青花纹样书签" not in client.get(reverse("resources:me")).content.decode()
    assert LicenceRequest.objects.get().status == "pending"

    client.force_login(wang)
    mailoutbox.clear()
    with committed(execute=True):
        client.post(withdraw)
    assert LicenceRequest.objects.get().status == "withdrawn"
    assert FinanceAuditEvent.objects.filter(action="licence_request.withdrawn").exists()
    assert mailoutbox and all(m.to[0] != wang.email for m in mailoutbox)  # the unit is told
    client.force_login(operator_of(museum))
    answer = client.post(
        reverse("resources:licence_request", args=[museum.uid, request.pk]),
        {
            "action": "approve",
            "royalty_percent": "8",
            "valid_from": "2027-01-01",
            "valid_until": "2027-12-31",
            "scope": "x",
        },
    )
    assert answer.status_code == 400 and not IpLicence.objects.exists()
    not_pending = ResourcesError(Code.REQUEST_NOT_PENDING).message
    assert [m.message for m in answer.context["messages"]][-1] == not_pending  # after the earlier notice


def test_another_units_members_get_404_on_the_requests(client, museum, bowl, committed):
    client.force_login(designer())
    ask(client, bowl, committed)
    request = LicenceRequest.objects.get()
    other = active_unit("重庆图书馆")
    library_object(other, "B-001", licensable=True)

    for member in (operator_of(other), operator_of(other, role="finance")):
        login_verified(client, member)
        assert client.get(reverse("resources:licence_requests", args=[museum.uid])).status_code == 404
        detail = reverse("resources:licence_request", args=[museum.uid, request.pk])
        assert client.get(detail).status_code == 404
        assert client.post(detail, {"action": "decline", "reason": "x"}).status_code == 404
        # nor through their own unit's address
        assert (
            client.get(reverse("resources:licence_request", args=[other.uid, request.pk])).status_code == 404
        )
        assert (
            "青花纹样书签"
            not in client.get(reverse("resources:licence_requests", args=[other.uid])).content.decode()
        )
    assert LicenceRequest.objects.get().status == "pending"
