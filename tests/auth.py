"""Signing in, in tests: `force_login` plus a session verified by a second factor, as after a real sign-in."""

from __future__ import annotations

from urllib.parse import urlsplit

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def verified_device(user) -> TOTPDevice:
    """The user's confirmed authenticator (made if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)


def login_verified(client, user) -> TOTPDevice:
    """Log `user` in on the test client with the second factor already verified (what a finance member,
    reviewer, curator or platform finance has after signing in); returns the authenticator used."""
    client.force_login(user)
    device = verified_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def mailed_path(body: str, prefix: str) -> str:
    """The path of the first link in a mail body under `prefix` (e.g. "/onboarding/signup/")."""
    for word in body.split():
        path = urlsplit(word).path
        if word.startswith("http") and path.startswith(prefix):
            return path
    raise AssertionError(f"no link under {prefix} in:\n{body}")


def authenticator_code(user, *, confirmed: bool | None = None) -> str:
    """The code the user's authenticator app shows now (the test plays the phone)."""
    from django_otp.oath import totp

    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    device = devices.order_by("-pk").first()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def browser_log_in(page, base: str, email: str, password: str, next_path: str = "") -> None:
    """In a browser: sign in on the portal's login page at `base`, to go on to `next_path` if given (its
    second factor, when asked for, is `browser_second_factor`'s)."""
    page.goto(f"{base}/onboarding/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()  # the click returns as the next page starts loading, before it is read


def browser_second_factor(page, user) -> None:
    """In a browser that was just sent to set up or verify the second factor: do it as the user would."""
    if "/security/two-factor/verify/" in page.url:
        page.fill("#id_code", authenticator_code(user, confirmed=True))
        page.click("main button[type=submit]")
    elif "/security/two-factor/" in page.url:
        page.fill("#id_code", authenticator_code(user, confirmed=False))
        page.click("main button[type=submit]")
        page.click("#continue")  # past the recovery codes, to the page that asked
    # A click waits for its navigation to commit, not for the page to load: under load, `page.url` already
    # named the page that asked while its form was not there yet (seen in CI).
    page.wait_for_load_state()
