"""Isolation of design calls: a unit sees only its own calls' proposals, a designer only their own proposals
and statement. Every new route swept as each other person (404), through the other's URL and through one's
own URL carrying the other's ids."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resources import calls, designers, licensing
from resources.models import AwardSelection, DesignCall, Proposal
from resources.urls import urlpatterns
from tests.auth import login_verified
from tests.catalog import image_factories as make
from tests.catalog.factories import active_unit
from tests.resources.helpers import library_object, plain_call
from tests.unit_onboarding.factories import UserFactory, operator_of
from unit_onboarding.models import Designer

pytestmark = pytest.mark.django_db
UNIT_ROUTES = ("call", "call_edit", "call_shortlist", "call_select", "call_decide", "call_withdraw")
POST_ONLY = {"call_shortlist", "call_select", "call_decide", "call_withdraw", "me_proposal_withdraw"}


def _visit(client, route: str, url: str, data: dict):
    return client.post(url, data) if route in POST_ONLY else client.get(url)


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
    call_a = plain_call(a, people["op_a"], library_object(a, "A-1"), "甲馆征集")
    call_b = plain_call(b, people["op_b"], library_object(b, "B-1"), "乙馆征集")
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
            data = {"proposal": p1.pk, "selection": "1", "decision": "confirm", "reason": "恶意撤回"}
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
    assert DesignCall.objects.get(pk=call_a.pk).status == "open"  # nobody withdrew it
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


# --- the sweep: every designer and design-call route of resources/urls.py, classified -----------------------

# A unit's routes take the unit and one of its calls; a designer's own routes take one of their own things
# (by pk) or none (the page shows only their own); the rest are open to any signed-in designer by design.
UNIT_CALL_ROUTES = {"calls", "call_new", *UNIT_ROUTES}
OWN_BY_PK = {"me_proposal": "proposal", "me_proposal_withdraw": "proposal", "me_request_withdraw": "request"}
OWN_PAGES = {"me", "me_profile", "me_portfolio", "me_calls", "me_statement"}
ANY_DESIGNER = {"proposal_new", "licence_request_new"}  # a public call or object: anyone signed in answers
LIBRARY_ROUTES = {
    "objects",
    "object",
    "object_publish",
    "object_image",
    "licence_requests",
    "licence_request",
}


def test_every_resources_route_is_classified_for_the_sweep():
    names = {p.name for p in urlpatterns}
    classified = UNIT_CALL_ROUTES | set(OWN_BY_PK) | OWN_PAGES | ANY_DESIGNER | LIBRARY_ROUTES
    assert names == classified, f"classify in this sweep: {sorted(names ^ classified)}"


@pytest.fixture
def awarded_world(world, time_machine):
    """Both calls awarded (the award owed to each winner's registration with the unit, a draft listing
    credited to them); each designer has a licence request with unit A too."""
    a, b, people, call_a, call_b, p1, p2 = world
    for _call, proposal, op, fin in ((call_a, p1, "op_a", "fin_a"), (call_b, p2, "op_b", "fin_b")):
        selection = calls.selection_propose(proposal=proposal, actor=people[op])
        calls.selection_confirm(selection_id=selection.pk, actor=people[fin])
    p1.refresh_from_db()
    p2.refresh_from_db()
    return a, b, people, call_a, call_b, p1, p2


def _licence_request(user, obj):
    return licensing.licence_request_submit(
        obj=obj,
        user=user,
        data={
            "product": "书签",
            "channels": "本平台",
            "quantity": 100,
            "royalty_bps": 500,
            "term_from": date(2027, 2, 1),
            "term_until": date(2027, 12, 31),
            "note": "",
        },
    )


def test_designer_a_never_sees_or_acts_on_designer_bs_proposals_statement_drafts_or_requests(
    client, awarded_world
):
    a, _b, people, _call_a, _call_b, p1, p2 = awarded_world
    obj = library_object(a, "A-9", licensable=True)
    requests = {
        "designer_1": _licence_request(people["designer_1"], obj),
        "designer_2": _licence_request(people["designer_2"], obj),
    }
    own = {"designer_1": p1, "designer_2": p2}
    party = {who: Designer.objects.get(account=people[who]).party_key for who in ("designer_1", "designer_2")}
    marks = {who: (own[who].title, party[who], own[who].listing.name_zh) for who in own}
    assert "甲的书签" in marks["designer_1"] and party["designer_1"] != party["designer_2"]
    for me, other in (("designer_1", "designer_2"), ("designer_2", "designer_1")):
        login_verified(client, people[me])
        # the other's things by pk: 404 on GET and POST, nothing changed
        for route, kind in OWN_BY_PK.items():
            target = own[other] if kind == "proposal" else requests[other]
            url = reverse(f"resources:{route}", args=[target.pk])
            got, posted = client.get(url), client.post(url, {"reason": "x"})
            statuses = (got.status_code, posted.status_code)  # 405: the method the route does not take
            assert set(statuses) <= {404, 405} and statuses != (405, 405), (me, route, statuses)
            mine = own[me] if kind == "proposal" else requests[me]
            if route == "me_proposal":  # one's own still opens
                assert client.get(reverse(f"resources:{route}", args=[mine.pk])).status_code == 200
        # one's own pages: one's own things, never the other's
        for route in OWN_PAGES - {"me_portfolio"}:
            page = client.get(reverse(f"resources:{route}")).content.decode()
            leaked = [m for m in marks[other] if m in page]
            assert not leaked, (me, route, leaked)
        statement = client.get(reverse("resources:me_statement")).content.decode()
        assert party[me] in statement and "1000.00" in statement
        drafts = client.get(reverse("resources:me_calls")).content.decode()
        assert own[me].listing.name_zh in drafts
        # the other's draft listing (the unit's catalog page) is not theirs to open
        other_listing = own[other].listing
        assert client.get(reverse("catalog:listing", args=[other_listing.uid])).status_code == 404, me
    assert {r.status for r in requests.values()} == {"pending"}
    assert set(Proposal.objects.values_list("status", flat=True)) == {"won"}


def test_unit_xs_people_never_act_on_unit_ys_calls_after_the_award_either(client, awarded_world):
    a, b, people, call_a, call_b, p1, p2 = awarded_world
    for who, (own_unit, _own_call, other_unit, other_call, other_proposal) in {
        "op_a": (a, call_a, b, call_b, p2),
        "fin_a": (a, call_a, b, call_b, p2),
        "op_b": (b, call_b, a, call_a, p1),
        "fin_b": (b, call_b, a, call_a, p1),
    }.items():
        login_verified(client, people[who])
        data = {"proposal": other_proposal.pk, "selection": "1", "decision": "reject", "reason": "x"}
        for route in UNIT_ROUTES:
            for unit in (other_unit, own_unit):  # the other's URL, and one's own carrying the other's call
                url = reverse(f"resources:{route}", args=[unit.uid, other_call.pk])
                assert _visit(client, route, url, data).status_code == 404, (who, route, unit)
        listing_page = client.get(reverse("resources:calls", args=[other_unit.uid]))
        assert listing_page.status_code == 404, who
        own_page = client.get(reverse("resources:calls", args=[own_unit.uid])).content.decode()
        assert other_call.title_zh not in own_page, who
        # the other unit's winning draft is not theirs to open
        assert client.get(reverse("catalog:listing", args=[other_proposal.listing.uid])).status_code == 404
    assert set(DesignCall.objects.values_list("status", flat=True)) == {"awarded"}
    assert AwardSelection.objects.filter(status="confirmed").count() == 2
