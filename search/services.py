"""Writes of the search index: documents in the caller's transaction, the vocabulary, sales, synonyms."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef, Q

from catalog.models import Listing, ListingVariant
from core import clock
from orders.models import OrderLine
from search.documents import Indexed, listing_indexed, searchable
from search.error_codes import MAX_TERM_CHARS, MAX_TERMS, SearchError, SearchErrorCode
from search.models import SearchDocument, SearchSynonym
from search.text import RUNS, is_han, normalize, segmenter, syllables_of
from unit_onboarding.models import Unit

VOCABULARY_LOCK = 0x5EA2C4  # advisory lock: vocabulary counts change one transaction at a time
DICTIONARY_VERSION = "search:dictionary-version"
SYNONYMS_VERSION = "search:synonyms-version"
INDEX_VERSION = "search:index-version"  # any document written or removed: browse pages recounted
PAID = ("FULL", "OVERCHARGED")
NOT_SOLD = ("CANCELED", "DRAFT", "UNCONFIRMED", "EXPIRED")
MAX_DOCUMENT_TERMS = 200

_UPSERT = """
INSERT INTO search_searchdocument (
    listing_id, unit_id, unit_type, category, material, era, price_fen, saleor_prices, sold, listed_at,
    slug, name_zh, name_en, image, terms, indexed_at, document, name_vector
) VALUES (
    %(listing_id)s, %(unit_id)s, %(unit_type)s, %(category)s, %(material)s, %(era)s, %(price_fen)s,
    %(saleor_prices)s, %(sold)s, %(now)s, %(slug)s, %(name_zh)s, %(name_en)s, %(image)s, %(terms)s, %(now)s,
    %(lexemes)s::tsvector
    || setweight(to_tsvector('english', %(english_a)s), 'A')
    || setweight(to_tsvector('english', %(english_b)s), 'B')
    || setweight(to_tsvector('english', %(english_c)s), 'C'),
    ts_filter(%(lexemes)s::tsvector || setweight(to_tsvector('english', %(english_a)s), 'A'), '{a}')
)
ON CONFLICT (listing_id) DO UPDATE SET
    unit_id = EXCLUDED.unit_id, unit_type = EXCLUDED.unit_type, category = EXCLUDED.category,
    material = EXCLUDED.material, era = EXCLUDED.era, price_fen = EXCLUDED.price_fen,
    saleor_prices = EXCLUDED.saleor_prices, slug = EXCLUDED.slug, name_zh = EXCLUDED.name_zh,
    name_en = EXCLUDED.name_en, image = EXCLUDED.image, terms = EXCLUDED.terms,
    indexed_at = EXCLUDED.indexed_at, document = EXCLUDED.document, name_vector = EXCLUDED.name_vector
