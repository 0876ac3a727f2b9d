"""Who holds a role in a unit: invitations that wait for acceptance, finance roles only from platform
reviewers, removals (never the last operator), sign-up by confirmed e-mail, and the access trail of it all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from accounts.models import AccessEvent
from payments.models import FinanceAuditEvent
from tests.auth import login_verified, mailed_path
from unit_onboarding import memberships
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import Invitation, Unit, UnitMembership

from .factories import OperatingEntityFactory, UserFactory, operator_of, reviewer

pytestmark = pytest.mark.django_db(transaction=True)  # mail goes after commit, as in production
NOW = datetime(2026, 12, 15, 4, tzinfo=UTC)
PASSWORD = "Terracotta-Warrior-2026"
Role = UnitMembership.Role
A = AccessEvent.Action


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def unit():
    return OperatingEntityFactory(unit__status=Unit.Status.ACTIVE, unit__display_name="三峡博物馆").unit


@pytest.fixture
def mail_now(mailoutbox):
    """The outbox: mail is sent after each request's commit (Celery runs eagerly in tests)."""
    return mailoutbox


def invite(client, unit, email, role, **extra):
    return client.post(
        reverse("unit_onboarding:members", args=[unit.uid]), {"email": email, "role": role}, **extra
    )


def test_an_operator_is_offered_the_operator_role_only_and_a_finance_invitation_is_refused(client, unit):
    operator = operator_of(unit)
    client.force_login(operator)

    page = client.get(reverse("unit_onboarding:members", args=[unit.uid])).content.decode()
    refused = invite(client, unit, "accomplice@example.cn", "finance", HTTP_ACCEPT_LANGUAGE="en")

    assert 'value="operator"' in page and 'value="finance"' not in page
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert not Invitation.objects.exists()
    with pytest.raises(OnboardingError) as refusal:  # the service refuses it too, whatever the form offers
        memberships.invitation_create(
            unit=unit, email="accomplice@example.cn", role=Role.FINANCE, actor=operator, language="en"
        )
    assert refusal.value.code == Code.ROLE_NOT_ALLOWED
    assert not UnitMembership.objects.filter(user__email="accomplice@example.cn").exists()


def test_an_invitation_to_an_existing_account_waits_for_that_person_to_accept(client, unit, mail_now):
    """The attack of the issue: the operator's own sign-up account is not attached by inviting it."""
    existing = UserFactory(email="friend@example.cn", username="friend@example.cn")
    client.force_login(operator_of(unit))

    assert invite(client, unit, "Friend@Example.cn", "operator").status_code == 302

    assert not UnitMembership.objects.filter(user=existing).exists()
    [mail] = mail_now
    assert mail.to == ["friend@example.cn"]
    link = mailed_path(mail.body, "/onboarding/invitations/")
    client.logout()
    anonymous = client.get(link).content.decode()
    assert "friend@example.cn" in anonymous and "?next=" in anonymous  # log in first, as that account
    client.force_login(UserFactory())
    assert client.post(link, {"accept": "1"}).status_code == 403  # someone else's session cannot take it
    client.force_login(existing)
    accepted = client.post(link, {"accept": "1"})

    assert accepted.status_code == 302
    assert UnitMembership.objects.get(user=existing).role == Role.OPERATOR
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.decided_by, invitation.decided_at) == ("accepted", existing, NOW)
    assert client.get(link).status_code == 410  # once only


