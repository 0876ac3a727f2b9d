"""seed_demo onboards three units through the real services and lists about thirty products, once."""

from __future__ import annotations

import io

import pytest
import respx
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from catalog.models import CollectionObject, DesignerRoyalty, ImageAsset, Listing
from core.finance import is_platform_finance
from tests.factories import SaleorInstallationFactory
from tests.unit_onboarding.fake_saleor import API_URL, FakeSaleor
from unit_onboarding.models import AgreementVersion, Application, Designer, Unit

pytestmark = pytest.mark.django_db(transaction=True)


def counts() -> tuple:
    return (
        Unit.objects.count(),
        Listing.objects.count(),
        ImageAsset.objects.count(),
        CollectionObject.objects.count(),
        AgreementVersion.objects.count(),
        Designer.objects.count(),
        DesignerRoyalty.objects.count(),
    )


def test_seed_demo_builds_a_living_shop_and_running_it_again_creates_nothing(settings):
    settings.SALEOR_API_URL = ""
    call_command("seed_demo", stdout=io.StringIO())

    units = Unit.objects.order_by("pk")
    assert [u.unit_type for u in units] == ["museum", "library", "memorial_hall"]
    assert all(u.status == Unit.Status.ACTIVE for u in units)
    assert set(Application.objects.values_list("status", flat=True)) == {"approved"}
    assert all(u.agreement.versions.count() == 1 for u in units)
    assert Listing.objects.count() == 30
    assert set(Listing.objects.values_list("state", "on_sale")) == {("published", True)}
    assert set(ImageAsset.objects.values_list("status", flat=True)) == {"ready"}
    assert Listing.objects.exclude(collection_object=None).count() >= 15
    # each unit's designers are registered payees with bank details, and a few products pay them a royalty
    assert [Designer.objects.filter(unit=u).count() for u in units] == [2, 2, 2]
    assert all(d.payout_ready and not d.pays_by_stripe for d in Designer.objects.all())
    # and each unit has its own bank account, not its operating entity's
    assert all(u.payout_ready for u in Unit.objects.all())
    assert all(u.payout_bank_account != u.operating_entity.bank_account for u in units)
    royalties = DesignerRoyalty.objects.select_related("designer", "listing")
    assert royalties.count() == 6
    assert all(r.designer.unit_id == r.listing.unit_id and r.bps == 500 for r in royalties)
    assert all(r.listing.designer == r.designer.name_zh for r in royalties)  # the credit names the payee
    first = counts()

    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    assert counts() == first
    assert "0 products created, 30 demo products in all" in out.getvalue()
    # two platform finance logins, so a demo settlement batch can be approved by one and executed by another
    finance = [
        u for u in get_user_model().objects.filter(username__startswith="demo-") if is_platform_finance(u)
    ]
    assert len(finance) == 2 and "demo-finance@wenchuang.example" in out.getvalue()


def test_with_saleor_installed_the_channel_is_ensured_first_and_a_usd_channel_stops_the_seed(settings):
    settings.SALEOR_CHANNEL_SLUG = "default-channel"  # a fresh Saleor's, in USD
    SaleorInstallationFactory(api_url=API_URL)
    fake = FakeSaleor()

    with respx.mock(assert_all_called=False) as mock:
        mock.post(API_URL).mock(side_effect=fake.handle)
        with pytest.raises(CommandError, match="'default-channel' sells in USD"):
            call_command("seed_demo", stdout=io.StringIO())

    assert fake.calls == ["SalesChannel"]
    assert Unit.objects.count() == 0
