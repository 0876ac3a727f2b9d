"""Reads of the search index: results with facet counts, suggestions as one types, nearest terms.

Every read goes to `settings.SEARCH_READ_DATABASE` (a read replica when one is configured); writes stay on
the primary (search.services). One SQL statement answers a results page: its hits, the total and every
facet's counts, each facet counted under the other facets' filters (so a buyer sees what switching gives).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from catalog import taxonomy
from catalog.models import CollectionObject, Listing
from search.models import SearchDocument, SearchSynonym, SearchTerm
from search.services import DICTIONARY_VERSION, INDEX_VERSION, SYNONYMS_VERSION, term_spellings
from search.text import (
    RUNS,
    Synonyms,
    is_han,
    normalize,
    pinyin_split,
    query_parse,
    segmenter,
    syllables_of,
)
from unit_onboarding.models import Designer, Unit

PAGE_SIZE = 24
MAX_PAGE = 50
# Price bands of the facet, in yuan: [low, high).
PRICE_BANDS: tuple[tuple[int | None, int | None], ...] = ((None, 50), (50, 200), (200, 1000), (1000, None))
SORTS = ("relevance", "newest", "price_asc", "price_desc", "bestselling")
FACETS = ("unit", "unit_type", "category", "material", "era", "price")
RANK_WEIGHTS = "{0.05, 0.2, 0.5, 1.0}"  # D, C, B, A
VERSION_CHECK_SECONDS = 5.0
BROWSE_CACHE_SECONDS = 600
SUGGEST_CANDIDATES = 300


def read_db() -> str:
    return settings.SEARCH_READ_DATABASE


# --- what the process keeps: English stems, synonyms, the query segmenter's dictionary --------------

_stems: OrderedDict[str, tuple[str, ...]] = OrderedDict()
_versions: dict[str, tuple[Any, float]] = {}
_synonyms: dict[str, Any] = {}


def english_stems(words: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """PostgreSQL's English stems of words ("bookmarks" → bookmark; a stop word → none), kept per process."""
    missing = [w for w in words if w not in _stems]
    if missing:
        with connections[read_db()].cursor() as cursor:
            cursor.execute(
                "SELECT w, coalesce(ts_lexize('english_stem', w), '{}') FROM unnest(%s::text[]) w", [missing]
            )
            for word, stems in cursor.fetchall():
                _stems[word] = tuple(stems)
        while len(_stems) > 50_000:
            _stems.popitem(last=False)
    return {w: _stems[w] for w in words}


def _version(key: str) -> Any:
    """A shared version number, read from the cache at most every few seconds."""
    value, read_at = _versions.get(key, (None, 0.0))
    if time.monotonic() - read_at > VERSION_CHECK_SECONDS:
        value = cache.get(key, 0)
        _versions[key] = (value, time.monotonic())
    return value


def synonyms_current() -> Synonyms:
    version = _version(SYNONYMS_VERSION)
    if _synonyms.get("version") != version or "value" not in _synonyms:
        rows = SearchSynonym.objects.using(read_db()).order_by("pk").values_list("unit_id", "terms")
        _synonyms["value"] = Synonyms(tuple((unit_id, tuple(terms)) for unit_id, terms in rows))
        _synonyms["version"] = version
    return _synonyms["value"]


def dictionary_words() -> list[str]:
    """The domain dictionary besides the goods words: taxonomy, units, objects, designers, synonyms."""
    db = read_db()
    words = [zh for zh, _en in taxonomy.CATEGORIES.values()]
    words += [zh for a in taxonomy.ATTRIBUTES.values() for _s, zh, _en in a.choices]
    words += [
        name
        for names in Unit.objects.using(db)
        .filter(status=Unit.Status.ACTIVE)
        .values_list("display_name", "legal_name_zh")
        for name in names
    ]
    words += [
        value
        for values in CollectionObject.objects.using(db).values_list("title_zh", "era", "material")
        for value in values
    ]
    words += list(Designer.objects.using(db).values_list("name_zh", flat=True))
    words += [term for _unit, terms in synonyms_current().groups for term in terms]
    return [w for w in words if w]


def _dictionary_current() -> None:
    version = _version(DICTIONARY_VERSION)
    if _synonyms.get("dictionary") != version:
        segmenter().add_words(dictionary_words())
        _synonyms["dictionary"] = version