"""


def _row(listing_id: int, indexed: Indexed, *, saleor_prices: dict, sold: int, now: datetime) -> dict:
    english = indexed.document.english
    return {
        **indexed.columns,
        "listing_id": listing_id,
        "saleor_prices": json.dumps(saleor_prices),
        "sold": sold,
        "now": now,
        "terms": sorted(indexed.document.terms)[:MAX_DOCUMENT_TERMS],
        "lexemes": indexed.document.tsvector(),
        "english_a": "\n".join(english["A"]),
        "english_b": "\n".join(english["B"]),
        "english_c": "\n".join(english["C"]),
    }


def documents_write(rows: Sequence[dict]) -> None:
    """Upsert prepared rows (see _row); the first time a listing is written is its listed_at."""
    with connection.cursor() as cursor:
        cursor.executemany(_UPSERT, rows)


def listings_index(*, listing_ids: Iterable[int], now: datetime | None = None) -> None:
    """Make the index say what these listings are now: written, rewritten or removed.

    Called by the catalog in the transaction that changes a listing (approval, going on or off sale,
    archiving, provenance edits), and by product webhooks. A listing that is not on sale has no document.
    """
    now = now or clock.now()
    ids = sorted(set(listing_ids))
    if not ids:
        return
    with transaction.atomic():
        existing = {
            d.listing_id: d
            for d in SearchDocument.objects.select_for_update()
            .filter(listing_id__in=ids)
            .only("listing_id", "terms", "saleor_prices", "sold")
        }
        listings = Listing.objects.select_related("unit", "live_revision").filter(pk__in=ids).order_by("pk")
        added: Counter[str] = Counter()
        removed: Counter[str] = Counter()
        rows, gone = [], []
        learnt = 0
        for listing in listings:
            before = existing.pop(listing.pk, None)
            if not searchable(listing):
                if before is not None:
                    gone.append(listing.pk)
                    removed.update(before.terms)
                continue
            indexed = listing_indexed(listing, saleor_prices=before.saleor_prices if before else None)
            row = _row(
                listing.pk,
                indexed,
                saleor_prices=before.saleor_prices if before else {},
                sold=before.sold if before else _sold(listing.pk),
                now=now,
            )
            rows.append(row)
            learnt += indexed.learnt
            added.update(row["terms"])
            if before is not None:
                removed.update(before.terms)
        gone += list(existing)  # listings deleted meanwhile
        for document in existing.values():
            removed.update(document.terms)
        if gone:
            SearchDocument.objects.filter(listing_id__in=gone).delete()
        if rows:
            documents_write(rows)
        if gone or rows:
            transaction.on_commit(index_changed)
        _vocabulary_apply(added - removed, removed - added)
        if learnt:  # other processes segment queries with the new proper names too
            transaction.on_commit(lambda: _bump(DICTIONARY_VERSION))


def _sold(listing_id: int) -> int:
    return _sold_of([listing_id]).get(listing_id, 0)


def _sold_of(listing_ids: Sequence[int]) -> dict[int, int]:
    """Units sold in paid orders that are not cancelled, per listing (by its variants' SKUs)."""
    skus = dict(ListingVariant.objects.filter(listing_id__in=listing_ids).values_list("sku", "listing_id"))
    if not skus:
        return {}
    totals: Counter[int] = Counter()
    lines = (
        OrderLine.objects.filter(sku__in=list(skus), order__charge_status__in=PAID)
        .exclude(order__status__in=NOT_SOLD)
        .values_list("sku", "quantity")
    )
    for sku, quantity in lines:
        totals[skus[sku]] += quantity
    return dict(totals)


def documents_sold_refresh(*, skus: Iterable[str]) -> int:
    """Best-selling order: recount the sales of the listings behind these SKUs (an order changed)."""
    listing_ids = sorted(
        set(ListingVariant.objects.filter(sku__in=list(skus)).values_list("listing_id", flat=True))
    )
    if not listing_ids:
        return 0
    sold = _sold_of(listing_ids)
    with transaction.atomic():
        documents = (
            SearchDocument.objects.select_for_update().filter(listing_id__in=listing_ids).order_by("pk")
        )
        changed = 0
        for document in documents:
            if document.sold != sold.get(document.listing_id, 0):
                document.sold = sold.get(document.listing_id, 0)
                document.save(update_fields=["sold"])
                changed += 1
        if changed:
            transaction.on_commit(index_changed)
    return changed


def document_price_set(*, listing_id: int, sku: str, price_fen: int) -> bool:
    """Saleor's price of a variant (from its webhook): the price sorting and price bands use."""
    with transaction.atomic():
        document = SearchDocument.objects.select_for_update().filter(listing_id=listing_id).first()
        if document is None:
            return False
        document.saleor_prices = {**document.saleor_prices, sku: price_fen}
        skus = list(ListingVariant.objects.filter(listing_id=listing_id).values_list("sku", flat=True))
        content = Listing.objects.get(pk=listing_id).live_revision.content
        approved = {v["sku"]: int(v["price_fen"]) for v in content.get("variants") or []}
        prices = [document.saleor_prices.get(s, approved.get(s)) for s in skus or approved]
        document.price_fen = min(p for p in prices if p is not None)
        document.save(update_fields=["saleor_prices", "price_fen"])
        transaction.on_commit(index_changed)
        return True


def index_changed() -> None:
    """Browse pages (no words) are counted again."""
    _bump(INDEX_VERSION)


def document_remove(*, listing_id: int) -> None:
    """Out of the index (its Saleor product was deleted); back when the listing is next written."""
    with transaction.atomic():
        document = SearchDocument.objects.select_for_update().filter(listing_id=listing_id).first()
        if document is not None:
            _vocabulary_apply(Counter(), Counter(document.terms))
            document.delete()
            transaction.on_commit(index_changed)


def term_spellings(term: str) -> tuple[str, str]:
    """(pinyin, initials) of a Chinese term; ("", "") of any other."""
    if not is_han(term):
        return "", ""
    syllables = syllables_of(term)
    return "".join(syllables), "".join(s[0] for s in syllables)


def _vocabulary_apply(added: Counter[str], removed: Counter[str]) -> None:
    if not added and not removed:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VOCABULARY_LOCK])
        if removed:
            terms = sorted(removed)
            cursor.execute(
                "UPDATE search_searchterm t SET frequency = GREATEST(t.frequency - x.n, 0)"
                " FROM unnest(%s::text[], %s::int[]) AS x(term, n) WHERE t.term = x.term",
                [terms, [removed[t] for t in terms]],
            )
        if added:
            terms = sorted(added)
            spellings = [term_spellings(t) for t in terms]
            cursor.execute(
                "INSERT INTO search_searchterm (term, pinyin, initials, frequency)"
                " SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[])"
                " ON CONFLICT (term) DO UPDATE"
                " SET frequency = search_searchterm.frequency + EXCLUDED.frequency",
                [terms, [s[0] for s in spellings], [s[1] for s in spellings], [added[t] for t in terms]],
            )


