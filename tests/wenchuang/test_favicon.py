"""The site icon: /favicon.ico leads to it and every layout links it (no 404 in any page's console)."""

from django.contrib.staticfiles import finders
from django.templatetags.static import static


def test_favicon_ico_redirects_to_the_svg_icon_that_exists(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("storefront/favicon.svg")
    assert finders.find("storefront/favicon.svg")


def test_the_back_office_layout_links_the_icon(client, db):
    page = client.get("/onboarding/login/").content.decode()
    assert f'rel="icon" href="{static("storefront/favicon.svg")}"' in page
