"""Factories for unit onboarding: units with real-format credit codes, applications, members."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile

from unit_onboarding.models import Application, Designer, Document, OperatingEntity, Unit, UnitMembership
from unit_onboarding.provisioning import unit_provision, unit_provisioning_request
from unit_onboarding.uscc import check_character

REVIEWERS = "Platform reviewers"


def credit_code(n: int, prefix: str = "12500000") -> str:
    """A valid USCC of a public institution (12...) in Chongqing (500000), numbered n."""
    first17 = f"{prefix}{n:09d}"[:17]
    return first17 + check_character(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}@example.cn")
    email = factory.SelfAttribute("username")
    password = factory.django.Password("correct horse battery staple")


def group_member(name: str, app_label: str, codename: str):
    """A new user in the group `name` holding the permission (the group recreated here: a transactional
    test's flush empties it)."""
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    user = UserFactory()
    user.groups.add(group)
    return user


def reviewer():
    """A member of the reviewers' group."""
    return group_member(REVIEWERS, "unit_onboarding", "review_application")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    legal_name_zh = factory.Sequence(lambda n: f"重庆第{n}博物馆")
    legal_name_en = factory.Sequence(lambda n: f"Chongqing Museum No. {n}")
    unit_type = "museum"
    credit_code = factory.Sequence(lambda n: credit_code(400000 + n))
    province = "重庆市"
    city = "重庆市"
    district = "渝中区"
    street = "人民路236号"
    postal_code = "400015"
    contact_name = "李华"
    contact_phone = "+86 23 6367 9011"
    contact_email = factory.Sequence(lambda n: f"contact{n}@museum.example.cn")
    pilot_level = "municipal"
    operating_mode = "commissioned"


class OperatingEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperatingEntity

    unit = factory.SubFactory(UnitFactory)
    legal_name = factory.Sequence(lambda n: f"重庆文创第{n}有限公司")
    credit_code = factory.Sequence(lambda n: credit_code(700000 + n, prefix="91500103"))
    settlement_method = "bank"
    bank_name = "中国工商银行重庆分行"
    bank_account = "6222020200112233445"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    unit = factory.SubFactory(UnitFactory)
    applicant = factory.SubFactory(UserFactory)
    status = Application.Status.DRAFT


def operator_of(unit: Unit, role: str = UnitMembership.Role.OPERATOR):
    user = UserFactory()
    UnitMembership.objects.create(user=user, unit=unit, role=role)
    return user


class DesignerFactory(factory.django.DjangoModelFactory):
    """A registered designer with bank payout details (pass bank_name="" for none)."""

    class Meta:
        model = Designer

    unit = factory.SubFactory(UnitFactory)
    slug = factory.Sequence(lambda n: f"designer-{n}")
    name_zh = factory.Sequence(lambda n: f"设计师{n}")
    name_en = factory.Sequence(lambda n: f"Designer {n}")
    bank_name = "中国建设银行重庆分行"
    bank_account = factory.LazyAttribute(lambda d: "6217003800012345678" if d.bank_name else "")


def platform_finance_user():
    """A member of platform finance (the permission given directly: a flushed test database has no group)."""
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    return type(user).objects.get(pk=user.pk)  # fresh: permissions are cached per instance


def agreement_in_force(unit: Unit, *, effective_from, shares, proposer=None, **terms):
    """An approved agreement version: proposed by `proposer` (a new user by default), approved by a
    platform finance member, as the agreement page and platform finance's queue do it."""
    from unit_onboarding.agreements import agreement_version_approve, agreement_version_propose

    version = agreement_version_propose(
        unit=unit, effective_from=effective_from, shares=shares, actor=proposer or UserFactory(), **terms
    )
    return agreement_version_approve(version_id=version.pk, actor=platform_finance_user())


def unit_to_provision(**fields) -> Unit:
    """An active unit with the full address Saleor's warehouse needs (Chengdu), its provisioning requested."""
    unit = UnitFactory(
        status=Unit.Status.ACTIVE,
        province="四川省",
        city="成都市",
        district="武侯区",
        street="浆洗街1号",
        postal_code="610041",
        **fields,
    )
    unit_provisioning_request(unit=unit)
    return unit


def provisioned_unit(**fields) -> Unit:
    """`unit_to_provision`, provisioned in Saleor now (its warehouse, in the channel): live tests only."""
    unit = unit_provision(unit_id=unit_to_provision(**fields).pk)
    assert unit.provisioning == Unit.Provisioning.DONE, unit.provisioning_error
    return unit


def licence_document(application, *, original_name: str, content: bytes, file_name: str = "licence.pdf"):
    """A business licence (a PDF of `content`) uploaded with the application by its applicant, stored."""
    document = Document(
        application=application,
        kind="business_licence",
        original_name=original_name,
        content_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
        uploaded_by=application.applicant,
    )
    document.file.save(file_name, ContentFile(content), save=True)
    return document