def tsquery_of(text: str, *, prefix_last: bool = False) -> str:
    """The tsquery of a buyer's words, with synonyms and English stems ("" when nothing to search for)."""
    _dictionary_current()
    query = query_parse(text, synonyms_current(), prefix_last=prefix_last)
    return query.tsquery(english_stems(query.ascii_words()))


# --- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    """What a buyer asked: words, facet filters (price in yuan), the order and the page."""

    text: str = ""
    unit_id: int | None = None
    unit_type: str = ""
    category: str = ""
    material: str = ""
    era: str = ""
    price_band: int | None = None
    price_min: int | None = None
    price_max: int | None = None
    sort: str = "relevance"
    page: int = 1


@dataclass
class SearchResult:
    hits: list[dict[str, Any]]
    total: int
    facets: dict[str, dict[str, int]]
    tsquery: str
    page: int
    pages: int
    sort: str
    words: list[str] = field(default_factory=list)


def _filters(query: SearchQuery) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each active facet's SQL condition (on the matches) with its parameters."""
    filters: dict[str, tuple[str, dict[str, Any]]] = {}
    if query.unit_id is not None:
        filters["unit"] = ("unit_id = %(f_unit)s", {"f_unit": query.unit_id})
    for name in ("unit_type", "category", "material", "era"):
        if value := getattr(query, name):
            filters[name] = (f"{name} = %(f_{name})s", {f"f_{name}": value})
    price = []
    params: dict[str, Any] = {}
    if query.price_band is not None and 0 <= query.price_band < len(PRICE_BANDS):
        low, high = PRICE_BANDS[query.price_band]
        if low is not None:
            price.append("price_fen >= %(f_band_low)s")
            params["f_band_low"] = low * 100
        if high is not None:
            price.append("price_fen < %(f_band_high)s")
            params["f_band_high"] = high * 100
    if query.price_min is not None:
        price.append("price_fen >= %(f_min)s")
        params["f_min"] = query.price_min * 100
    if query.price_max is not None:
        price.append("price_fen <= %(f_max)s")
        params["f_max"] = query.price_max * 100
    if price:
        filters["price"] = (" AND ".join(price), params)
    return filters


def _band_sql() -> str:
    cases = []
    for index, (_low, high) in enumerate(PRICE_BANDS[:-1]):
        cases.append(f"WHEN price_fen < {high * 100} THEN {index}")
    return f"CASE {' '.join(cases)} ELSE {len(PRICE_BANDS) - 1} END"


_ORDER = {
    "relevance": "rank DESC, sold DESC, listed_at DESC, listing_id DESC",
    "newest": "listed_at DESC, listing_id DESC",
    "price_asc": "price_fen ASC, listing_id DESC",
    "price_desc": "price_fen DESC, listing_id DESC",
    "bestselling": "sold DESC, rank DESC, listed_at DESC, listing_id DESC",
}
_COLUMNS = "listing_id, unit_id, unit_type, category, material, era, price_fen, sold, listed_at"
_FACET_KEYS = {
    "unit": "unit_id::text",
    "unit_type": "unit_type",
    "category": "category",
    "material": "material",
    "era": "era",
    "price": "band::text",
}


def search(query: SearchQuery) -> SearchResult:
    """The page of hits in the asked order, the total and the facet counts, in one statement.

    Browsing without words counts facets over every product on sale: that answer is kept in the cache
    until the index next changes (any document written or removed bumps its version).
    """
    if not query.text.strip():
        digest = hashlib.sha256(repr(query).encode()).hexdigest()[:24]  # the same in every process
        key = f"search:browse:{cache.get(INDEX_VERSION, 0)}:{digest}"
        result = cache.get(key)
        if result is None:
            result = _search(query)
            cache.set(key, result, timeout=BROWSE_CACHE_SECONDS)
        return result
    return _search(query)


