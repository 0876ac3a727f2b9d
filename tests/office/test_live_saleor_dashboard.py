"""Against a live Saleor: the installed app's Dashboard extensions are the manifest's, and the token Saleor
makes for this app and its staff user (the one the Dashboard hands the app's frame) signs them in here."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AccessEvent
from office.saleor_dashboard import PAGES
from saleor_app.manifest import DASHBOARD_EXTENSIONS
from tests.saleor_app.test_live_saleor import installed_app, staff  # noqa: F401 (live fixtures, shared)
from tests.unit_onboarding.factories import UserFactory

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db(transaction=True)]

APP = """query($id: ID!) { app(id: $id) { accessToken
  extensions { identifier label mountName targetName url permissions { code } accessToken } } }"""


def test_saleors_token_for_the_app_signs_its_staff_user_in(installed_app, staff, client):  # noqa: F811
    local = UserFactory(email=staff.email.upper())  # the same person, matched by e-mail whatever its case
    app = staff.gql(APP, {"id": installed_app.app_id})["app"]

    # Saleor took the manifest's extensions as declared (mount and target upper-cased, url joined to appUrl)
    assert {
        (
            e["identifier"],
            e["label"],
            e["mountName"],
            e["targetName"],
            frozenset(p["code"] for p in e["permissions"]),
        )
        for e in app["extensions"]
    } == {(i, label, mount, "APP_PAGE", frozenset(perms)) for i, label, mount, perms in DASHBOARD_EXTENSIONS}
    assert all(e["url"].endswith(f"/office/saleor-dashboard/{e['identifier']}/") for e in app["extensions"])

    # the token Saleor makes for the app's page (and for an extension's) signs the staff user in
    for token, page in (
        (app["accessToken"], "finance"),
        (app["extensions"][0]["accessToken"], "unit-review"),
    ):
        client.logout()
        response = client.post(reverse("office:saleor_dashboard_session"), {"page": page, "token": token})
        assert response.status_code == 302 and response["Location"] == reverse(PAGES[page])
        assert int(client.session["_auth_user_id"]) == local.pk
    assert AccessEvent.objects.filter(action="login.saleor_dashboard", user=local).count() == 2

    # the same token with one character changed is refused
    client.logout()
    forged = (
        app["accessToken"][:-2] + ("A" if app["accessToken"][-2] != "A" else "B") + app["accessToken"][-1]
    )
    refused = client.post(reverse("office:saleor_dashboard_session"), {"page": "finance", "token": forged})
    assert refused.status_code == 403 and "_auth_user_id" not in client.session
