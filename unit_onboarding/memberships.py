"""Who holds which role in a unit: invitations, grants, removals and sign-up by confirmed e-mail.

Nothing attaches a role silently: a role is offered by e-mail and attaches when its holder accepts
through the link; a new address gets its account only when its owner sets a password through a link
mailed to it. Every change is in the access trail, and finance roles also in the finance audit trail.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, transaction

from accounts.audit import access_record
from accounts.models import AccessEvent
from core import clock
from core.audit import audit_record
from core.errors import refuse_same_person
from unit_onboarding import links, tasks
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import Invitation, Unit, UnitMembership
from unit_onboarding.permissions import can_grant, can_remove_member

A = AccessEvent.Action
Role = UnitMembership.Role
_INVITATION_SALT = "unit_onboarding.invitation"
_SIGNUP_SALT = "unit_onboarding.signup"


def email_normalise(email: str) -> str:
    return get_user_model().objects.normalize_email(email.strip()).lower()


def account_for(email: str):
    return get_user_model().objects.filter(email__iexact=email_normalise(email)).order_by("pk").first()


def _scope(unit: Unit) -> str:
    return f"unit:{unit.uid}"


def _finance_audit(*, actor, action: str, membership_or_invitation, user_email: str) -> None:
    """Finance roles decide who may set where money goes: they are in the finance audit trail too."""
    unit = membership_or_invitation.unit
    audit_record(actor=actor, action=action, subject=unit.party_key, party=unit.party_key, member=user_email)


# --- invitations --------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return links.row_token(invitation, _INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation the link names (whatever its state), or None for a forged or mangled link."""
    return links.row_from_token(
        Invitation.objects.select_related("unit", "invited_by"), token, _INVITATION_SALT
    )


def invitation_open(invitation: Invitation, now: datetime | None = None) -> bool:
    """The link works: pending, not expired, and (a finance role) endorsed by a second reviewer."""
    return not invitation.needs_endorsement and links.link_open(invitation, Invitation.Status.PENDING, now)


def invitation_create(
    *, unit: Unit, email: str, role: str, actor: AbstractBaseUser, language: str, now: datetime | None = None
) -> Invitation:
    """Offer `role` to `email` (mailed); inviting again while one is pending re-sends it with a new expiry."""
    now = now or clock.now()
    email = email_normalise(email)
    if not can_grant(actor, unit, role):
        raise OnboardingError(Code.ROLE_NOT_ALLOWED, "role")
    if UnitMembership.objects.filter(unit=unit, role=role, user__email__iexact=email).exists():
        raise OnboardingError(Code.ALREADY_MEMBER, "email", email=email)
    expires_at = now + timedelta(days=settings.INVITATION_VALID_DAYS)
    with transaction.atomic():
        invitation, created = Invitation.objects.get_or_create(
            unit=unit,
            email=email,
            role=role,
            status=Invitation.Status.PENDING,
            defaults={
                "invited_by": actor,
                "language": language,
                "nonce": secrets.token_urlsafe(12),
                "created_at": now,
                "expires_at": expires_at,
            },
        )
        if not created:
            invitation.invited_by, invitation.language, invitation.expires_at = actor, language, expires_at
            if role == Role.FINANCE and invitation.invited_by_id != actor.pk:
                invitation.endorsed_by = invitation.endorsed_at = None  # a new offerer: endorsed again
            invitation.save(
                update_fields=["invited_by", "language", "expires_at", "endorsed_by", "endorsed_at"]
            )
        if invitation.needs_endorsement:
            _finance_audit(
                actor=actor,
                action="membership.finance_offered",
                membership_or_invitation=invitation,
                user_email=email,
            )
        else:
            _invitation_send(invitation, actor=actor, now=now)
    return invitation


def _invitation_recorded(action, invitation: Invitation, *, actor, now: datetime) -> None:
    """A step of the invitation in the access trail: the address, the role, and its account if it has one."""
    access_record(
        action=action,
        actor=actor,
        user=account_for(invitation.email),
        scope=_scope(invitation.unit),
        now=now,
        email=invitation.email,
        role=invitation.role,
        invitation=invitation.pk,
    )


def _invitation_send(invitation: Invitation, *, actor, now: datetime) -> None:
    _invitation_recorded(A.INVITATION_SENT, invitation, actor=actor, now=now)
    transaction.on_commit(lambda: tasks.mail_invitation.delay(invitation.pk))


