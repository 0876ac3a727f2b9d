"""The site's own error pages: in the reader's language, on the design system, never Django's bare ones."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse


def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", _broken)]  # this module is the URLconf of the 500 test


@pytest.mark.django_db
def test_an_unknown_address_answers_404_with_the_sites_page_in_the_readers_language(client):
    chinese = client.get("/catalog/no-such-page/")
    english = client.get("/en/no-such-page/at-all/")  # the English site

    assert chinese.status_code == english.status_code == 404
    page = chinese.content.decode()
    assert "页面没有找到" in page and "wenchuang/design.css" in page and 'lang="zh-Hans"' in page
    assert "Page not found" in english.content.decode()


@pytest.mark.django_db
def test_a_form_sent_without_the_sites_cookie_is_refused_with_what_to_do():
    browser = Client(enforce_csrf_checks=True)  # a frame on another site: its cookies withheld

    response = browser.post(reverse("unit_onboarding:login"), {"username": "a", "password": "b"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "表单未能提交" in page and "Cookie" in page and "Saleor Dashboard" in page
    assert "CSRF verification failed" not in page


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_shows_the_sites_page():
    browser = Client(raise_request_exception=False)

    response = browser.get("/broken/")

    assert response.status_code == 500
    assert "出错了" in response.content.decode()


@pytest.mark.django_db
def test_a_request_for_a_host_not_ours_is_refused_400_not_500():
    browser = Client(raise_request_exception=False, HTTP_HOST="evil.example")

    response = browser.get("/")

    assert response.status_code == 400  # the error page's own header used to raise again: a 500
    page = response.content.decode()
    assert "请求无效" in page and "evil.example" not in page