def test_a_new_address_gets_its_account_only_when_the_password_is_set_through_the_link(
    client, unit, mail_now
):
    client.force_login(operator_of(unit))
    invite(client, unit, "new.keeper@museum.example.cn", "operator")
    link = mailed_path(mail_now[0].body, "/onboarding/invitations/")
    client.logout()

    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="new.keeper@museum.example.cn").exists()
    weak = client.post(link, {"accept": "1", "new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 400 and not get_user_model().objects.filter(
        username="new.keeper@museum.example.cn"
    )
    joined = client.post(link, {"accept": "1", "new_password1": PASSWORD, "new_password2": PASSWORD})

    assert joined.status_code == 302 and joined["Location"] == reverse(
        "unit_onboarding:unit", args=[unit.uid]
    )
    user = get_user_model().objects.get(email="new.keeper@museum.example.cn")
    assert user.check_password(PASSWORD)
    assert UnitMembership.objects.get(user=user).role == Role.OPERATOR
    actions = list(AccessEvent.objects.filter(user=user).order_by("pk").values_list("action", flat=True))
    assert actions == [A.ACCOUNT_CREATED, A.INVITATION_ACCEPTED, A.ROLE_GRANTED]


def test_an_invitation_expires_by_the_business_clock(client, unit, mail_now, time_machine, settings):
    settings.INVITATION_VALID_DAYS = 7
    client.force_login(operator_of(unit))
    invite(client, unit, "late@example.cn", "operator")
    link = mailed_path(mail_now[0].body, "/onboarding/invitations/")
    client.logout()

    time_machine.move_to(NOW + timedelta(days=7, seconds=1), tick=False)
    late = client.post(link, {"accept": "1", "new_password1": PASSWORD, "new_password2": PASSWORD})

    assert late.status_code == 410
    assert not UnitMembership.objects.filter(user__email="late@example.cn").exists()
    assert "2026-12-22 12:00" in mail_now[0].body  # the mail says until when, in Beijing time


def test_a_forged_or_altered_link_is_not_found(client, unit):
    invitation = memberships.invitation_create(
        unit=unit, email="x@example.cn", role=Role.OPERATOR, actor=operator_of(unit), language="en"
    )
    token = memberships.invitation_token(invitation)

    assert client.get(reverse("unit_onboarding:invitation", args=[token[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("unit_onboarding:invitation", args=["not-a-token"])).status_code == 404
    assert client.get(reverse("unit_onboarding:invitation", args=[token])).status_code == 200


def test_declining_and_withdrawing_end_the_offer_and_are_recorded(client, unit):
    operator = operator_of(unit)
    declined = memberships.invitation_create(
        unit=unit, email="no@example.cn", role=Role.OPERATOR, actor=operator, language="en"
    )
    withdrawn = memberships.invitation_create(
        unit=unit, email="later@example.cn", role=Role.OPERATOR, actor=operator, language="en"
    )

    answer = client.post(
        reverse("unit_onboarding:invitation", args=[memberships.invitation_token(declined)]), {"decline": "1"}
    )
    client.force_login(operator)
    client.post(reverse("unit_onboarding:invitation_revoke", args=[unit.uid, withdrawn.pk]))

    assert answer.status_code == 200
    assert {i.email: i.status for i in Invitation.objects.all()} == {
        "no@example.cn": "declined",
        "later@example.cn": "revoked",
    }
    assert (
        client.get(
            reverse("unit_onboarding:invitation", args=[memberships.invitation_token(withdrawn)])
        ).status_code
        == 410
    )
    history = client.get(
        reverse("unit_onboarding:members", args=[unit.uid]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Invitation declined" in history and "Invitation withdrawn" in history


def test_an_invitation_from_an_operator_removed_since_is_stale(client, unit):
    first, second = operator_of(unit), operator_of(unit)
    invitation = memberships.invitation_create(
        unit=unit, email="friend@example.cn", role=Role.OPERATOR, actor=first, language="en"
    )
    memberships.membership_remove(membership=UnitMembership.objects.get(user=first), actor=second)

    with pytest.raises(OnboardingError) as refusal:
        memberships.invitation_accept_new_account(invitation=invitation, password=PASSWORD)

    assert refusal.value.code == Code.INVITATION_INVALID
    assert not UnitMembership.objects.filter(user__email="friend@example.cn").exists()


def _endorse(client, unit, endorser) -> object:
    login_verified(client, endorser)
    pending = Invitation.objects.get(unit=unit, status="pending", role="finance")
    return client.post(reverse("unit_onboarding:invitation_endorse", args=[unit.uid, pending.pk]))


def test_a_finance_offer_to_a_member_is_mailed_only_once_a_second_reviewer_endorses_it(
    client, unit, mail_now
):
    member = operator_of(unit)
    staff, second = reviewer(), reviewer()
    login_verified(client, staff)

    offered = client.post(
        reverse(
            "unit_onboarding:member_grant_finance",
            args=[unit.uid, UnitMembership.objects.get(user=member).pk],
        )
    )

    assert offered.status_code == 302 and mail_now == []
    own = client.post(
        reverse(
            "unit_onboarding:invitation_endorse", args=[unit.uid, Invitation.objects.get(role="finance").pk]
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert own.status_code == 302 and mail_now == []
    page = client.get(reverse("unit_onboarding:members", args=[unit.uid]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Waiting for a second reviewer" in page.content.decode()
    assert "Endorse and mail the offer" not in page.content.decode()  # not to the one who offered it
    assert Invitation.objects.get(role="finance").endorsed_by is None

    assert _endorse(client, unit, second).status_code == 302
    link = mailed_path(mail_now[-1].body, "/onboarding/invitations/")
    assert mail_now[-1].to == [member.email]
    client.force_login(member)
    client.post(link, {"accept": "1"})

    assert set(UnitMembership.objects.filter(user=member).values_list("role", flat=True)) == {
        "operator",
        "finance",
    }
    event = AccessEvent.objects.get(action=A.ROLE_GRANTED)
    assert (event.actor, event.user, event.at, event.scope) == (staff, member, NOW, f"unit:{unit.uid}")
    assert event.detail["role"] == "finance"
    trail = list(FinanceAuditEvent.objects.order_by("pk").values_list("action", "actor"))
    assert trail == [
        ("membership.finance_offered", staff.pk),
        ("membership.finance_endorsed", second.pk),
        ("membership.finance_granted", staff.pk),
    ]


def test_the_offerer_cannot_endorse_their_own_finance_offer_nor_can_the_database_accept_it(unit):
    staff = reviewer()
    invitation = memberships.invitation_create(
        unit=unit, email="cashier@museum.example.cn", role=Role.FINANCE, actor=staff, language="en"
    )

    with pytest.raises(OnboardingError) as refused:
        memberships.invitation_endorse(invitation=invitation, actor=staff)
    assert refused.value.code == Code.ROLE_FOUR_EYES
    assert not memberships.invitation_open(invitation)  # its link does not work before endorsement
    invitation.status, invitation.endorsed_by = Invitation.Status.ACCEPTED, staff
    with pytest.raises(DatabaseError, match="invitation_finance_four_eyes"), transaction.atomic():
        invitation.save()


def test_an_operator_cannot_endorse_a_finance_offer(client, unit, mail_now):
    memberships.invitation_create(
        unit=unit, email="cashier@museum.example.cn", role=Role.FINANCE, actor=reviewer(), language="en"
    )
    login_verified(client, operator_of(unit))

    assert _endorse(client, unit, operator_of(unit)).status_code == 403
    assert mail_now == [] and Invitation.objects.get().endorsed_by is None


def test_a_reviewer_invites_a_new_person_as_finance_and_the_role_waits_for_acceptance(client, unit, mail_now):
    staff = reviewer()
    login_verified(client, staff)

    invite(client, unit, "cashier@museum.example.cn", "finance")
    assert mail_now == []
    _endorse(client, unit, reviewer())
    link = mailed_path(mail_now[0].body, "/onboarding/invitations/")
    assert not UnitMembership.objects.filter(role=Role.FINANCE).exists()
    client.logout()
    client.post(link, {"accept": "1", "new_password1": PASSWORD, "new_password2": PASSWORD})

    membership = UnitMembership.objects.get(role=Role.FINANCE)
    assert (membership.user.email, membership.invited_by) == ("cashier@museum.example.cn", staff)
    # the new finance member is sent to set up a second factor before any page of the unit
    page = client.get(reverse("unit_onboarding:payout", args=[unit.uid]))
    assert page.status_code == 302 and page["Location"].startswith(
        reverse("unit_onboarding:two_factor_setup")
    )


def test_operators_remove_operators_but_never_the_last_one_nor_a_finance_member(client, unit):
    first, second = operator_of(unit), operator_of(unit)
    finance = operator_of(unit, role=Role.FINANCE)
    client.force_login(first)
    m = {u: UnitMembership.objects.get(user=u) for u in (first, second, finance)}

    finance_refused = client.post(reverse("unit_onboarding:member_remove", args=[unit.uid, m[finance].pk]))
    removed = client.post(reverse("unit_onboarding:member_remove", args=[unit.uid, m[second].pk]))
    last = client.post(
        reverse("unit_onboarding:member_remove", args=[unit.uid, m[first].pk]),
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    assert finance_refused.status_code == 403
    assert removed.status_code == 302
    assert "last operator cannot be removed" in last.content.decode()
    assert set(UnitMembership.objects.values_list("user_id", flat=True)) == {first.pk, finance.pk}
    event = AccessEvent.objects.get(action=A.ROLE_REVOKED)
    assert (event.actor, event.user, event.detail["role"]) == (first, second, "operator")


def test_only_platform_reviewers_revoke_a_finance_role_and_it_is_in_both_trails(client, unit):
    operator_of(unit)
    finance = operator_of(unit, role=Role.FINANCE)
    staff = reviewer()
    login_verified(client, staff)

    client.post(
        reverse("unit_onboarding:member_remove", args=[unit.uid, UnitMembership.objects.get(user=finance).pk])
    )

    assert not UnitMembership.objects.filter(user=finance).exists()
    assert FinanceAuditEvent.objects.get(action="membership.finance_revoked").actor == staff
    assert AccessEvent.objects.get(action=A.ROLE_REVOKED).user == finance


def test_the_last_operator_stays_even_for_reviewers_and_under_concurrent_removals(unit):
    first, second = operator_of(unit), operator_of(unit)
    staff = reviewer()

    memberships.membership_remove(membership=UnitMembership.objects.get(user=first), actor=staff)
    with pytest.raises(OnboardingError) as refusal:
        memberships.membership_remove(membership=UnitMembership.objects.get(user=second), actor=staff)

    assert refusal.value.code == Code.LAST_OPERATOR
    assert UnitMembership.objects.filter(unit=unit, role=Role.OPERATOR).count() == 1


def test_signing_up_confirms_the_address_before_an_account_exists(client, mail_now, time_machine, settings):
    from django.contrib.auth import get_user_model

    settings.SIGNUP_LINK_HOURS = 24
    asked = client.post(reverse("unit_onboarding:signup"), {"email": "Curator@Museum.example.cn"})
    link = mailed_path(mail_now[0].body, "/onboarding/signup/")

    assert asked.status_code == 200 and not get_user_model().objects.exists()
    time_machine.move_to(NOW + timedelta(hours=24, seconds=1), tick=False)
    assert client.get(link).status_code == 410  # expired by the business clock
    time_machine.move_to(NOW + timedelta(hours=23), tick=False)
    done = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302
    user = get_user_model().objects.get()
    assert (user.email, user.username) == ("curator@museum.example.cn", "curator@museum.example.cn")
    assert AccessEvent.objects.get(action=A.ACCOUNT_CREATED).user == user
    assert (
        client.post(
            link, {"new_password1": "Other-pass-9876", "new_password2": "Other-pass-9876"}
        ).status_code
        == 302
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # a second use of the link changes nothing


def test_signing_up_with_an_address_that_has_an_account_makes_nothing_and_says_so_by_mail(client, mail_now):
    existing = UserFactory(email="keeper@example.cn", username="keeper@example.cn")

    page = client.post(reverse("unit_onboarding:signup"), {"email": "keeper@example.cn"})

    assert page.status_code == 200  # the same page as for a new address: nobody learns who has an account
    assert "/onboarding/signup/" not in mail_now[0].body and "/onboarding/login/" in mail_now[0].body
    existing.refresh_from_db()
    assert existing.check_password("correct horse battery staple")


def test_platform_staff_read_the_access_log_and_operators_may_not(client, unit):
    memberships.invitation_create(
        unit=unit, email="x@example.cn", role=Role.OPERATOR, actor=operator_of(unit), language="en"
    )
    client.force_login(operator_of(unit))
    assert client.get(reverse("unit_onboarding:access_log")).status_code == 403
    login_verified(client, reviewer())

    log = client.get(reverse("unit_onboarding:access_log"), HTTP_ACCEPT_LANGUAGE="en")

    assert log.status_code == 200
    assert "Invitation sent" in log.content.decode() and "x@example.cn" in log.content.decode()


def test_the_access_trail_is_append_only_in_the_database(unit):
    memberships.invitation_create(
        unit=unit, email="x@example.cn", role=Role.OPERATOR, actor=operator_of(unit), language="en"
    )
    event = AccessEvent.objects.get()

    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(action="role.granted")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert AccessEvent.objects.get().action == A.INVITATION_SENT