@transaction.atomic
def invitation_endorse(
    *, invitation: Invitation, actor: AbstractBaseUser, now: datetime | None = None
) -> None:
    """A second platform reviewer endorses a finance offer, which is then mailed (never its own offerer)."""
    now = now or clock.now()
    invitation = Invitation.objects.select_for_update().select_related("unit").get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING or not invitation.needs_endorsement:
        raise OnboardingError(Code.INVITATION_NOT_AWAITING_ENDORSEMENT)
    if not can_grant(actor, invitation.unit, invitation.role):
        raise OnboardingError(Code.ROLE_NOT_ALLOWED)
    refuse_same_person(actor, invitation.invited_by_id, OnboardingError, Code.ROLE_FOUR_EYES)
    invitation.endorsed_by, invitation.endorsed_at = actor, now
    # The link is valid for the usual time from the moment it is mailed.
    invitation.expires_at = now + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save(update_fields=["endorsed_by", "endorsed_at", "expires_at"])
    _finance_audit(
        actor=actor,
        action="membership.finance_endorsed",
        membership_or_invitation=invitation,
        user_email=invitation.email,
    )
    _invitation_send(invitation, actor=actor, now=now)


def _locked_open_invitation(invitation: Invitation, now: datetime) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("unit").get(pk=invitation.pk)
    if not invitation_open(invitation, now):
        raise OnboardingError(Code.INVITATION_INVALID)
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: AbstractBaseUser, now: datetime | None = None
) -> UnitMembership:
    """The invitee, signed in as the invited address, takes the role (if the inviter may still give it)."""
    now = now or clock.now()
    invitation = _locked_open_invitation(invitation, now)
    if email_normalise(user.email or "") != invitation.email:
        raise OnboardingError(Code.INVITATION_OTHER_ACCOUNT, email=invitation.email)
    if not can_grant(invitation.invited_by, invitation.unit, invitation.role) or (
        invitation.endorsed_by is not None
        and not can_grant(invitation.endorsed_by, invitation.unit, invitation.role)
    ):
        # The inviter (or endorser) lost the right to give this role since: stale.
        raise OnboardingError(Code.INVITATION_INVALID)
    membership, _created = UnitMembership.objects.get_or_create(
        user=user, unit=invitation.unit, role=invitation.role, defaults={"invited_by": invitation.invited_by}
    )
    invitation.record_decision(Invitation.Status.ACCEPTED, user, now=now)
    scope = _scope(invitation.unit)
    detail = {"email": invitation.email, "role": invitation.role, "invitation": invitation.pk}
    access_record(action=A.INVITATION_ACCEPTED, actor=user, user=user, scope=scope, now=now, **detail)
    access_record(
        action=A.ROLE_GRANTED, actor=invitation.invited_by, user=user, scope=scope, now=now, **detail
    )
    if invitation.role == Role.FINANCE:
        _finance_audit(
            actor=invitation.invited_by,
            action="membership.finance_granted",
            membership_or_invitation=invitation,
            user_email=invitation.email,
        )
    return membership


@transaction.atomic
def invitation_accept_new_account(
    *, invitation: Invitation, password: str, now: datetime | None = None
) -> tuple[AbstractBaseUser, UnitMembership]:
    """A new address: the account is made now, with the password its owner set through the mailed link."""
    now = now or clock.now()
    invitation = _locked_open_invitation(invitation, now)
    user = _account_create(email=invitation.email, password=password, now=now, via="invitation")
    return user, invitation_accept(invitation=invitation, user=user, now=now)


@transaction.atomic
def invitation_decline(
    *, invitation: Invitation, user: AbstractBaseUser | None, now: datetime | None = None
) -> None:
    now = now or clock.now()
    invitation = _locked_open_invitation(invitation, now)
    decided_by = user if getattr(user, "is_authenticated", False) else None
    _invitation_close(
        invitation, Invitation.Status.DECLINED, A.INVITATION_DECLINED, actor=user, by=decided_by, now=now
    )


def _invitation_close(invitation: Invitation, status: str, action: str, *, actor, by, now: datetime) -> None:
    """Decline or withdraw an open invitation, recorded in the access log."""
    invitation.record_decision(status, by, now=now)
    _invitation_recorded(action, invitation, actor=actor, now=now)