def vocabulary_rebuild() -> int:
    """Recount every term from the documents (after a bulk load); returns how many terms are in use."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VOCABULARY_LOCK])
        cursor.execute("SELECT t, count(*) FROM search_searchdocument, unnest(terms) t GROUP BY t ORDER BY t")
        counts = cursor.fetchall()
        cursor.execute("UPDATE search_searchterm SET frequency = 0")
        terms = [t for t, _n in counts]
        spellings = [term_spellings(t) for t in terms]
        cursor.execute(
            "INSERT INTO search_searchterm (term, pinyin, initials, frequency)"
            " SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[])"
            " ON CONFLICT (term) DO UPDATE SET frequency = EXCLUDED.frequency",
            [terms, [s[0] for s in spellings], [s[1] for s in spellings], [n for _t, n in counts]],
        )
    return len(counts)


def units_reindex(*, unit_ids: Iterable[int], now: datetime | None = None) -> int:
    """Rewrite the documents of these units' listings (a unit renamed, deactivated or reactivated)."""
    ids = list(Listing.objects.filter(unit_id__in=list(unit_ids), on_sale=True).values_list("pk", flat=True))
    ids += list(
        SearchDocument.objects.filter(unit_id__in=list(unit_ids)).values_list("listing_id", flat=True)
    )
    listings_index(listing_ids=ids, now=now)
    return len(set(ids))


def units_stale_reindex(*, now: datetime | None = None) -> int:
    """Units changed since their documents were written (renamed, deactivated, reactivated): rewritten.

    Unit profiles change in unit_onboarding, below search: this beat job notices, at most a minute late.
    """
    oldest = SearchDocument.objects.values("unit_id").annotate(oldest=Min("indexed_at"))
    indexed = {row["unit_id"]: row["oldest"] for row in oldest}
    stale = [
        unit.pk
        for unit in Unit.objects.filter(pk__in=list(indexed)).only("pk", "status", "updated_at")
        if unit.status != Unit.Status.ACTIVE or unit.updated_at > indexed[unit.pk]
    ]
    on_sale = Listing.objects.filter(unit=OuterRef("pk"), on_sale=True)
    stale += list(
        Unit.objects.filter(Q(status=Unit.Status.ACTIVE) & ~Q(pk__in=list(indexed)))
        .filter(Exists(on_sale))
        .values_list("pk", flat=True)
    )
    return units_reindex(unit_ids=stale, now=now) if stale else 0


# --- synonyms ------------------------------------------------------------------------------------

_SEPARATORS = re.compile("[=,\uff0c\u3001;\uff1b\n|/]+")  # also the full-width comma, 、 and semicolon


def synonym_terms_clean(raw: str) -> list[str]:
    """The terms of "文创 = 文化创意, 文化产品" (commas, semicolons or one a line), normalized, each once."""
    terms = []
    for part in _SEPARATORS.split(raw or ""):
        term = normalize(part)
        if not term:
            continue
        if len(term) > MAX_TERM_CHARS:
            raise SearchError(SearchErrorCode.SYNONYM_TERM_TOO_LONG, "terms", term=term, max=MAX_TERM_CHARS)
        if not RUNS.search(term):
            raise SearchError(SearchErrorCode.SYNONYM_TERM_EMPTY, "terms", term=term)
        if term not in terms:
            terms.append(term)
    if len(terms) < 2:
        raise SearchError(SearchErrorCode.SYNONYM_TOO_FEW, "terms")
    if len(terms) > MAX_TERMS:
        raise SearchError(SearchErrorCode.SYNONYM_TOO_MANY, "terms", max=MAX_TERMS)
    return terms


@transaction.atomic
def synonym_save(
    *, unit: Unit | None, raw_terms: str, actor, synonym: SearchSynonym | None = None
) -> SearchSynonym:
    """A new group of synonyms (or an edit of one) of this unit, or platform-wide when unit is None."""
    terms = synonym_terms_clean(raw_terms)
    if synonym is None:
        synonym = SearchSynonym(unit=unit, created_by=actor)
    elif synonym.unit_id != (unit.pk if unit else None):
        raise SearchSynonym.DoesNotExist  # never re-scoped: the caller looked it up in another scope
    synonym.terms = terms
    synonym.save()
    segmenter().add_words(terms)
    transaction.on_commit(lambda: (_bump(SYNONYMS_VERSION), _bump(DICTIONARY_VERSION)))
    return synonym


@transaction.atomic
def synonym_delete(*, synonym: SearchSynonym, actor) -> None:
    synonym.delete()
    transaction.on_commit(lambda: _bump(SYNONYMS_VERSION))


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=None)
