"""Library test data made through the real services."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db.models import Sum

from catalog.provenance import collection_object_save
from payments.models import LedgerEntry
from payments.settlement import services as settlement
from resources import calls, designers, services
from resources.models import DesignCall
from tests.unit_onboarding.factories import DesignerFactory, UserFactory, operator_of, platform_finance_user

NOW = datetime(2026, 12, 15, 4, tzinfo=UTC)  # 12:00 in Beijing
AWARD = 300_050  # 3,000.50 yuan
DEADLINE = datetime(2027, 1, 10, 10, tzinfo=UTC)  # 18:00 on 10 January in Beijing


def januarys_batches(time_machine):
    """On 10 February 2027 (Beijing) a member of platform finance proposes January's settlement batches:
    ({party: batch}, that member, another who may execute them)."""
    time_machine.move_to(datetime(2027, 2, 10, 2, tzinfo=UTC), tick=False)
    approver, executor = platform_finance_user(), platform_finance_user()
    batches = settlement.settlement_run(
        period_start=date(2027, 1, 1), period_end=date(2027, 2, 1), actor=approver
    )
    return {b.party: b for b in batches}, approver, executor


def library_object(unit, accession: str, *, publish: bool = True, category: str = "bronze", **fields):
    """A collection object of the unit, described for the library and (by default) published."""
    operator = operator_of(unit)
    obj = collection_object_save(
        unit=unit, data={"title_zh": fields.pop("title_zh", accession), "accession_number": accession}
    )
    licensable = fields.pop("licensable", False)
    services.publication_save(obj=obj, data={**fields, "category": category, "licensable": licensable})
    if publish:
        services.publication_set(obj=obj, published=True, actor=operator)
    obj.refresh_from_db()
    return obj


def four_spirits_mirror(museum, *, story_zh: str, story_en: str):
    """The museum's Han bronze mirror M-001, in both languages, in the public domain and published."""
    return library_object(
        museum,
        "M-001",
        title_zh="四神纹铜镜",
        title_en="Bronze mirror with four spirits",
        era="汉代",
        material="青铜",
        dimensions="直径 18.5 厘米",
        story_zh=story_zh,
        story_en=story_en,
        public_domain=True,
    )


def bowl_call(unit, operator, bowl, **data) -> DesignCall:
    """The unit's call for designs after its bowl: 3,000.50 yuan and 6.5% royalty, closing on 10 January."""
    return calls.call_post(
        unit=unit,
        actor=operator,
        data={
            "title_zh": "青花碗文创设计征集",
            **data,
            "category": "wenchuang-ceramics",
            "award_fen": AWARD,
            "deadline": DEADLINE,
            "rules": "原创",
            "royalty_bps": 650,
        },
        objects=[bowl],
    )


def plain_call(unit, operator, obj, title: str) -> DesignCall:
    """A unit's call for ceramics designs after `obj`: 1,000 yuan and 5% royalty, closing on 10 January."""
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


def designer(name: str = "山水设计工作室", email: str = "studio@shanshui.example.cn"):
    """A user with a studio's designer profile."""
    user = UserFactory(email=email)
    designers.profile_save(user=user, data={"display_name_zh": name, "kind": "studio"})
    return user


def shanshui_studio(unit):
    """A studio with its designer profile, registered with the unit as `shanshui`: (user, registration)."""
    studio = designer()
    return studio, DesignerFactory(unit=unit, slug="shanshui", account=studio)


def payable(party: str) -> int:
    """What the party is owed (its payable's credit balance), in fen."""
    total = LedgerEntry.objects.filter(account__kind="party_payable", account__party=party).aggregate(
        s=Sum("amount")
    )["s"]
    return -(total or 0)
