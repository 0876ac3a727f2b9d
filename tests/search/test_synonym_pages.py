"""The synonyms pages: each unit's operators keep their own; curators the platform's; nobody else's."""

from __future__ import annotations

import pytest

from search.models import SearchSynonym
from tests.auth import login_verified
from tests.catalog.factories import curator
from tests.search.helpers import active_unit
from tests.unit_onboarding.factories import UserFactory, operator_of

pytestmark = pytest.mark.django_db


def test_an_operator_adds_and_deletes_synonyms_of_their_unit_without_javascript(client):
    unit = active_unit("三峡博物馆")
    client.force_login(operator_of(unit))

    page = client.get(f"/synonyms/units/{unit.uid}/")
    saved = client.post(f"/synonyms/units/{unit.uid}/", {"terms": "书衣 = 书皮"}, follow=True)

    assert page.status_code == 200 and "书衣 = 书皮" not in page.content.decode()
    synonym = SearchSynonym.objects.get(unit=unit)
    assert synonym.terms == ["书衣", "书皮"] and "书衣 = 书皮" in saved.content.decode()
    client.post(f"/synonyms/{synonym.pk}/delete/")
    assert not SearchSynonym.objects.filter(unit=unit).exists()


def test_bad_input_is_refused_with_its_message_and_keeps_what_was_typed(client):
    unit = active_unit()
    client.force_login(operator_of(unit))

    response = client.post(f"/synonyms/units/{unit.uid}/", {"terms": "只有一个词"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "只有一个词" in html and "errorlist" in html
    assert not SearchSynonym.objects.filter(unit=unit).exists()


def test_another_units_synonyms_are_not_found_and_not_deletable(client):
    mine, theirs = active_unit("三峡博物馆"), active_unit("重庆图书馆")
    their_synonym = SearchSynonym.objects.create(unit=theirs, terms=["笔记本", "本子"])
    client.force_login(operator_of(mine))

    assert client.get(f"/synonyms/units/{theirs.uid}/").status_code == 404
    assert client.post(f"/synonyms/units/{theirs.uid}/", {"terms": "a = b"}).status_code == 404
    assert client.post(f"/synonyms/{their_synonym.pk}/delete/").status_code == 404
    assert "笔记本 = 本子" not in client.get(f"/synonyms/units/{mine.uid}/").content.decode()
    assert SearchSynonym.objects.filter(pk=their_synonym.pk).exists()


def test_platform_wide_synonyms_are_for_curators_only(client):
    unit = active_unit()
    platform = SearchSynonym.objects.filter(unit=None).first()
    client.force_login(operator_of(unit))

    assert client.get("/synonyms/").status_code == 403
    assert client.post("/synonyms/", {"terms": "文创 = 文化创意"}).status_code == 403
    assert client.post(f"/synonyms/{platform.pk}/delete/").status_code == 403
    login_verified(client, curator())  # curators sign in with their second factor
    assert client.post("/synonyms/", {"terms": "瓷 = 陶瓷"}).status_code == 302
    assert SearchSynonym.objects.filter(unit=None, terms=["瓷", "陶瓷"]).exists()
    client.force_login(UserFactory())  # signed in, no unit
    assert client.get(f"/synonyms/units/{unit.uid}/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    unit = active_unit()
    assert client.get(f"/synonyms/units/{unit.uid}/").status_code == 302
    assert client.get("/synonyms/").status_code == 302
