"""Isolation of design calls: a unit sees only its own calls' proposals, a designer only their own proposals
and statement. Every new route swept as each other person (404), through the other's URL and through one's
own URL carrying the other's ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resources import calls, designers
from resources.models import AwardSelection, Proposal
from tests.auth import login_verified
from tests.catalog import image_factories as make
from tests.catalog.factories import active_unit
from tests.resources.helpers import library_object
from tests.unit_onboarding.factories import UserFactory, operator_of

pytestmark = pytest.mark.django_db
UNIT_ROUTES = ("call", "call_edit", "call_shortlist", "call_select", "call_decide")
POST_ONLY = {"call_shortlist", "call_select", "call_decide"}


def _visit(client, route: str, url: str, data: dict):
    return client.post(url, data) if route in POST_ONLY else client.get(url)


def _call(unit, operator, obj, title):
    return calls.call_post(
        unit=unit,
        actor=operator,
        data={
            "title_zh": title,
            "category": "wenchuang-ceramics",
            "award_fen": 100_000,
            "deadline": datetime(2027, 1, 10, tzinfo=UTC),
            "rules": "原创",
            "royalty_bps": 500,
        },
        objects=[obj],
    )


def _designer(name):
    user = UserFactory()
    designers.profile_save(user=user, data={"display_name_zh": name, "kind": "individual"})
    return user


def _propose(call, user, title):
    jpeg = make.encoded(make.quadrants(320, 240), "JPEG")
    upload = SimpleUploadedFile("d.jpg", jpeg, content_type="image/jpeg")
    return calls.proposal_submit(call=call, user=user, title=title, description="设计说明", uploads=[upload])


@pytest.fixture
def world(time_machine):
    time_machine.move_to(datetime(2026, 12, 15, 4, tzinfo=UTC), tick=False)
    a, b = active_unit("甲馆"), active_unit("乙馆")
    people = {
        "op_a": operator_of(a),
        "fin_a": operator_of(a, role="finance"),
        "op_b": operator_of(b),
        "fin_b": operator_of(b, role="finance"),
        "designer_1": _designer("甲设计"),
        "designer_2": _designer("乙设计"),
    }
    call_a = _call(a, people["op_a"], library_object(a, "A-1"), "甲馆征集")
    call_b = _call(b, people["op_b"], library_object(b, "B-1"), "乙馆征集")
    p1 = _propose(call_a, people["designer_1"], "甲的书签")
    p2 = _propose(call_b, people["designer_2"], "乙的杯垫")
    time_machine.move_to(datetime(2027, 1, 11, tzinfo=UTC), tick=False)
    return a, b, people, call_a, call_b, p1, p2


def _login(client, user):
    login_verified(client, user)  # finance members need their second factor; harmless for the others


def test_another_units_members_get_404_on_every_call_route(client, world):
    a, b, people, call_a, call_b, p1, _p2 = world
    for who in ("op_b", "fin_b", "designer_1", "designer_2"):
        _login(client, people[who])
        assert client.get(reverse("resources:calls", args=[a.uid])).status_code == 404, who
        assert client.get(reverse("resources:call_new", args=[a.uid])).status_code == 404, who
        for route in UNIT_ROUTES:
            url = reverse(f"resources:{route}", args=[a.uid, call_a.pk])
            data = {"proposal": p1.pk, "selection": "1", "decision": "confirm"}
            assert _visit(client, route, url, data).status_code == 404, (who, route)
        # their own unit's URL carrying unit A's call: still 404
        for route in UNIT_ROUTES:
            url = reverse(f"resources:{route}", args=[b.uid, call_a.pk])
            assert _visit(client, route, url, {"proposal": p1.pk}).status_code == 404, (who, route)
    # unit B's operator on its own call, naming unit A's proposal: 404, nothing selected or shortlisted
    _login(client, people["op_b"])
    url = reverse("resources:call_select", args=[b.uid, call_b.pk])
    assert client.post(url, {"proposal": p1.pk}).status_code == 404
    url = reverse("resources:call_shortlist", args=[b.uid, call_b.pk])
    assert client.post(url, {"proposal": p1.pk}).status_code == 404
    assert not AwardSelection.objects.exists()
    assert Proposal.objects.get(pk=p1.pk).status == "submitted"
    # a unit's call page lists only its own call's proposals
    _login(client, people["fin_a"])
    page = client.get(reverse("resources:call", args=[a.uid, call_a.pk])).content.decode()
    assert "甲的书签" in page and "乙的杯垫" not in page


def test_a_unit_finance_member_may_read_but_not_run_a_call(client, world):
    a, _b, people, call_a, _call_b, p1, _p2 = world
    _login(client, people["fin_a"])
    assert client.get(reverse("resources:call", args=[a.uid, call_a.pk])).status_code == 200
    assert client.get(reverse("resources:call_new", args=[a.uid])).status_code == 404
    url = reverse("resources:call_select", args=[a.uid, call_a.pk])
    assert client.post(url, {"proposal": p1.pk}).status_code == 404
    _login(client, people["op_a"])
    url = reverse("resources:call_decide", args=[a.uid, call_a.pk])
    assert client.post(url, {"selection": "1", "decision": "confirm"}).status_code == 404


def test_a_designer_sees_only_their_own_proposals_and_statement(client, world):
    _a, _b, people, _call_a, _call_b, p1, p2 = world
    _login(client, people["designer_2"])
    assert client.get(reverse("resources:me_proposal", args=[p1.pk])).status_code == 404
    assert client.get(reverse("resources:me_proposal", args=[p2.pk])).status_code == 200
    mine = client.get(reverse("resources:me_calls")).content.decode()
    assert "乙的杯垫" in mine and "甲的书签" not in mine
    for who in ("op_a", "fin_a", "op_b"):
        _login(client, people[who])
        assert client.get(reverse("resources:me_proposal", args=[p1.pk])).status_code == 404, who
        assert "甲的书签" not in client.get(reverse("resources:me_calls")).content.decode(), who


def test_anonymous_visitors_are_sent_to_log_in_and_the_public_pages_stay_public(client, world):
    a, _b, _people, call_a, _call_b, p1, _p2 = world
    login = reverse("unit_onboarding:login")
    urls = [
        reverse("resources:calls", args=[a.uid]),
        reverse("resources:call_new", args=[a.uid]),
        *(reverse(f"resources:{r}", args=[a.uid, call_a.pk]) for r in UNIT_ROUTES),
        reverse("resources:proposal_new", args=[call_a.pk]),
        reverse("resources:me_calls"),
        reverse("resources:me_proposal", args=[p1.pk]),
        reverse("resources:me_statement"),
    ]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 302 and answer["Location"].startswith(login), url
    public = client.get(reverse("library:call", args=[call_a.pk])).content.decode()
    assert "甲馆征集" in public and "甲的书签" not in public  # proposals are never public
