"""Search benchmark (prints figures; not a test): quality on judged queries, speed at 100,000 products.

1. The demo catalogue (seed_demo, thirty products) and the judged queries of bench/search_judged.tsv
   (name words, pinyin, initials, era, material, unit, designer, category, English, synonyms, accession
   numbers): recall@10 and MRR of this service's search, per kind and overall; beside them Saleor's own
   search on the same queries when SALEOR_API_URL is set and the demo is listed in its channel
   SALEOR_CHANNEL_SLUG (default wenchuang-cny), products matched by name. Targets: recall@10 >= 0.95,
   MRR >= 0.8.
2. A generated catalogue of --products (10,000) products of --units units (motif + product word names,
   collection objects, eras, materials, English names) and queries generated from it with their relevant
   products known by construction (name words, pinyin, initials, era, material, unit, English).
3. The catalogue grown to --speed-products (100,000): p50/p95/p99 of a results page (hits, total and every
   facet's counts in one statement) and of suggestions; then a new product approved and put on sale and
   searched for at once (time from the call to its first hit). Targets: p95 <= 20 ms; findable < 1 s.

Runs in its own database (wc_search_bench on the server of DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/), created at start and dropped at the end unless --keep.

    .venv/bin/python bench/search.py [--products 10000] [--speed-products 100000] [--queries 700]
                                     [--speed-queries 1000] [--skip-speed] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path

from _common import bench_database, own_cache_and_queues

DB_NAME = "wc_search_bench"
JUDGED = Path(__file__).with_name("search_judged.tsv")

# Generated catalogue: motifs (Chinese, English with words no other motif uses) and products.
MOTIFS = [
    ("铜镜", "mirror"),
    ("青花", "porcelain-blue"),
    ("缠枝莲", "lotus"),
    ("山水", "landscape"),
    ("仕女", "lady"),
    ("飞天", "apsara"),
    ("兵马俑", "terracotta"),
    ("瑞兽", "beast"),
    ("祥云", "cloud"),
    ("牡丹", "peony"),
    ("仙鹤", "crane"),
    ("锦鲤", "koi"),
    ("竹林", "bamboo"),
    ("梅花", "plum"),
    ("龙纹", "dragon"),
    ("凤纹", "phoenix"),
    ("饕餮", "taotie"),
    ("编钟", "chime"),
    ("敦煌", "dunhuang"),
    ("故宫", "forbidden"),
    ("长城", "wall"),
    ("脸谱", "opera"),
    ("剪纸", "papercut"),
    ("皮影", "puppet"),
    ("书法", "calligraphy"),
    ("水墨", "ink"),
    ("甲骨文", "oracle"),
    ("唐三彩", "sancai"),
    ("青铜鼎", "ding"),
    ("玉璧", "disc"),
    ("琵琶", "pipa"),
    ("熊猫", "panda"),
    ("三星堆", "sanxingdui"),
    ("蜀锦", "brocade"),
    ("竹简", "slips"),
    ("宫灯", "lantern"),
    ("紫砂", "yixing"),
    ("红楼梦", "chamber"),
    ("清明上河图", "riverside"),
    ("石窟", "grotto"),
]
NOUNS = [
    ("书签", "bookmark", "wenchuang-stationery", ("bronze", "paper", "wood")),
    ("杯垫", "coaster", "wenchuang-homeware", ("wood", "cotton", "porcelain")),
    ("冰箱贴", "magnet", "wenchuang-homeware", ("resin", "porcelain")),
    ("丝巾", "scarf", "wenchuang-textiles", ("silk",)),
    ("帆布袋", "tote", "wenchuang-textiles", ("cotton",)),
    ("笔记本", "notebook", "wenchuang-stationery", ("paper",)),
    ("明信片", "postcard", "wenchuang-books-prints", ("paper",)),
    ("徽章", "badge", "wenchuang-jewellery", ("enamel", "silver")),
    ("钥匙扣", "keyring", "wenchuang-toys", ("silver", "resin", "enamel")),
    ("盲盒", "blindbox", "wenchuang-toys", ("resin",)),
    ("拼图", "jigsaw", "wenchuang-toys", ("paper", "wood")),
    ("香薰", "incense", "wenchuang-homeware", ("bronze", "porcelain")),
    ("茶杯", "teacup", "wenchuang-ceramics", ("porcelain",)),
    ("马克杯", "mug", "wenchuang-ceramics", ("porcelain", "enamel")),
    ("耳环", "earrings", "wenchuang-jewellery", ("silver", "jade")),
    ("团扇", "fan", "wenchuang-textiles", ("silk",)),
    ("鼠标垫", "mousepad", "wenchuang-homeware", ("cotton",)),
    ("抱枕", "cushion", "wenchuang-homeware", ("cotton", "silk")),
    ("台灯", "lamp", "wenchuang-homeware", ("bronze", "wood")),
    ("印章", "seal", "wenchuang-stationery", ("jade", "wood")),
    ("胸针", "brooch", "wenchuang-jewellery", ("enamel", "silver", "jade")),
    ("手账本", "journal", "wenchuang-stationery", ("paper",)),
    ("雨伞", "umbrella", "wenchuang-homeware", ("cotton",)),
    ("贴纸", "stickers", "wenchuang-stationery", ("paper",)),
    ("摆件", "ornament", "wenchuang-homeware", ("bronze", "porcelain", "jade", "wood")),
]
PREFIXES = ["", "", "", "", "复古", "创意", "限定", "经典", "新款"]
CITIES = [
    "北京",
    "上海",
    "天津",
    "重庆",
    "成都",
    "西安",
    "南京",
    "杭州",
    "苏州",
    "武汉",
    "长沙",
    "广州",
    "深圳",
    "郑州",
    "洛阳",
    "开封",
    "济南",
    "青岛",
    "沈阳",
    "大连",
    "哈尔滨",
    "长春",
    "昆明",
    "贵阳",
    "南宁",
    "福州",
    "厦门",
    "合肥",
    "南昌",
    "太原",
    "大同",
    "兰州",
    "敦煌",
    "银川",
    "西宁",
    "拉萨",
    "乌鲁木齐",
    "呼和浩特",
    "石家庄",
    "保定",
]
KINDS = [
    ("博物馆", "museum", "Museum"),
    ("图书馆", "library", "Library"),
    ("档案馆", "archive", "Archives"),
    ("纪念馆", "memorial_hall", "Memorial Hall"),
    ("美术馆", "art_gallery", "Art Gallery"),
]
ERAS = [
    ("neolithic", "新石器"),
    ("shang-zhou", "商代"),
    ("qin-han", "汉代"),
    ("wei-jin", "魏晋"),
    ("sui-tang", "唐代"),
    ("song-yuan", "宋代"),
    ("ming", "明代"),
    ("qing", "清代"),
    ("republic", "民国"),
    ("modern", "现代"),
]
OBJECT_KINDS = ["瓶", "镜", "俑", "卷", "印", "灯", "碗", "佩", "鼎", "屏"]
MATERIAL_ZH = {
    "porcelain": "陶瓷",
    "silk": "丝绸",
    "cotton": "棉麻",
    "jade": "玉石",
    "enamel": "珐琅",
    "resin": "树脂",
}  # the two-character ones: 铜, 纸, 木, 银 also start many other words


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def scores(ranked: list[str], relevant: set[str]) -> tuple[float, float]:
    """(recall@10 as found/min(10, relevant), reciprocal rank of the first relevant in the top 10)."""
    top = ranked[:10]
    found = len(relevant & set(top))
    first = next((i for i, key in enumerate(top, 1) if key in relevant), None)
    return found / min(10, len(relevant)), (1 / first if first else 0.0)


def report(title: str, rows: list[tuple[str, str, float, float]], other: dict | None = None) -> None:
    by_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for kind, _q, recall, rr in rows:
        by_kind[kind].append((recall, rr))
    print(f"\n{title}: {len(rows)} queries")
    header = f"  {'kind':<12} {'n':>4} {'recall@10':>10} {'MRR':>7}"
    if other is not None:
        header += f"   {'Saleor recall@10':>16} {'Saleor MRR':>10}"
    print(header)
    for kind in [*sorted(by_kind), "all"]:
        values = [v for k, vs in by_kind.items() for v in vs] if kind == "all" else by_kind[kind]
        line = f"  {kind:<12} {len(values):>4} {statistics.mean(r for r, _ in values):>10.3f}"
        line += f" {statistics.mean(m for _, m in values):>7.3f}"
        if other is not None:
            theirs = [(r, m) for k, _q, r, m in other["rows"] if kind in ("all", k)]
            their_recall, their_mrr = (
                statistics.mean(r for r, _ in theirs),
                statistics.mean(m for _, m in theirs),
            )
            line += f"   {their_recall:>16.3f} {their_mrr:>10.3f}"
        print(line)


# --- 1. the demo catalogue and the judged queries -----------------------------------------------------


def judged_queries() -> list[tuple[str, str, set[str]]]:
    rows = []
    for line in JUDGED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, query, relevant = line.split("\t")
            rows.append((kind, query, set(relevant.split("|"))))
    return rows


def ours(query: str) -> list[str]:
    from search.selectors import SearchQuery, search

    return [hit["name_en"] for hit in search(SearchQuery(text=query)).hits[:10]]


def saleor_search(api_url: str, channel: str, query: str, names_en: dict[str, str]) -> list[str]:
    import httpx

    body = {
        "query": "query($q: String!, $c: String!) { products(first: 10, channel: $c, search: $q)"
        " { edges { node { name } } } }",
        "variables": {"q": query, "c": channel},
    }
    data = httpx.post(api_url, json=body, timeout=30).json()
    edges = ((data.get("data") or {}).get("products") or {}).get("edges") or []
    return [names_en.get(e["node"]["name"], e["node"]["name"]) for e in edges]


def demo_quality() -> None:
    from django.core.management import call_command

    from catalog.demo_data import UNITS
    from search.models import SearchDocument

    started = time.perf_counter()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed at exit
    print(
        f"seed_demo: {SearchDocument.objects.count()} products indexed"
        f" in {time.perf_counter() - started:.0f} s"
    )
    queries = judged_queries()
    rows, misses = [], []
    for kind, query, relevant in queries:
        ranked = ours(query)
        recall, rr = scores(ranked, relevant)
        rows.append((kind, query, recall, rr))
        if recall < 1 or rr < 1:
            misses.append(f"    {kind:<10} {query!r}: recall {recall:.2f}, RR {rr:.2f}; top: {ranked[:5]}")
    other = None
    api_url = os.environ.get("SALEOR_API_URL", "")
    if api_url:
        channel = os.environ.get("SALEOR_CHANNEL_SLUG") or "wenchuang-cny"
        names_en = {p[1]: p[2] for spec in UNITS for p in spec["products"]}
        theirs = []
        for kind, query, relevant in queries:
            recall, rr = scores(saleor_search(api_url, channel, query, names_en), relevant)
            theirs.append((kind, query, recall, rr))
        import httpx

        listed = httpx.post(
            api_url,
            json={
                "query": "query($c: String!)"
                " { products(first: 100, channel: $c) { edges { node { name } } } }",
                "variables": {"c": channel},
            },
            timeout=30,
        ).json()
        shown = {
            e["node"]["name"] for e in ((listed.get("data") or {}).get("products") or {}).get("edges") or []
        }
        print(
            f"Saleor at {api_url} lists {len(shown & set(names_en))} of the {len(names_en)} demo products"
            f" in channel {channel}; its search is asked the same queries"
        )
        other = {"rows": theirs}
    report(f"Judged queries over the demo catalogue ({JUDGED.name})", rows, other)
    if other is None:
        print("  Saleor's search: not measured (set SALEOR_API_URL to a Saleor with the demo seeded)")
    print(f"  queries not perfect ({len(misses)}):")
    print("\n".join(misses) or "    none")


# --- 2. a generated catalogue ------------------------------------------------------------------------


class Catalogue:
    """A generated catalogue written straight to the tables, then indexed by the real indexer."""

    def __init__(self, units: int, seed: int = 23) -> None:
        self.rng = random.Random(seed)
        self.unit_count = units
        self.products: list[dict] = []
        self.units: list[dict] = []
        self.objects: dict[int, list[tuple[int, str, str]]] = {}

    def make_units(self) -> None:
        from catalog.models import CollectionObject
        from unit_onboarding.models import Unit

        made = []
        for i in range(self.unit_count):
            city = CITIES[i % len(CITIES)]
            kind_zh, kind, kind_en = KINDS[(i // len(CITIES)) % len(KINDS)]
            made.append(
                Unit(
                    legal_name_zh=f"{city}市{kind_zh}（生成）",
                    legal_name_en=f"{city} {kind_en} (generated)",
                    display_name=f"{city}{kind_zh}",
                    unit_type=kind,
                    status=Unit.Status.ACTIVE,
                    credit_code=f"BENCH{i:013d}",
                )
            )
        Unit.objects.bulk_create(made)
        objects = []
        for unit in made:
            for j in range(5):
                era, era_zh = self.rng.choice(ERAS)
                motif_zh, _en = self.rng.choice(MOTIFS)
                objects.append(
                    CollectionObject(
                        unit=unit,
                        title_zh=f"{era_zh}{motif_zh}{self.rng.choice(OBJECT_KINDS)}",
                        accession_number=f"G-{unit.pk}-{j}",
                        era=era_zh,
                    )
                )
            self.units.append({"pk": unit.pk, "name": unit.display_name})
        CollectionObject.objects.bulk_create(objects)
        for obj in objects:
            era = next(slug for slug, zh in ERAS if zh == obj.era)
            self.objects.setdefault(obj.unit_id, []).append((obj.pk, obj.title_zh, era))

    def add_products(self, count: int, batch: int = 2000) -> float:
        """Write `count` more products on sale and index them; returns the seconds indexing took."""
        from django.db import connection, transaction

        from catalog.models import Listing, ListingRevision
        from search.services import listings_index

        spent = 0.0
        for start in range(0, count, batch):
            listings, contents = [], []
            for _ in range(min(batch, count - start)):
                motif = self.rng.randrange(len(MOTIFS))
                noun = self.rng.randrange(len(NOUNS))
                unit = self.rng.choice(self.units)
                motif_zh, motif_en = MOTIFS[motif]
                noun_zh, noun_en, category, materials = NOUNS[noun]
                name = f"{self.rng.choice(PREFIXES)}{motif_zh}{noun_zh}"
                obj = self.rng.choice(self.objects[unit["pk"]]) if self.rng.random() < 0.7 else None
                era = obj[2] if obj else ""
                material = self.rng.choice(materials)
                price = self.rng.randrange(900, 60000, 100)
                description = f"{name}，{unit['name']}文创出品。" + (f"灵感来自馆藏{obj[1]}。" if obj else "")
                content = {
                    "name_zh": name,
                    "name_en": f"{motif_en} {noun_en}",
                    "description_zh": description,
                    "description_en": f"A {noun_en} made for the {motif_en} collection.",
                    "category": category,
                    "product_type": "wenchuang-goods",
                    "seo_title": "",
                    "seo_description": "",
                    "collection_object_id": obj[0] if obj else None,
                    "relation": "adaptation" if obj else "",
                    "designer": "",
                    "licence_id": None,
                    "attributes": {"wenchuang-material": material, **({"wenchuang-era": era} if era else {})},
                    "variants": [{"sku": "", "price_fen": price, "currency": "CNY"}],
                    "images": [],
                }
                listings.append(
                    Listing(
                        unit_id=unit["pk"],
                        name_zh=name,
                        name_en=content["name_en"],
                        category=category,
                        product_type="wenchuang-goods",
                        collection_object_id=content["collection_object_id"],
                        relation=content["relation"],
                        attributes=content["attributes"],
                    )
                )
                contents.append(content)
                self.products.append(
                    {
                        "motif": motif,
                        "noun": noun,
                        "unit": unit["pk"],
                        "era": era,
                        "material": material,
                        "name": name,
                    }
                )
            with transaction.atomic():
                Listing.objects.bulk_create(listings)
                revisions = [
                    ListingRevision(listing=listing, number=1, content=content, status="approved")
                    for listing, content in zip(listings, contents, strict=True)
                ]
                ListingRevision.objects.bulk_create(revisions)
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE catalog_listing l"
                        " SET live_revision_id = r.id, on_sale = true, state = 'published'"
                        " FROM catalog_listingrevision r WHERE r.listing_id = l.id AND l.id = ANY(%s)",
                        [[listing.pk for listing in listings]],
                    )
            for listing, product in zip(listings, self.products[-len(listings) :], strict=True):
                product["pk"] = listing.pk
            started = time.perf_counter()
            for i in range(0, len(listings), 500):
                listings_index(listing_ids=[listing.pk for listing in listings[i : i + 500]])
            spent += time.perf_counter() - started
        return spent

    def queries(self, per_kind: int) -> list[tuple[str, str, set[int]]]:
        """Queries of every kind with the products (ids) relevant by construction."""
        from search.text import syllables_of

        by = defaultdict(set)
        for p in self.products:
            by[("name", p["motif"], p["noun"])].add(p["pk"])
            if p["era"]:
                by[("era", p["era"], p["noun"])].add(p["pk"])
            if p["material"] in MATERIAL_ZH:
                by[("material", p["material"], p["noun"])].add(p["pk"])
            by[("unit", p["unit"], p["noun"])].add(p["pk"])
        names = {u["pk"]: u["name"] for u in self.units}
        era_words = dict(ERAS)
        rng = random.Random(7)
        out = []
        pairs = [k for k in by if k[0] == "name"]
        for kind in ("name", "pinyin", "initials", "english"):
            for _, motif, noun in rng.sample(pairs, min(per_kind, len(pairs))):
                motif_zh, motif_en = MOTIFS[motif]
                noun_zh, noun_en, _c, _m = NOUNS[noun]
                relevant = by[("name", motif, noun)]
                example = next(p["name"] for p in self.products if p["pk"] in relevant)
                span = example.index(motif_zh), example.index(motif_zh) + len(motif_zh + noun_zh)
                syllables = syllables_of(example)[span[0] : span[1]]
                text = {
                    "name": motif_zh + noun_zh,
                    "pinyin": "".join(syllables),
                    "initials": "".join(s[0] for s in syllables),
                    "english": f"{motif_en} {noun_en}",
                }[kind]
                out.append((kind, text, relevant))
        for kind in ("era", "material", "unit"):
            keys = [k for k in by if k[0] == kind]
            for _, value, noun in rng.sample(keys, min(per_kind, len(keys))):
                word = {
                    "era": era_words.get(value),
                    "material": MATERIAL_ZH.get(value),
                    "unit": names.get(value),
                }
                out.append((kind, f"{word[kind]} {NOUNS[noun][0]}", by[(kind, value, noun)]))
        return out


def generated_quality(catalogue: Catalogue, products: int, per_kind: int) -> None:
    from search.models import SearchDocument
    from search.selectors import SearchQuery, search
    from search.services import vocabulary_rebuild

    SearchDocument.objects.all().delete()  # the demo products leave the index; the generated take it
    vocabulary_rebuild()
    catalogue.make_units()
    spent = catalogue.add_products(products)
    print(
        f"\nGenerated catalogue: {products} products of {catalogue.unit_count} units indexed in {spent:.0f} s"
        f" ({products / spent:.0f} products/s, segmentation and pinyin included)"
    )
    rows = []
    for kind, query, relevant in catalogue.queries(per_kind):
        ranked = [hit["listing_id"] for hit in search(SearchQuery(text=query)).hits[:10]]
        recall, rr = scores(ranked, relevant)
        rows.append((kind, query, recall, rr))
    report(f"Generated queries over {products} products (relevant by construction)", rows)
    worst = sorted(rows, key=lambda r: (r[2], r[3]))[:8]
    print("  lowest:", "; ".join(f"{q!r} {r:.2f}/{m:.2f}" for _k, q, r, m in worst))


# --- 3. speed at scale, and a product approved then found ----------------------------------------------


def speed(catalogue: Catalogue, total: int, n_queries: int) -> None:
    from search.selectors import SearchQuery, search, suggest

    grow = total - len(catalogue.products)
    if grow > 0:
        spent = catalogue.add_products(grow)
        print(f"\nGrown to {len(catalogue.products)} products ({grow} indexed in {spent:.0f} s)")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE search_searchdocument")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('search_searchdocument'))")
        size = cursor.fetchone()[0]
    queries = catalogue.queries(max(1, n_queries // 7))
    rng = random.Random(5)
    sorts = ["relevance"] * 6 + ["newest", "price_asc", "bestselling"]
    for _kind, query, _r in queries[:50]:  # warm the process (segmenter, stems) and PostgreSQL's cache
        search(SearchQuery(text=query))
    timings, totals = defaultdict(list), []
    for kind, query, _r in queries:
        sort = rng.choice(sorts)
        started = time.perf_counter()
        result = search(SearchQuery(text=query, sort=sort))
        timings[kind].append(time.perf_counter() - started)
        totals.append(result.total)
    every = [t for values in timings.values() for t in values]
    print(
        f"\nSpeed over {len(catalogue.products)} products (index {size}; 2 cores): a results page = hits,"
        " total and six facets' counts in one statement"
    )
    print(f"  {'kind':<10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in [*sorted(timings), "all"]:
        values = every if kind == "all" else timings[kind]
        print(
            f"  {kind:<10} {len(values):>5} {statistics.median(values) * 1000:>8.1f}"
            f" {percentile(values, 0.95) * 1000:>8.1f} {percentile(values, 0.99) * 1000:>8.1f}"
        )
    print(f"  matches per query: median {statistics.median(totals):.0f}, max {max(totals)}")
    typed = []
    for _kind, query, _r in queries[:300]:
        for cut in (1, 2, max(1, len(query) - 1)):
            started = time.perf_counter()
            suggest(query[:cut])
            typed.append(time.perf_counter() - started)
    print(
        f"  suggestions as one types ({len(typed)}): p50 {statistics.median(typed) * 1000:.1f} ms,"
        f" p95 {percentile(typed, 0.95) * 1000:.1f} ms"
    )
    for browse in ("", "lantern"):  # the whole catalogue with facets; a broad word
        started = time.perf_counter()
        result = search(SearchQuery(text=browse))
        print(
            f"  {browse or 'all products'!r}: {result.total} matches,"
            f" {(time.perf_counter() - started) * 1000:.1f} ms"
        )
    approval_then_search(catalogue)


def approval_then_search(catalogue: Catalogue) -> None:
    from django.contrib.auth import get_user_model

    from catalog import listings
    from search.selectors import SearchQuery, search
    from unit_onboarding.models import Unit

    unit = Unit.objects.get(pk=catalogue.units[0]["pk"])
    operator = get_user_model().objects.create(username=f"bench-{time.time_ns()}")
    word = "星槎琉璃镇纸"  # in no generated name
    listing = listings.listing_create(
        unit=unit,
        data={
            "name_zh": word,
            "name_en": "Starboat glass paperweight",
            "category": "wenchuang-stationery",
            "product_type": "wenchuang-goods",
            "attributes": {"wenchuang-material": "jade"},
        },
        variants=[{"sku": f"BENCH-{time.time_ns()}", "price_fen": 8800, "stock": 5}],
        actor=operator,
    )
    listings.listing_submit(listing=listing, actor=operator)
    listings.listing_review(listing=listing, approve=True, reviewer=operator)
    assert not search(SearchQuery(text=word)).total, "approved but not on sale must not be found"
    started = time.perf_counter()
    listings.listing_publish(listing=listing, on_sale=True, actor=operator)
    found = search(SearchQuery(text="xingcha"))  # by pinyin, as a buyer might
    elapsed = time.perf_counter() - started
    print(
        f"  approved, put on sale and found by pinyin in {elapsed * 1000:.0f} ms"
        f" (found: {[h['name_zh'] for h in found.hits][:1]})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--queries", type=int, default=700, help="generated queries for quality (all kinds)")
    parser.add_argument("--speed-products", type=int, default=100_000)
    parser.add_argument("--speed-queries", type=int, default=1000)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    saleor_url = os.environ.pop("SALEOR_API_URL", "")  # no pushes from here: the bench only reads Saleor
    with own_cache_and_queues("search"), bench_database(DB_NAME, keep=args.keep, force_drop=True):
        if saleor_url:
            os.environ["SALEOR_API_URL"] = saleor_url
        demo_quality()
        catalogue = Catalogue(args.units)
        generated_quality(catalogue, args.products, max(1, args.queries // 7))
        if not args.skip_speed:
            speed(catalogue, args.speed_products, args.speed_queries)


if __name__ == "__main__":
    main()