def _search(query: SearchQuery) -> SearchResult:
    tsquery = tsquery_of(query.text) if query.text.strip() else ""
    if query.text.strip() and not tsquery:
        return SearchResult([], 0, {f: {} for f in FACETS}, "", 1, 0, query.sort)
    params: dict[str, Any] = {"tsquery": tsquery, "weights": RANK_WEIGHTS}
    if tsquery:
        matches = (
            # Relevance is how well the name matches (its lexemes are in the row: no TOAST read per match);
            # ties, e.g. matches by unit or era only, go best-selling then newest first.
            f"SELECT {_COLUMNS}, ts_rank(%(weights)s::real[], name_vector, q.q) AS rank"  # noqa: S608
            " FROM search_searchdocument, (SELECT %(tsquery)s::tsquery AS q) q WHERE document @@ q.q"
        )
    else:
        matches = f"SELECT {_COLUMNS}, 0::real AS rank FROM search_searchdocument"  # noqa: S608 - constants
    filters = _filters(query)
    for _sql, values in filters.values():
        params.update(values)
    everything = " AND ".join(f"({sql})" for sql, _p in filters.values()) or "TRUE"
    sort = query.sort if query.sort in _ORDER else "relevance"
    sort_sql = _ORDER["newest"] if sort == "relevance" and not tsquery else _ORDER[sort]
    page = max(1, min(query.page, MAX_PAGE))
    params["limit"], params["offset"] = PAGE_SIZE, (page - 1) * PAGE_SIZE
    except_one = {
        facet: " AND ".join(f"({sql})" for name, (sql, _p) in filters.items() if name != facet) or "TRUE"
        for facet in FACETS
    }
    which = " ".join(f"WHEN GROUPING({_FACET_KEYS[f]}) = 0 THEN '{f}'" for f in FACETS[:-1])
    counts = " ".join(
        f"WHEN GROUPING({_FACET_KEYS[f]}) = 0 THEN count(*) FILTER (WHERE c_{f})" for f in FACETS[:-1]
    )
    # Only constants of this module are formatted in; every value the buyer sent is a parameter.
    conditions = ", ".join(f"({except_one[f]}) AS c_{f}" for f in FACETS)
    sql = f"""
    WITH m AS MATERIALIZED ({matches}),
    x AS (SELECT m.*, {_band_sql()} AS band, {conditions} FROM m)
    (SELECT 'hit', listing_id::text, 0::bigint, row_number() OVER (ORDER BY {sort_sql})
       FROM m WHERE {everything} ORDER BY {sort_sql} LIMIT %(limit)s OFFSET %(offset)s)
    UNION ALL
    SELECT 'total', '', count(*), 0 FROM m WHERE {everything}
    UNION ALL
    SELECT CASE {which} ELSE 'price' END,
           COALESCE({", ".join(_FACET_KEYS[f] for f in FACETS)}),
           CASE {counts} ELSE count(*) FILTER (WHERE c_price) END, 0
      FROM x GROUP BY GROUPING SETS ({", ".join(f"({_FACET_KEYS[f]})" for f in FACETS)})
    """  # noqa: S608
    with connections[read_db()].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    ids = [int(key) for kind, key, _n, _o in sorted((r for r in rows if r[0] == "hit"), key=lambda r: r[3])]
    total = next((n for kind, _k, n, _o in rows if kind == "total"), 0)
    facets: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    for kind, key, n, _o in rows:
        if kind in facets and key and n:
            facets[kind][key] = n
    pages = min(MAX_PAGE, -(-total // PAGE_SIZE))
    words = query_parse(query.text, synonyms_current()).words() if query.text.strip() else []
    return SearchResult(hits_of(ids), total, facets, tsquery, page, pages, sort, words)


def hits_of(listing_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The indexed columns of these documents in this order, with the listing's sync state."""
    rows = SearchDocument.objects.using(read_db()).filter(listing_id__in=listing_ids)
    values = rows.values(
        "listing_id", "unit_id", "slug", "name_zh", "name_en", "price_fen", "image", "category"
    )
    by_id = {v["listing_id"]: v for v in values}
    sync = dict(Listing.objects.using(read_db()).filter(pk__in=listing_ids).values_list("pk", "sync_status"))
    return [{**by_id[i], "in_saleor": sync.get(i) == Listing.Sync.DONE} for i in listing_ids if i in by_id]


def count_of(text: str) -> int:
    """How many products on sale match these words (no facets)."""
    tsquery = tsquery_of(text)
    if not tsquery:
        return 0
    with connections[read_db()].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchdocument WHERE document @@ %s::tsquery", [tsquery])
        return cursor.fetchone()[0]


# --- suggestions -----------------------------------------------------------------------------------


def suggest(text: str, *, limit: int = 6) -> dict[str, list[dict[str, Any]]]:
    """As one types: words of the catalogue starting so (in characters, pinyin or initials), and products
    whose words start so (the last word typed may be unfinished)."""
    typed = normalize(text)[:50]
    if len(typed) < 2 and not (typed and is_han(typed)):
        return {"terms": [], "products": []}  # one letter starts too many words to help
    db = read_db()
    last = RUNS.findall(typed)[-1] if RUNS.findall(typed) else ""
    terms: list[str] = []
    if last:
        found = SearchTerm.objects.using(db).filter(frequency__gt=0)
        if is_han(last):
            found = found.filter(term__startswith=last)
        else:
            found = (
                found.filter(pinyin__startswith=last)
                | found.filter(initials__startswith=last)
                | found.filter(term__startswith=last)
            )
        terms = list(found.order_by("-frequency", "term").values_list("term", flat=True)[:limit])
    tsquery = tsquery_of(typed, prefix_last=True) if len(typed) >= 2 else ""
    products: list[dict[str, Any]] = []
    if tsquery:
        with connections[db].cursor() as cursor:
            # Among the first matches found, best-selling first: a two-letter prefix matches thousands.
            cursor.execute(
                "SELECT slug, name_zh, name_en FROM (SELECT slug, name_zh, name_en, sold, listing_id"
                " FROM search_searchdocument WHERE document @@ %s::tsquery LIMIT %s) found"
                " ORDER BY sold DESC, listing_id DESC LIMIT %s",
                [tsquery, SUGGEST_CANDIDATES, limit],
            )
            products = [{"slug": s, "name_zh": zh, "name_en": en} for s, zh, en in cursor.fetchall()]
    return {"terms": [{"term": t} for t in terms], "products": products}


# --- nearest terms ("no results": did you mean) -----------------------------------------------------

_vocabulary: dict[str, Any] = {}
VOCABULARY_SECONDS = 60.0
VOCABULARY_SIZE = 20_000


def _vocabulary_current() -> list[tuple[str, str, int]]:
    """(term, spelling compared: its pinyin or itself, frequency), the most frequent first."""
    if time.monotonic() - _vocabulary.get("read_at", -1e9) > VOCABULARY_SECONDS:
        rows = (
            SearchTerm.objects.using(read_db())
            .filter(frequency__gt=0)
            .order_by("-frequency", "term")
            .values_list("term", "pinyin", "frequency")[:VOCABULARY_SIZE]
        )
        _vocabulary["rows"] = [(t, p or t, n) for t, p, n in rows]
        _vocabulary["read_at"] = time.monotonic()
    return _vocabulary["rows"]


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or limit + 1 as soon as it is known to exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _spelling(word: str) -> str:
    return "".join(syllables_of(word)) if is_han(word) else word


def nearest_terms(text: str, *, limit: int = 5) -> list[str]:
    """Terms of the catalogue nearest to what was typed (same or close pinyin, or a close spelling), each
    verified to find something; for a "no results" page."""
    words = [w for w in query_parse(text, synonyms_current()).words() if len(w) >= 2]
    if not words:
        return []
    vocabulary = _vocabulary_current()
    scored: dict[str, tuple[int, int]] = {}
    for word in words:
        spelled = _spelling(word)
        allowed = 0 if len(spelled) < 3 else 1 if len(spelled) < 7 else 2
        for term, spelling, frequency in vocabulary:
            if term == word:
                continue
            d = _distance(spelled, spelling, allowed)
            if d > allowed and pinyin_split(word) is None and term_spellings(term)[1] == word:
                d = 0  # initials typed: tj → 铜镜
            if d <= allowed:
                best = scored.get(term)
                if best is None or (d, -frequency) < best:
                    scored[term] = (d, -frequency)
    ranked = sorted(scored, key=lambda t: (scored[t], t))
    return [term for term in ranked[: limit * 3] if count_of(term)][:limit]


def facet_labels(language: str) -> Mapping[str, Mapping[str, str]]:
    """Names of facet values in the page's language (units by their display names)."""
    english = language.startswith("en")
    pick = 1 if english else 0
    return {
        "category": {slug: names[pick] for slug, names in taxonomy.CATEGORIES.items()},
        "material": {
            s: (en if english else zh) for s, zh, en in taxonomy.ATTRIBUTES["wenchuang-material"].choices
        },
        "era": {s: (en if english else zh) for s, zh, en in taxonomy.ATTRIBUTES["wenchuang-era"].choices},
    }
