"""Pages of sign-in and access: sign-up by confirmed e-mail, invitations, members, the second factor."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import second_factor
from accounts.audit import access_events, access_record
from accounts.forms import StaffAuthenticationForm
from accounts.middleware import second_factor_exempt
from accounts.models import AccessEvent
from core.finance import is_platform_finance
from core.forms import add_service_error
from core.refusals import refusal_as_message
from unit_onboarding import designers, memberships
from unit_onboarding.access_forms import CodeForm, InviteForm, SignupForm, new_password_form
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.models import Invitation, Unit, UnitMembership
from unit_onboarding.permissions import (
    can_grant,
    can_manage_members,
    can_remove_member,
    can_view_unit,
    invitable_roles,
    is_reviewer,
)
from unit_onboarding.selectors import unit_or_404

Role = UnitMembership.Role
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _unit_for(request: HttpRequest, uid) -> Unit:
    return unit_or_404(request.user, uid, can_view_unit)


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


# --- sign-in --------------------------------------------------------------------------------------


class StaffLoginView(auth_views.LoginView):
    """Password sign-in, throttled per account and per client address; a lockout answers 429."""

    template_name = "unit_onboarding/login.html"
    authentication_form = StaffAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if any(e.code == "throttled" for e in form.errors.as_data().get("__all__", [])):
            response.status_code = 429
        return response


login = second_factor_exempt(StaffLoginView.as_view())
logout = second_factor_exempt(auth_views.LogoutView.as_view(next_page=reverse_lazy("unit_onboarding:login")))


@second_factor_exempt
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Step one: the address. The account is made only through the link mailed to it."""
    form = SignupForm(request.POST or None)
    next_path = _next(request, "")
    if request.method == "POST" and form.is_valid():
        memberships.signup_request(
            email=form.cleaned_data["email"], language=translation.get_language(), next_path=next_path
        )
        # The same answer whether or not the address has an account: this page tells nobody who is here.
        return render(request, "unit_onboarding/signup_sent.html", {"email": form.cleaned_data["email"]})
    return render(
        request,
        "unit_onboarding/signup.html",
        {"form": form, "next": next_path},
        status=400 if form.errors else 200,
    )


@second_factor_exempt
@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Step two: the link proves the address; choosing a password makes the account."""
    email = memberships.signup_email(token)
    if email is None:
        return render(request, "unit_onboarding/link_invalid.html", {"signup": True}, status=410)
    if memberships.account_for(email) is not None:
        messages.info(request, _("This address is confirmed and has an account: please log in."))
        return redirect("unit_onboarding:login")
    form = new_password_form(email, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = memberships.signup_complete(token=token, password=form.cleaned_data["new_password1"])
        except OnboardingError as error:
            form.add_error(None, error.message)
        else:
            auth_login(request, user, backend=BACKEND)
            # A designer who signed up from the designer pages goes back there, others to the application.
            return redirect(memberships.signup_next(token) or reverse("unit_onboarding:apply"))
    return render(
        request,
        "unit_onboarding/signup_confirm.html",
        {"form": form, "email": email},
        status=400 if form.errors else 200,
    )


# --- invitations ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's answer: accept (setting a password if the address is new) or decline."""
    found = memberships.invitation_from_token(token)
    if found is None:
        raise Http404
    context = {"invitation": found, "unit": found.unit, "role": found.get_role_display()}
    if not memberships.invitation_open(found):
        return render(request, "unit_onboarding/link_invalid.html", context, status=410)
    account = memberships.account_for(found.email)
    form = new_password_form(found.email, request.POST or None) if account is None else None
    try:
        if request.method == "POST" and "decline" in request.POST:
            memberships.invitation_decline(invitation=found, user=request.user)
            messages.info(request, _("You declined the invitation."))
            return render(request, "unit_onboarding/invitation_done.html", context)
        if request.method == "POST" and account is None and form.is_valid():
            user, _membership = memberships.invitation_accept_new_account(
                invitation=found, password=form.cleaned_data["new_password1"]
            )
            auth_login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome: you joined %(unit)s.") % {"unit": found.unit})
            return redirect("unit_onboarding:unit", uid=found.unit.uid)
        if request.method == "POST" and account is not None and request.user == account:
            memberships.invitation_accept(invitation=found, user=request.user)
            messages.success(request, _("You joined %(unit)s.") % {"unit": found.unit})
            return redirect("unit_onboarding:unit", uid=found.unit.uid)
    except OnboardingError as error:
        messages.error(request, error.message)
        return render(request, "unit_onboarding/link_invalid.html", context, status=409)
    other = account is not None and request.user.is_authenticated and request.user != account
    context.update(
        {
            "form": form,
            "account": account,
            "other_account": other,
            "login_url": f"{reverse('unit_onboarding:login')}?{urlencode({'next': request.path})}",
        }
    )
    return render(
        request,
        "unit_onboarding/invitation.html",
        context,
        status=403 if other else (400 if form is not None and form.errors else 200),
    )


