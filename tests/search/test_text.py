"""Tokens of documents and queries: segmentation with the domain dictionary, pinyin, initials, synonyms."""

from __future__ import annotations

from search.text import Document, Synonyms, normalize, pinyin_split, query_parse, segmenter, unit_token

NO_STEMS: dict[str, tuple[str, ...]] = {}


def lexemes(text: str, **options) -> set[str]:
    doc = Document()
    doc.add(text, "A", **options)
    return set(doc.lexemes)


def test_the_domain_dictionary_keeps_goods_words_whole():
    assert segmenter().cut("铜镜纹杯垫") == ["铜镜", "纹", "杯垫"]  # jieba's own dictionary: 纹杯 / 垫
    segmenter().add_words(["巴渝舞俑"])
    assert "巴渝舞俑" in segmenter().cut("巴渝舞俑盲盒")


def test_a_name_is_indexed_by_bigrams_unigrams_pinyin_and_initials_of_its_runs():
    found = lexemes("四神铜镜书签", pinyin=True, spans=4)

    assert {
        "铜镜",
        "镜书",
        "书签",
        "铜",
        "签",
        "铜镜书",
        "铜镜书签",
    } <= found  # any part, whatever the segmentation
    assert {"tongjing", "tj", "shuqian", "sq", "tong", "jing"} <= found
    assert {"tjsq", "tongjingshuqian", "sstjsq"} <= found  # runs up to 4 characters, and the whole name
    assert "sijin" not in found


def test_polyphones_are_read_in_context():
    assert {"chongqing", "cq"} <= lexemes("重庆图书馆", pinyin=True)
    assert {"cangshu"} <= lexemes("藏书票", pinyin=True)


def test_ascii_words_keep_their_letter_and_digit_parts():
    assert {"sx", "d", "0003"} <= lexemes("SX-D-0003")
    assert {"isbn9787229000011", "isbn", "9787229000011"} <= lexemes("ISBN9787229000011")
    assert normalize("ＳＸ－Ｄ  0003") == "sx-d 0003"


def test_pinyin_without_spaces_splits_into_syllables():
    assert pinyin_split("tongjingbeidian") == ["tong", "jing", "bei", "dian"]
    assert pinyin_split("xian") == ["xian"]
    assert pinyin_split("bookmark") is None


def test_query_words_are_anded_and_long_chinese_words_are_their_four_character_parts():
    query = query_parse("博物馆 书签", Synonyms())

    assert query.words() == ["博物馆", "书签"]
    assert query.tsquery(NO_STEMS) == "'博物馆' & '书签'"
    assert query_parse("清明上河图", Synonyms()).tsquery(NO_STEMS) == "('清明上河' & '明上河图')"
    assert "<->" not in query_parse("铜镜纹杯垫 tongjing", Synonyms()).tsquery(NO_STEMS)  # no table rechecks


def test_english_stems_and_stop_words_come_from_the_lookup():
    stems = {"chronicles": ("chronicl",), "of": (), "huayang": ("huayang",)}
    query = query_parse("Chronicles of Huayang", Synonyms())

    text = query.tsquery(stems)

    assert "'of'" not in text and "'chronicl'" in text and "'huayang'" in text


def test_a_platform_synonym_expands_everywhere_a_units_only_with_its_products():
    synonyms = Synonyms(((None, ("冰箱贴", "磁贴")), (7, ("文创", "文化创意"))))

    magnet = query_parse("磁贴", synonyms).tsquery(NO_STEMS)
    creative = query_parse("文创 书签", synonyms).tsquery(NO_STEMS)

    assert magnet == "('磁贴' | '冰箱贴')"
    assert creative == f"('文创' | ('文化创意' & '{unit_token(7)}')) & '书签'"


def test_a_synonym_is_found_by_its_pinyin_too():
    query = query_parse("fanbudai", Synonyms(((None, ("帆布袋", "帆布包")),)))

    assert "'帆布包'" in query.tsquery(NO_STEMS)


def test_an_ascii_synonym_matches_whole_words_only():
    synonyms = Synonyms(((None, ("tea", "cha")),))

    assert "'cha'" in query_parse("tea cup", synonyms).tsquery(NO_STEMS)
    assert "'cha'" not in query_parse("team", synonyms).tsquery(NO_STEMS)


def test_the_last_word_may_be_unfinished_for_suggestions():
    assert query_parse("tongj", Synonyms(), prefix_last=True).tsquery(NO_STEMS) == "'tongj':*"
