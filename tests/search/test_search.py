"""What buyers find: Chinese words, pinyin, initials, English, eras; facets; sorting; synonyms' scope."""

from __future__ import annotations

import pytest

from search import services
from search.models import SearchSynonym
from search.selectors import SearchQuery, nearest_terms, search, suggest
from tests.search.helpers import active_unit, mirror_coasters, names, on_sale, paid_order
from tests.unit_onboarding.factories import UserFactory, operator_of
from unit_onboarding.models import Designer

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    museum, library = active_unit("三峡博物馆"), active_unit("重庆图书馆")
    museum.unit_type, library.unit_type = "museum", "library"
    museum.save()
    library.save()
    Designer.objects.create(unit=museum, slug="wang-fang", name_zh="王芳", name_en="Wang Fang")
    made = {
        "mirror": on_sale(
            museum,
            name_zh="四神铜镜书签",
            name_en="Four Spirits mirror bookmark",
            designer="王芳",
            price_fen=3800,
            attributes={"wenchuang-material": "bronze", "wenchuang-era": "qin-han"},
        ),
        "coaster": mirror_coasters(museum),
        "magnet": on_sale(
            museum,
            name_zh="青花瓷冰箱贴",
            name_en="Blue-and-white fridge magnet",
            category="wenchuang-homeware",
            price_fen=2800,
            attributes={"wenchuang-material": "porcelain", "wenchuang-era": "qing"},
        ),
        "notebook": on_sale(
            library,
            name_zh="华阳国志笔记本",
            name_en="Huayang notebook",
            price_fen=4800,
            attributes={"wenchuang-material": "paper", "wenchuang-era": "ming"},
        ),
        "library-bookmark": on_sale(
            library,
            name_zh="书签金属套装",
            name_en="Metal bookmark set",
            price_fen=25800,
            attributes={"wenchuang-material": "bronze"},
        ),
    }
    return museum, library, made


def found(text: str, **filters) -> list[str]:
    return names(search(SearchQuery(text=text, **filters)))


def test_any_word_of_a_name_finds_it_not_only_its_start(shop):
    assert sorted(found("杯垫")) == ["铜镜纹杯垫"]
    assert sorted(found("铜镜")) == ["四神铜镜书签", "铜镜纹杯垫"]
    assert sorted(found("书签")) == ["书签金属套装", "四神铜镜书签"]
    assert found("笔记本") == ["华阳国志笔记本"]


def test_pinyin_initials_and_english_find_the_same_products(shop):
    mirrors = ["四神铜镜书签", "铜镜纹杯垫"]
    assert sorted(found("tongjing")) == mirrors
    assert sorted(found("tj")) == mirrors
    assert sorted(found("tong jing")) == mirrors
    assert found("tjsq") == ["四神铜镜书签"]
    assert found("tongjingshuqian") == ["四神铜镜书签"]
    assert sorted(found("bookmarks")) == ["书签金属套装", "四神铜镜书签"]  # English stemming
    assert found("coaster") == ["铜镜纹杯垫"]


def test_unit_era_material_designer_and_category_are_searchable(shop):
    assert sorted(found("三峡博物馆")) == ["四神铜镜书签", "铜镜纹杯垫", "青花瓷冰箱贴"]
    assert sorted(found("明代")) == ["华阳国志笔记本"]  # the era's other names
    assert sorted(found("Han dynasty")) == ["四神铜镜书签", "铜镜纹杯垫"]
    assert sorted(found("陶瓷")) == ["青花瓷冰箱贴"]
    assert found("王芳") == ["四神铜镜书签"] and found("Wang Fang") == ["四神铜镜书签"]
    assert sorted(found("家居")) == ["铜镜纹杯垫", "青花瓷冰箱贴"]


