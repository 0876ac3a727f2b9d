"""Staff sign-in throttling per account and per client address (/onboarding/login/ and /admin/login/), and
which client address counts behind a proxy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.addresses import client_address
from accounts.models import AccessEvent, LoginThrottle
from tests.unit_onboarding.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 15, 4, tzinfo=UTC)
RIGHT = "correct horse battery staple"
LOGIN = "/onboarding/login/"


@pytest.fixture(autouse=True)
def _limits(settings, time_machine):
    time_machine.move_to(NOW, tick=False)
    settings.LOGIN_THROTTLE_ACCOUNT_FAILURES = 5
    settings.LOGIN_THROTTLE_ADDRESS_FAILURES = 20
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = 900
    settings.LOGIN_LOCKOUT_SECONDS = 900
    settings.TRUSTED_PROXIES = []


def attempt(client, username, password, address="203.0.113.9", path=LOGIN, **extra):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def test_fifty_wrong_passwords_lock_the_account_and_the_right_one_waits_for_the_lockout_to_end(
    client, time_machine
):
    staff = UserFactory()
    statuses = [attempt(client, staff.username, f"guess-{i}").status_code for i in range(50)]

    assert statuses[:4] == [200] * 4  # wrong password, said as such
    assert set(statuses[4:]) == {429}  # the fifth failure locks; the rest are refused unread
    from_elsewhere = attempt(client, staff.username, RIGHT, address="198.51.100.7", HTTP_ACCEPT_LANGUAGE="en")
    assert from_elsewhere.status_code == 429  # per account: another address does not help
    text = from_elsewhere.content.decode()
    assert "Too many failed sign-in attempts" in text and "2026-12-15 12:15" in text  # Beijing time
    assert "_auth_user_id" not in client.session

    time_machine.move_to(NOW + timedelta(seconds=899), tick=False)
    assert attempt(client, staff.username, RIGHT, address="198.51.100.7").status_code == 429
    time_machine.move_to(NOW + timedelta(seconds=901), tick=False)
    assert attempt(client, staff.username, RIGHT, address="198.51.100.7").status_code == 302
    assert AccessEvent.objects.get(action=AccessEvent.Action.LOGIN_LOCKED).user == staff


def test_the_lockout_message_is_in_chinese_by_default(client):
    staff = UserFactory()
    for i in range(5):
        attempt(client, staff.username, f"guess-{i}")

    page = attempt(client, staff.username, RIGHT, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "登录失败次数过多" in page and "北京时间" in page


def test_one_address_guessing_many_accounts_is_locked_while_other_addresses_sign_in(client):
    victims = [UserFactory() for _ in range(25)]
    for victim in victims:
        attempt(client, victim.username, "wrong", address="203.0.113.66")

    locked = attempt(client, victims[-1].username, RIGHT, address="203.0.113.66")
    other = attempt(client, victims[-1].username, RIGHT, address="192.0.2.10")

    assert locked.status_code == 429
    assert other.status_code == 302  # the account itself had one failure: its owner signs in


def test_a_right_password_clears_the_accounts_count(client):
    staff = UserFactory()
    for i in range(4):
        attempt(client, staff.username, f"guess-{i}")
    assert attempt(client, staff.username, RIGHT).status_code == 302
    client.logout()

    for i in range(4):
        assert attempt(client, staff.username, f"again-{i}").status_code == 200  # counting starts over


def test_the_admin_login_is_throttled_too(client):
    staff = UserFactory(is_staff=True)
    path = reverse("admin:login")
    for i in range(5):
        attempt(client, staff.username, f"guess-{i}", path=path)

    refused = attempt(client, staff.username, RIGHT, path=path, HTTP_ACCEPT_LANGUAGE="en")

    assert "Too many failed sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_buckets_name_nobody(client):
    staff = UserFactory()
    attempt(client, staff.username, "wrong", address="203.0.113.9")

    keys = "".join(LoginThrottle.objects.values_list("key", flat=True))
    assert staff.username not in keys and "203.0.113.9" not in keys
    assert LoginThrottle.objects.count() == 2  # one account bucket, one address bucket


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy trusted: the header is ignored
        (["10.0.0.5"], "10.0.0.5", "198.51.100.1", "198.51.100.1"),  # from our proxy: its client
        (["10.0.0.5"], "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # a client writing the header itself
        (["10.0.0.0/8"], "10.0.0.5", "1.2.3.4, 198.51.100.1, 10.0.0.7", "198.51.100.1"),  # spoofed left part
        (["10.0.0.0/8"], "10.0.0.5", "not-an-ip", "10.0.0.5"),
        (["10.0.0.0/8"], "10.0.0.5", "", "10.0.0.5"),
    ],
)
def test_x_forwarded_for_counts_only_from_configured_proxies(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


def test_behind_a_trusted_proxy_each_client_has_its_own_address_bucket(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    victims = [UserFactory() for _ in range(20)]
    for victim in victims:
        attempt(client, victim.username, "wrong", address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")

    locked = attempt(
        client, victims[0].username, RIGHT, address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66"
    )
    other = attempt(
        client, victims[0].username, RIGHT, address="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.10"
    )

    assert locked.status_code == 429 and other.status_code == 302