@transaction.atomic
def invitation_revoke(
    *, invitation: Invitation, actor: AbstractBaseUser, now: datetime | None = None
) -> None:
    """Withdraw a pending offer (whoever may give that role may withdraw it)."""
    now = now or clock.now()
    invitation = _locked_open_invitation(invitation, now)
    if not can_grant(actor, invitation.unit, invitation.role):
        raise OnboardingError(Code.ROLE_NOT_ALLOWED)
    _invitation_close(
        invitation, Invitation.Status.REVOKED, A.INVITATION_REVOKED, actor=actor, by=actor, now=now
    )


# --- roles of members -------------------------------------------------------------------------------


@transaction.atomic
def membership_remove(
    *, membership: UnitMembership, actor: AbstractBaseUser, now: datetime | None = None
) -> None:
    """Take a role away; the unit's last operator stays until a replacement has joined."""
    now = now or clock.now()
    unit = Unit.objects.select_for_update().get(pk=membership.unit_id)  # serialises removals per unit
    membership = UnitMembership.objects.select_related("user", "unit").get(pk=membership.pk)
    if not can_remove_member(actor, membership):
        raise OnboardingError(Code.ROLE_NOT_ALLOWED)
    if (
        membership.role == Role.OPERATOR
        and not UnitMembership.objects.filter(unit=unit, role=Role.OPERATOR)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise OnboardingError(Code.LAST_OPERATOR)
    membership.delete()
    _role_record(A.ROLE_REVOKED, "membership.finance_revoked", membership, actor=actor, now=now)


def _role_record(
    action: str, finance_action: str, membership: UnitMembership, *, actor, now: datetime
) -> None:
    """A role given or taken: the access log, and the finance audit when the role touches money."""
    user, role = membership.user, membership.role
    access_record(
        action=action,
        actor=actor,
        user=user,
        scope=_scope(membership.unit),
        now=now,
        email=user.email,
        role=role,
    )
    if role == Role.FINANCE:
        _finance_audit(
            actor=actor,
            action=finance_action,
            membership_or_invitation=membership,
            user_email=user.email,
        )


# --- sign-up -----------------------------------------------------------------------------------------


def signup_request(*, email: str, language: str, next_path: str = "", now: datetime | None = None) -> None:
    """Mail a link that confirms the address; the account is made only when a password is set through it.

    `next_path` (a path on this site, checked by the caller) is where the new account goes once made, e.g.
    the designer profile for someone who signed up as a designer; signed into the link with the address.
    """
    now = now or clock.now()
    email = email_normalise(email)
    data: dict[str, object] = {"e": email, "t": int(now.timestamp())}
    if next_path:
        data["n"] = next_path
    token = signing.dumps(data, salt=_SIGNUP_SALT)
    exists = account_for(email) is not None
    transaction.on_commit(lambda: tasks.mail_signup_link.delay(email, token, exists, language))


def signup_email(token: str, now: datetime | None = None) -> str | None:
    """The address a sign-up link confirms, while it is valid (SIGNUP_LINK_HOURS by the business clock)."""
    try:
        data = signing.loads(token, salt=_SIGNUP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int):
        return None
    age = (now or clock.now()).timestamp() - data["t"]
    if not 0 <= age < settings.SIGNUP_LINK_HOURS * 3600:
        return None
    return data.get("e") or None


def signup_next(token: str) -> str:
    """Where the sign-up link sends the new account (empty: the unit application)."""
    try:
        data = signing.loads(token, salt=_SIGNUP_SALT)
    except signing.BadSignature:
        return ""
    value = data.get("n") if isinstance(data, dict) else ""
    return value if isinstance(value, str) and value.startswith("/") and not value.startswith("//") else ""


@transaction.atomic
def signup_complete(*, token: str, password: str, now: datetime | None = None) -> AbstractBaseUser:
    now = now or clock.now()
    email = signup_email(token, now)
    if email is None:
        raise OnboardingError(Code.SIGNUP_LINK_INVALID)
    return _account_create(email=email, password=password, now=now, via="signup")


def _account_create(*, email: str, password: str, now: datetime, via: str) -> AbstractBaseUser:
    User = get_user_model()
    if account_for(email) is not None:
        raise OnboardingError(Code.ACCOUNT_EXISTS)
    user = User(username=email, email=email)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same link used twice at once: auth_user.username is unique
        raise OnboardingError(Code.ACCOUNT_EXISTS) from exc
    access_record(action=A.ACCOUNT_CREATED, actor=user, user=user, now=now, email=email, via=via)
    return user