def test_facets_count_each_value_under_the_other_facets_filters(shop):
    museum, library, _made = shop

    everything = search(SearchQuery(text="书签"))
    by_museum = search(SearchQuery(text="书签", unit_id=museum.pk))

    assert everything.facets["unit"] == {str(museum.pk): 1, str(library.pk): 1}
    assert everything.facets["material"] == {"bronze": 2}
    assert everything.facets["price"] == {"0": 1, "2": 1}  # ¥38 under 50; ¥258 in 200-1000
    assert by_museum.total == 1 and names(by_museum) == ["四神铜镜书签"]
    assert by_museum.facets["unit"] == {str(museum.pk): 1, str(library.pk): 1}  # switching stays possible
    assert by_museum.facets["era"] == {"qin-han": 1}  # the others are counted under the unit filter
    assert search(SearchQuery(text="书签", price_band=2)).total == 1
    assert search(SearchQuery(unit_type="library")).total == 2


def test_sorting_by_price_newest_and_best_selling(shop):
    _museum, _library, made = shop

    assert found("", sort="price_asc")[0] == "青花瓷冰箱贴"
    assert found("", sort="price_desc")[0] == "书签金属套装"
    assert found("", sort="newest")[0] == "书签金属套装"  # the last put on sale
    sku = made["notebook"].variants.get().sku
    paid_order("T3JkZXI6MQ==", sku, 5)
    services.documents_sold_refresh(skus=[sku])

    assert found("", sort="bestselling")[0] == "华阳国志笔记本"


def test_a_units_synonym_finds_only_that_units_products(shop, django_capture_on_commit_callbacks):
    museum, library, _made = shop
    SearchSynonym.objects.filter(unit=None).delete()  # the platform-wide ones shipped by a migration
    on_sale(library, name_zh="磁贴套装", attributes={"wenchuang-material": "paper"})
    with django_capture_on_commit_callbacks(execute=True):
        services.synonym_save(unit=museum, raw_terms="冰箱贴 = 磁贴", actor=UserFactory())
    assert found("冰箱贴") == ["青花瓷冰箱贴"]

    museum_words = sorted(found("磁贴"))

    assert museum_words == ["磁贴套装", "青花瓷冰箱贴"]  # the museum's magnet by its synonym; the word itself
    with django_capture_on_commit_callbacks(execute=True):  # the other processes are told on commit
        services.synonym_save(unit=library, raw_terms="笔记本, 本子", actor=UserFactory())
    assert found("本子") == ["华阳国志笔记本"]
    assert found("冰箱贴") == ["青花瓷冰箱贴"]  # the museum's synonym does not bring the library's 磁贴套装


def test_a_platform_synonym_applies_to_every_unit(shop, django_capture_on_commit_callbacks):
    SearchSynonym.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.synonym_save(unit=None, raw_terms="书签\n书夹", actor=UserFactory())

    assert sorted(found("书夹")) == ["书签金属套装", "四神铜镜书签"]


def test_synonym_input_is_checked_with_clear_messages():
    from search.error_codes import SearchError

    for raw, code in (
        ("文创", "synonym_too_few"),
        ("文创 = 文创", "synonym_too_few"),
        ("文创 = " + "长" * 51, "synonym_term_too_long"),
        ("文创 = !!!", "synonym_term_empty"),
        (",".join(f"词{i}" for i in range(11)), "synonym_too_many"),
    ):
        with pytest.raises(SearchError) as error:
            services.synonym_terms_clean(raw)
        assert error.value.code == code and error.value.message
    assert services.synonym_terms_clean("文创 = 文化创意，文化产品；Culture") == [
        "文创",
        "文化创意",
        "文化产品",
        "culture",
    ]


def test_suggestions_complete_words_by_characters_pinyin_and_initials(shop):
    assert "铜镜" in [t["term"] for t in suggest("tongj")["terms"]]
    assert "铜镜" in [t["term"] for t in suggest("tj")["terms"]]
    assert "四神铜镜书签" in [p["name_zh"] for p in suggest("tongjingsh")["products"]]
    assert suggest("t") == {"terms": [], "products": []}  # one letter starts too much to help


def test_no_results_suggests_the_nearest_terms_that_find_something(shop):
    assert found("铜境") == []  # a homophone typo
    assert "铜镜" in nearest_terms("铜境")
    assert "书签" in nearest_terms("shuqiam")
    assert nearest_terms("完全无关") == []


def test_operators_change_nothing_here_by_searching(shop):
    museum, _library, _made = shop
    before = services.SearchDocument.objects.count()
    search(SearchQuery(text="书签"))
    assert services.SearchDocument.objects.count() == before
    assert operator_of(museum)
