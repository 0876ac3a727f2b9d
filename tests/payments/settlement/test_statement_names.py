"""The statement page and the finance home show names and words, not ledger codes (`entity:5`, `unit:<uid>`,
"entity · agreement"), in zh-Hans and English; platform finance still sees each party's ledger account."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from payments.settlement import labels
from tests.auth import login_verified
from tests.payments.settlement.conftest import at, pay
from tests.unit_onboarding.factories import UserFactory
from unit_onboarding.models import UnitMembership

pytestmark = pytest.mark.django_db
PERIOD = "?start=2026-11-01&end=2026-12-01"


def _text(response) -> str:
    """What a person reads: the page without its tags (links carry the keys in their URLs)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def unit_pages(client, parties):
    unit = parties["bank_unit"]
    unit.legal_name_zh, unit.legal_name_en, unit.display_name = "某某图书馆", "Some City Library", ""
    unit.save()
    pay("o1", parties["bank"], 10_000, at(3))
    pay("o2", f"unit:{unit.uid}", 5_000, at(4))
    member = UserFactory()
    UnitMembership.objects.create(user=member, unit=unit, role=UnitMembership.Role.FINANCE)
    login_verified(client, member)
    return parties, unit


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["运营主体", "按分成协议", "某某图书馆 的对账单"]),
        ("en", ["Operating entity", "by the distribution agreement", "Statement of"]),
    ],
)
def test_a_units_finance_member_reads_names_not_codes(client, unit_pages, language, words):
    parties, unit = unit_pages
    client.cookies["django_language"] = language
    entity_page = _text(client.get(reverse("finance:statement", args=[parties["bank"]]) + PERIOD))
    for word in words:
        assert word in entity_page
    assert "entity:" not in entity_page and " entity · agreement" not in entity_page
    unit_page = _text(client.get(reverse("finance:statement", args=[f"unit:{unit.uid}"]) + PERIOD))
    assert str(unit.uid) not in unit_page
    assert ("Some City Library" if language == "en" else "某某图书馆") in unit_page
    home = _text(client.get(reverse("finance:home") + PERIOD))
    assert "entity:" not in home and str(unit.uid) not in home
    assert str(labels.party_kind(f"unit:{unit.uid}")) in home or language == "en"


def test_platform_finance_also_sees_the_ledger_account(client, unit_pages):
    parties, _unit = unit_pages
    staff = UserFactory()
    staff.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    login_verified(client, staff)
    page = _text(client.get(reverse("finance:statement", args=[parties["bank"]]) + PERIOD))
    assert f"账簿账户 {parties['bank']}" in page


def test_every_role_and_rule_the_ledger_writes_has_words():
    for role in ("unit", "operating_entity", "designer", "staff_pool", "platform", "seller_of_record"):
        assert labels.share_role(role) != role
    for rule in ("agreement", "tax:platform", "shipping:shipping_unit", "campaign:held", "royalty:designer"):
        assert labels.share_rule(rule) != rule
    assert labels.share_rule("something:new") == "something:new"  # a new code shows as itself, never blank
