"""Apply, save a draft, upload documents, submit, review with changes requested, approve, provision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessEvent
from tests.auth import login_verified, mailed_path
from tests.factories import SaleorInstallationFactory
from unit_onboarding.agreements import ShareTerm
from unit_onboarding.models import Application, ApplicationTransition, Document, Unit, UnitMembership

from .factories import (
    ApplicationFactory,
    OperatingEntityFactory,
    UserFactory,
    agreement_in_force,
    credit_code,
    reviewer,
)
from .files import PDF, png

pytestmark = pytest.mark.django_db

PNG = png()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
UNIT_CODE = credit_code(123456)
ENTITY_CODE = "91500103MA5U4XQ27" + "0"


def complete_form(**overrides):
    from unit_onboarding.uscc import check_character

    entity_code = ENTITY_CODE[:17] + check_character(ENTITY_CODE[:17])
    data = {
        "legal_name_zh": "重庆红岩革命纪念馆",
        "legal_name_en": "Chongqing Hongyan Revolutionary Memorial Hall",
        "unit_type": "memorial_hall",
        "credit_code": UNIT_CODE,
        "province": "重庆市",
        "city": "重庆市",
        "district": "渝中区",
        "street": "红岩村52号",
        "postal_code": "400043",
        "contact_name": "王芳",
        "contact_phone": "+86 23 6330 0000",
        "contact_email": "shop@hongyan.example.cn",
        "pilot_level": "national",
        "operating_mode": "commissioned",
        "entity_legal_name": "重庆红岩文化创意有限公司",
        "entity_credit_code": entity_code,
        "entity_settlement_method": "bank",
        "entity_bank_name": "中国银行重庆分行",
        "entity_bank_account": "6216610200016587010",
    }
    data.update(overrides)
    return data


def upload(client, application, content, name, kind="business_licence", content_type="application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(
        reverse("unit_onboarding:document_upload", args=[application.pk]), {"kind": kind, "file": file}
    )


@pytest.fixture
def draft(applicant):
    application = ApplicationFactory(
        applicant=applicant, unit=OperatingEntityFactory(unit__credit_code="", unit__legal_name_zh="").unit
    )
    return application


def add_agreement(unit, actor):
    unit.refresh_from_db()
    agreement_in_force(
        unit,
        effective_from=timezone.now() - timedelta(minutes=1),
        shares=[ShareTerm(unit.party_key, "unit", 7000), ShareTerm("platform", "platform", 3000)],
        proposer=actor,
    )


def url(application):
    return reverse("unit_onboarding:application", args=[application.pk])


def test_signup_then_apply_starts_one_draft_and_resumes_it(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("unit_onboarding:signup"), {"email": "curator@museum.example.cn"})
    assert asked.status_code == 200
    response = client.post(
        mailed_path(mailoutbox[0].body, "/onboarding/signup/"),
        {"new_password1": "Bronze-Mirror-1987", "new_password2": "Bronze-Mirror-1987"},
    )
    assert response.status_code == 302

    first = client.post(reverse("unit_onboarding:apply"))
    again = client.get(reverse("unit_onboarding:apply"))

    application = Application.objects.get()
    assert application.applicant.email == "curator@museum.example.cn"
    assert first["Location"] == again["Location"] == url(application)
    assert application.status == Application.Status.DRAFT


def test_a_partial_draft_is_saved_and_shown_again(client, draft):
    response = client.post(
        url(draft), {"save": "1", "legal_name_zh": "三峡博物馆", "credit_code": UNIT_CODE.lower()}
    )

    assert response.status_code == 302
    draft.unit.refresh_from_db()
    assert draft.unit.legal_name_zh == "三峡博物馆"
    assert draft.unit.credit_code == UNIT_CODE  # normalised
    page = client.get(url(draft)).content.decode()
    assert 'value="三峡博物馆"' in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "校验码"), ("en", "check character does not match")],
)
def test_an_invalid_credit_code_gets_a_field_error_in_the_users_language_and_nothing_is_saved(
    client, draft, language, expected
):
    bad = UNIT_CODE[:17] + ("0" if UNIT_CODE[17] != "0" else "1")

    response = client.post(
        url(draft), complete_form(credit_code=bad, save="1"), HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 400
    assert expected in str(response.context["form"].errors["credit_code"])
    draft.unit.refresh_from_db()
    assert draft.unit.credit_code == ""
    assert draft.unit.legal_name_zh == ""


def test_a_second_application_for_the_same_credit_code_is_refused_and_nothing_is_saved(client, draft):
    ApplicationFactory(unit__credit_code=UNIT_CODE)

    response = client.post(url(draft), complete_form(save="1"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "already exists" in str(response.context["form"].errors["credit_code"])
    draft.unit.refresh_from_db()
    assert draft.unit.legal_name_zh == ""
    assert draft.unit.operating_entity.legal_name != "重庆红岩文化创意有限公司"


def test_documents_are_accepted_by_content_and_refused_otherwise(client, draft, _storage):
    accepted = upload(client, draft, PDF, "营业执照.pdf")
    png = upload(client, draft, PNG, "scan.pdf", kind="authorisation_letter", content_type="application/pdf")
    renamed_exe = client.post(
        reverse("unit_onboarding:document_upload", args=[draft.pk]),
        {"kind": "business_licence", "file": _file("licence.pdf", EXE)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    oversized = client.post(
        reverse("unit_onboarding:document_upload", args=[draft.pk]),
        {"kind": "business_licence", "file": _file("big.pdf", PDF + b"0" * (10 * 1024 * 1024))},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert accepted.status_code == png.status_code == 302
    assert renamed_exe.status_code == 400
    assert "not a PDF, JPEG or PNG" in str(renamed_exe.context["document_form"].errors["file"])
    assert oversized.status_code == 400
    assert "larger than 10 MB" in str(oversized.context["document_form"].errors["file"])
    stored = list(Document.objects.order_by("pk"))
    assert [(d.content_type, d.original_name) for d in stored] == [
        ("application/pdf", "营业执照.pdf"),
        ("image/png", "scan.pdf"),
    ]
    files = sorted(p.name for p in (_storage / "documents").rglob("*") if p.is_file())
    assert len(files) == 2 and files[0].endswith((".pdf", ".png"))  # stored names are generated


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_submitting_an_incomplete_application_saves_nothing_and_says_what_is_missing(client, draft):
    response = client.post(
        url(draft), {"submit": "1", "legal_name_zh": "三峡博物馆"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "This field is required." in str(response.context["form"].errors["credit_code"])
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT
    assert draft.unit.legal_name_zh == ""


def test_submitting_without_the_business_licence_is_refused(client, draft):
    response = client.post(url(draft), complete_form(submit="1"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "complete the required fields" in str(response.context["form"].non_field_errors())
    assert response.context["missing"] == ["Business licence / legal person certificate"]
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT
    assert draft.unit.credit_code == ""  # the form's values were not half-saved either


@pytest.mark.django_db(transaction=True)  # mail and provisioning run after commit
def test_the_whole_review_path_emails_each_step_and_provisions_on_approval(client, draft, saleor):
    SaleorInstallationFactory()
    assert upload(client, draft, PDF, "licence.pdf").status_code == 302

    submitted = client.post(url(draft), complete_form(submit="1"))
    assert submitted.status_code == 302

    staff = reviewer()
    login_verified(client, staff)
    review_url = reverse("unit_onboarding:review", args=[draft.pk])
    assert client.get(reverse("unit_onboarding:review_queue")).status_code == 200
    client.post(review_url, {"to_status": "in_review"})
    client.post(review_url, {"to_status": "changes_requested", "comment": "请补充授权书。"})

    client.force_login(draft.applicant)
    assert upload(client, draft, PDF, "authorisation.pdf", kind="authorisation_letter").status_code == 302
    assert client.post(url(draft), complete_form(submit="1")).status_code == 302

    login_verified(client, staff)
    client.post(review_url, {"to_status": "in_review"})
    refused = client.post(review_url, {"to_status": "approved"}, follow=True)
    assert "收益分配协议" in refused.content.decode()  # no agreement in force yet
    add_agreement(draft.unit, staff)
    approved = client.post(review_url, {"to_status": "approved", "comment": "欢迎加入"})
    assert approved.status_code == 302

    draft.refresh_from_db()
    assert draft.status == Application.Status.APPROVED
    trail = list(
        ApplicationTransition.objects.filter(application=draft).values_list("from_status", "to_status")
    )
    assert trail == [
        ("draft", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "changes_requested"),
        ("changes_requested", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "approved"),
    ]
    assert ApplicationTransition.objects.get(to_status="changes_requested").actor == staff
    assert len(mail.outbox) == 6
    assert all(m.to == [draft.applicant.email] for m in mail.outbox)
    assert "请补充授权书。" in mail.outbox[2].body
    unit = Unit.objects.get(pk=draft.unit_id)
    assert unit.status == Unit.Status.ACTIVE
    assert unit.provisioning == Unit.Provisioning.DONE  # the task ran after commit (eager in tests)
    assert len(saleor.warehouses) == 1
    assert UnitMembership.objects.filter(user=draft.applicant, unit=unit, role="operator").exists()
    grant = AccessEvent.objects.get(action=AccessEvent.Action.ROLE_GRANTED)
    assert (grant.actor, grant.user, grant.detail["role"]) == (staff, draft.applicant, "operator")


def test_each_transition_only_by_its_role(client, draft):
    draft.status = Application.Status.SUBMITTED
    draft.save()
    other = UserFactory()
    review_url = reverse("unit_onboarding:review", args=[draft.pk])

    client.force_login(draft.applicant)  # an applicant cannot review their own application
    assert client.post(review_url, {"to_status": "in_review"}).status_code == 403
    client.force_login(other)
    assert client.post(review_url, {"to_status": "approved"}).status_code == 403

    staff = reviewer()
    login_verified(client, staff)
    skipped = client.post(review_url, {"to_status": "approved"})  # submitted -> approved skips review
    followed = client.get(skipped["Location"])

    assert "not allowed" in followed.content.decode() or "不允许" in followed.content.decode()
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED
    assert not ApplicationTransition.objects.exists()
    assert mail.outbox == []


def test_a_submitted_application_can_no_longer_be_edited_by_the_applicant(client, draft):
    draft.status = Application.Status.SUBMITTED
    draft.save()

    response = client.post(url(draft), complete_form(save="1"))

    assert response.status_code == 200  # shown read-only; the post changed nothing
    draft.unit.refresh_from_db()
    assert draft.unit.credit_code == ""
    assert upload(client, draft, PDF, "late.pdf").status_code == 400


@pytest.mark.django_db(transaction=True)  # the file is deleted after commit
def test_the_applicant_removes_a_document_from_a_draft_and_its_file_goes(client, draft, _storage):
    assert upload(client, draft, PDF, "wrong.pdf").status_code == 302
    document = Document.objects.get()

    response = client.post(reverse("unit_onboarding:document_remove", args=[document.pk]))

    assert response.status_code == 302
    assert not Document.objects.exists()
    assert [p for p in (_storage / "documents").rglob("*") if p.is_file()] == []


def test_the_bank_account_is_encrypted_at_rest(client, draft):
    client.post(url(draft), complete_form(save="1"))

    entity = draft.unit.operating_entity
    entity.refresh_from_db()
    assert entity.bank_account == "6216610200016587010"
    assert "6216610200016587010" not in entity.bank_account_encrypted
    page = client.get(url(draft)).content.decode()
    assert 'value="6216610200016587010"' in page  # the applicant sees it back in the form


def test_the_units_own_bank_account_is_captured_in_the_application_encrypted_and_audited(client, draft):
    from payments.models import FinanceAuditEvent

    form = complete_form(
        save="1",
        payout_account_name="重庆某某博物馆",
        payout_bank_name="中国建设银行重庆分行",
        payout_bank_account="6227 0000 5555 6666",
    )
    assert client.post(url(draft), form).status_code == 302

    unit = Unit.objects.get(pk=draft.unit.pk)
    assert (unit.payout_account_name, unit.payout_bank_account, unit.payout_ready) == (
        "重庆某某博物馆",
        "6227000055556666",
        True,
    )
    assert "6227000055556666" not in unit.payout_bank_account_encrypted
    assert unit.payout_bank_account != unit.operating_entity.bank_account
    event = FinanceAuditEvent.objects.get(action="unit.payout_changed")
    assert (event.actor_id, event.detail["account"]) == (draft.applicant_id, "…6666")
    page = client.get(url(draft)).content.decode()
    assert "…6666" in page and "6227000055556666" not in page


def test_partial_unit_bank_details_in_the_application_save_nothing(client, draft):
    form = complete_form(save="1", legal_name_zh="新名称博物馆", payout_bank_name="中国建设银行")

    response = client.post(url(draft), form, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Give the account name, the bank and the account number together" in response.content.decode()
    unit = Unit.objects.get(pk=draft.unit.pk)
    assert unit.legal_name_zh != "新名称博物馆" and not unit.payout_bank_name


def test_starting_twice_gives_the_same_draft(applicant):
    from unit_onboarding.services import application_start

    first = application_start(applicant=applicant, language="en")
    second = application_start(applicant=applicant, language="en")

    assert first == second
    assert Application.objects.filter(applicant=applicant).count() == 1
    assert Unit.objects.count() == 1  # the second attempt's unit was rolled back