@require_http_methods(["GET", "POST"])
def designer_claim(request: HttpRequest, token: str) -> HttpResponse:
    """A claim link's answer: signed in with the invited address, the designer takes the registration."""
    claim = designers.designer_claim_from_token(token)
    if claim is None:
        raise Http404
    designer = claim.designer
    context = {"claim": claim, "designer": designer, "unit": designer.unit}
    if not designers.designer_claim_open(claim):
        return render(request, "unit_onboarding/link_invalid.html", context, status=410)
    account = memberships.account_for(claim.email)
    other = request.user.is_authenticated and request.user != account
    if request.method == "POST" and request.user.is_authenticated and not other:
        try:
            designers.designer_claim_accept(claim=claim, user=request.user)
        except OnboardingError as error:
            messages.error(request, error.message)
            return render(request, "unit_onboarding/link_invalid.html", context, status=409)
        messages.success(
            request, _("The designer registration %(name)s is linked to your account.") % {"name": designer}
        )
        return redirect(reverse("resources:me"))
    context.update(
        {
            "other_account": other,
            "has_account": account is not None,
            "login_url": f"{reverse('unit_onboarding:login')}?{urlencode({'next': request.path})}",
            "signup_url": f"{reverse('unit_onboarding:signup')}?{urlencode({'next': request.path})}",
        }
    )
    return render(request, "unit_onboarding/designer_claim.html", context, status=403 if other else 200)


# --- members ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, uid) -> HttpResponse:
    """The unit's members, open invitations and history; invite whom your role lets you invite."""
    unit = _unit_for(request, uid)
    if not can_manage_members(request.user, unit):
        raise PermissionDenied
    form = InviteForm(request.POST or None, roles=invitable_roles(request.user, unit))
    if request.method == "POST" and form.is_valid():
        try:
            memberships.invitation_create(
                unit=unit,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
                language=translation.get_language(),
            )
        except OnboardingError as error:
            add_service_error(form, error)
        else:
            if form.cleaned_data["role"] == Role.FINANCE:
                messages.success(
                    request,
                    _("Finance offer recorded: another platform reviewer endorses it before it is mailed."),
                )
            else:
                messages.success(request, _("Invitation sent. The role attaches when the invitee accepts."))
            return redirect("unit_onboarding:members", uid=unit.uid)
    rows = unit.memberships.select_related("user", "invited_by").order_by("user__email", "role")
    roles_of: dict[int, set[str]] = {}
    for m in rows:
        roles_of.setdefault(m.user_id, set()).add(m.role)
    pending = unit.invitations.filter(status=Invitation.Status.PENDING).select_related(
        "invited_by", "endorsed_by"
    )
    offered = {i.email for i in pending if i.role == Role.FINANCE}
    may_grant_finance = can_grant(request.user, unit, Role.FINANCE)
    member_rows = [
        {
            "membership": m,
            "may_remove": can_remove_member(request.user, m),
            "may_grant_finance": may_grant_finance
            and m.role == Role.OPERATOR
            and Role.FINANCE not in roles_of[m.user_id]
            and m.user.email.lower() not in offered,
        }
        for m in rows
    ]
    return render(
        request,
        "unit_onboarding/members.html",
        {
            "unit": unit,
            "form": form,
            "members": member_rows,
            "invitations": [
                (i, can_grant(request.user, unit, i.role), i.invited_by_id != request.user.pk)
                for i in pending.order_by("created_at")
            ],
            "events": memberships_history(unit),
        },
        status=400 if form.errors else 200,
    )


def memberships_history(unit: Unit):
    return access_events(scope=f"unit:{unit.uid}")[:100]


@login_required
@require_POST
def member_remove(request: HttpRequest, uid, pk: int) -> HttpResponse:
    unit = _unit_for(request, uid)
    membership = get_object_or_404(UnitMembership, pk=pk, unit=unit)
    if not can_remove_member(request.user, membership):
        raise PermissionDenied
    with refusal_as_message(request, OnboardingError):
        memberships.membership_remove(membership=membership, actor=request.user)
        messages.success(request, _("%(email)s no longer has that role.") % {"email": membership.user.email})
    return redirect("unit_onboarding:members", uid=unit.uid)


@login_required
@require_POST
def member_grant_finance(request: HttpRequest, uid, pk: int) -> HttpResponse:
    """A platform reviewer offers a member of the unit the finance role (a second reviewer endorses it)."""
    unit = _unit_for(request, uid)
    membership = get_object_or_404(UnitMembership.objects.select_related("user"), pk=pk, unit=unit)
    if not can_grant(request.user, unit, Role.FINANCE):
        raise PermissionDenied
    with refusal_as_message(request, OnboardingError):
        memberships.invitation_create(
            unit=unit,
            email=membership.user.email,
            role=Role.FINANCE,
            actor=request.user,
            language=translation.get_language(),
        )
        messages.success(
            request,
            _(
                "The finance role is offered to %(email)s: once another platform reviewer endorses the "
                "offer, it is mailed, and the role attaches when they accept."
            )
            % {"email": membership.user.email},
        )
    return redirect("unit_onboarding:members", uid=unit.uid)


