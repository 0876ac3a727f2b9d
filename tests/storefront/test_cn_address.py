"""Chinese addresses as buyers write them reach Saleor in the shape its address data accepts."""

from __future__ import annotations

import pytest

from storefront import cn_address
from storefront.forms import ContactForm

FILLED = {
    "email": "buyer@example.cn",
    "name": "张三",
    "phone": "+86 138 0013 8000",
    "street": "解放碑1号",
    "postal_code": "400010",
}


@pytest.mark.parametrize(
    ("written", "saleor"),
    [
        (("重庆市", "重庆市", "渝中区"), ("重庆市", "渝中区", "")),
        (("北京", "北京", "朝阳区"), ("北京市", "朝阳区", "")),
        (("上海市", "市辖区", "浦东新区"), ("上海市", "浦东新区", "")),
        (("天津市", "和平区", ""), ("天津市", "和平区", "")),  # already as the data has it
        (("广东", "深圳市", "南山区"), ("广东省", "深圳市", "南山区")),
        (("广西", "南宁市", "青秀区"), ("广西壮族自治区", "南宁市", "青秀区")),
        (("新疆", "乌鲁木齐市", "天山区"), ("新疆维吾尔自治区", "乌鲁木齐市", "天山区")),
        (("广东省", "深圳市", "南山区"), ("广东省", "深圳市", "南山区")),
        (("香港", "九龙", ""), ("香港", "九龙", "")),  # not mainland: passed through for Saleor to judge
    ],
)
def test_addresses_are_written_the_way_saleor_validates_them(written, saleor):
    assert cn_address.to_saleor(*written) == saleor


def test_a_municipality_address_reads_back_as_the_buyer_wrote_it():
    assert cn_address.from_saleor("重庆市", "渝中区", "") == ("重庆市", "重庆市", "渝中区")
    assert cn_address.from_saleor("广东省", "深圳市", "南山区") == ("广东省", "深圳市", "南山区")
    initial = ContactForm.initial_from(
        {"email": "a@b.cn", "shippingAddress": {"countryArea": "重庆市", "city": "渝中区", "cityArea": ""}}
    )
    assert (initial["province"], initial["city"], initial["district"]) == ("重庆市", "重庆市", "渝中区")


def test_saleors_city_error_lands_on_the_district_input_in_a_municipality():
    form = ContactForm({**FILLED, "province": "重庆市", "city": "重庆市", "district": "渝中"})
    assert form.is_valid()
    assert form.saleor_address()["city"] == "渝中"
    assert form.field_for("city") == "district"
    elsewhere = ContactForm({**FILLED, "province": "广东省", "city": "深圳", "district": "南山区"})
    assert elsewhere.is_valid() and elsewhere.field_for("city") == "city"


@pytest.mark.saleor_live
def test_the_province_list_and_municipal_districts_match_saleors_address_data(saleor_api_url):
    from tests.live_saleor import StaffSession

    staff = StaffSession(saleor_api_url)
    query = """query($area: String) { addressValidationRules(countryCode: CN, countryArea: $area) {
        countryAreaChoices { raw } cityChoices { raw } } }"""
    areas = {
        c["raw"] for c in staff.gql(query, {"area": None})["addressValidationRules"]["countryAreaChoices"]
    }
    assert set(cn_address.PROVINCES) <= areas
    for municipality, district in (
        ("重庆市", "渝中区"),
        ("北京市", "朝阳区"),
        ("上海市", "浦东新区"),
        ("天津市", "和平区"),
    ):
        rules = staff.gql(query, {"area": municipality})["addressValidationRules"]
        assert district in {c["raw"] for c in rules["cityChoices"]}