@login_required
@require_POST
def invitation_endorse(request: HttpRequest, uid, pk: int) -> HttpResponse:
    """A second platform reviewer endorses a finance offer, which is then mailed."""
    unit = _unit_for(request, uid)
    if not can_grant(request.user, unit, Role.FINANCE):
        raise PermissionDenied
    found = get_object_or_404(Invitation, pk=pk, unit=unit, role=Role.FINANCE)
    with refusal_as_message(request, OnboardingError):
        memberships.invitation_endorse(invitation=found, actor=request.user)
        messages.success(request, _("Offer endorsed and mailed to %(email)s.") % {"email": found.email})
    return redirect("unit_onboarding:members", uid=unit.uid)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, uid, pk: int) -> HttpResponse:
    unit = _unit_for(request, uid)
    found = get_object_or_404(Invitation, pk=pk, unit=unit)
    if not can_grant(request.user, unit, found.role):
        raise PermissionDenied
    with refusal_as_message(request, OnboardingError):
        memberships.invitation_revoke(invitation=found, actor=request.user)
        messages.success(request, _("Invitation withdrawn."))
    return redirect("unit_onboarding:members", uid=unit.uid)


# --- the second factor and the password ------------------------------------------------------------


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "unit_onboarding/security.html",
        {
            "enrolled": second_factor.has_second_factor(user),
            "required": second_factor.required(user),
            "codes_left": second_factor.recovery_codes_left(user),
            "events": access_events(user=user)[:20],
        },
    )


@second_factor_exempt
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the key), confirm with a code; recovery codes are shown once."""
    user = request.user
    if second_factor.has_second_factor(user) and not user.is_verified():
        # Replacing an authenticator needs the current one first (a stolen password alone cannot).
        return redirect(f"{reverse('unit_onboarding:two_factor_verify')}?{urlencode({'next': request.path})}")
    device = second_factor.totp_setup_start(user=user)
    form = CodeForm(request.POST or None, setting_up=True)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.totp_setup_confirm(user=user, device=device, token=form.cleaned_data["code"])
        if codes is None:
            form.add_error("code", _("That code is not right. Check the time on your phone and try again."))
        else:
            otp_login(request, device)
            return render(
                request,
                "unit_onboarding/recovery_codes.html",
                {"codes": codes, "next": _next(request, reverse("unit_onboarding:home"))},
            )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "unit_onboarding/two_factor_setup.html",
        {
            "form": form,
            "qr": mark_safe(second_factor.qr_svg(device.config_url)),  # noqa: S308 - SVG we generated
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": second_factor.required(user),
            "next": _next(request, ""),
        },
        status=400 if form.errors else 200,
    )


@second_factor_exempt
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator, or a recovery code."""
    user = request.user
    if not second_factor.has_second_factor(user):
        return redirect(
            f"{reverse('unit_onboarding:two_factor_setup')}?{urlencode({'next': _next(request, '')})}"
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.second_factor_verify(user=user, token=form.cleaned_data["code"])
        if device is None:
            form.add_error(
                "code",
                _("That code is not right (or came too soon after a wrong one): wait a moment and retry."),
            )
        else:
            otp_login(request, device)
            if device.model_label() == "accounts.recoverycodedevice":
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; %(left)s are left. "
                        "Make new ones on the security page."
                    )
                    % {"left": second_factor.recovery_codes_left(user)},
                )
            return redirect(_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
    return render(
        request,
        "unit_onboarding/two_factor_verify.html",
        {"form": form, "next": _next(request, "")},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working); the middleware has verified this session."""
    if not second_factor.has_second_factor(request.user):
        return redirect("unit_onboarding:two_factor_setup")
    codes = second_factor.recovery_codes_regenerate(user=request.user)
    return render(
        request,
        "unit_onboarding/recovery_codes.html",
        {"codes": codes, "next": reverse("unit_onboarding:security")},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "unit_onboarding/password_change.html"
    success_url = reverse_lazy("unit_onboarding:security")

    def form_valid(self, form):
        response = super().form_valid(form)
        access_record(
            action=AccessEvent.Action.PASSWORD_CHANGED, actor=self.request.user, user=self.request.user
        )
        messages.success(self.request, _("Your password was changed."))
        return response


password_change = login_required(PasswordChangeView.as_view())


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Every role and sign-in change, for platform staff (reviewers, platform finance, admins)."""
    if not (is_reviewer(request.user) or is_platform_finance(request.user) or request.user.is_superuser):
        raise PermissionDenied
    events = access_events()
    query = request.GET.get("q", "").strip()
    if query:
        events = events.filter(user__email__icontains=query) | events.filter(scope__icontains=query)
    return render(request, "unit_onboarding/access_log.html", {"events": events[:500], "q": query})
