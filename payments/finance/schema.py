"""Finance GraphQL API (read-only): split lines, balances and ledger transactions, scoped by role."""

from __future__ import annotations

from collections import defaultdict

import graphene
from graphql import GraphQLError

from payments import selectors
from payments.finance.scope import FinanceScope, finance_scope
from payments.models import Account, LedgerEntry, LedgerTransaction, SplitLine
from saleor_app.models import WebhookEvent

MAX_ROWS = 1000
PARTY_KINDS = {Account.Kind.PARTY_PAYABLE, Account.Kind.PLATFORM_REVENUE}


def _scope(info) -> FinanceScope:
    scope = finance_scope(info.context.user)
    if scope is None:
        raise GraphQLError("finance staff only: sign in with a finance account")
    return scope


def _limit(first: int) -> int:
    return max(1, min(first, MAX_ROWS))


class SplitLineType(graphene.ObjectType):
    transaction_id = graphene.Int(required=True)
    order_ref = graphene.String(required=True)
    line_ref = graphene.String(required=True)
    line_kind = graphene.String(required=True)
    party = graphene.String(required=True)
    role = graphene.String(required=True)
    bps = graphene.Int(required=True)
    rule = graphene.String(required=True)
    fee_rule = graphene.String(required=True)
    agreement_version = graphene.String(required=True)
    amount = graphene.Int(required=True, description="minor units; negative for a refund")
    fee = graphene.Int(required=True)
    currency = graphene.String(required=True)


class BalanceType(graphene.ObjectType):
    party = graphene.String(required=True)
    account_kind = graphene.String(required=True)
    currency = graphene.String(required=True)
    balance = graphene.Int(required=True, description="debits minus credits, minor units")
    owed = graphene.Int(required=True, description="what the platform owes the party (payables: -balance)")


class EntryType(graphene.ObjectType):
    account_kind = graphene.String(required=True)
    party = graphene.String(required=True)
    amount = graphene.Int(required=True)
    currency = graphene.String(required=True)


class LedgerTransactionType(graphene.ObjectType):
    id = graphene.Int(required=True)
    idempotency_key = graphene.String(required=True)
    kind = graphene.String(required=True)
    order_ref = graphene.String(required=True)
    currency = graphene.String(required=True)
    posted_at = graphene.DateTime(required=True)
    memo = graphene.String(required=True)
    entries = graphene.List(graphene.NonNull(EntryType), required=True, description="only parties in scope")


class ParkedEventType(graphene.ObjectType):
    id = graphene.Int(required=True)
    event_type = graphene.String(required=True)
    reason = graphene.String(required=True)
    received_at = graphene.DateTime(required=True)
    attempts = graphene.Int(required=True)


class Query(graphene.ObjectType):
    parked_events = graphene.List(
        graphene.NonNull(ParkedEventType),
        required=True,
        description="Saleor events that could not be posted, with the reason (platform finance only)",
    )
    split_lines = graphene.List(
        graphene.NonNull(SplitLineType),
        required=True,
        order_ref=graphene.String(),
        party=graphene.String(),
        first=graphene.Int(default_value=100),
    )
    balances = graphene.List(graphene.NonNull(BalanceType), required=True, currency=graphene.String())
    ledger_transactions = graphene.List(
        graphene.NonNull(LedgerTransactionType),
        required=True,
        order_ref=graphene.String(),
        first=graphene.Int(default_value=100),
    )

    def resolve_parked_events(self, info):
        if not _scope(info).everything:
            raise GraphQLError("parked events are shown to platform finance only")
        parked = WebhookEvent.objects.filter(status=WebhookEvent.Status.PARKED).order_by("pk")[:MAX_ROWS]
        return [
            ParkedEventType(
                id=e.pk,
                event_type=e.event_type,
                reason=e.last_error,
                received_at=e.received_at,
                attempts=e.attempts,
            )
            for e in parked
        ]

    def resolve_split_lines(self, info, order_ref=None, party=None, first=100):
        scope = _scope(info)
        rows = SplitLine.objects.order_by("-transaction_id", "line_ref", "position")
        if not scope.everything:
            rows = rows.filter(party__in=scope.parties)
        if order_ref:
            rows = rows.filter(order_ref=order_ref)
        if party:
            rows = rows.filter(party=party)
        return rows[: _limit(first)]

    def resolve_balances(self, info, currency=None):
        scope = _scope(info)
        out = []
        for (kind, party, cur), total in sorted(selectors.account_balances().items()):
            if currency and cur != currency:
                continue
            if not scope.everything and not (kind in PARTY_KINDS and scope.allows(party)):
                continue
            owed = -total if kind in PARTY_KINDS else 0
            out.append(BalanceType(party=party, account_kind=kind, currency=cur, balance=total, owed=owed))
        return out

    def resolve_ledger_transactions(self, info, order_ref=None, first=100):
        scope = _scope(info)
        txns = LedgerTransaction.objects.order_by("-pk")
        if not scope.everything:
            txns = txns.filter(entries__account__party__in=scope.parties).distinct()
        if order_ref:
            txns = txns.filter(order_ref=order_ref)
        txns = list(txns[: _limit(first)])
        entries = defaultdict(list)
        for e in LedgerEntry.objects.filter(transaction__in=txns).select_related("account").order_by("pk"):
            if scope.everything or scope.allows(e.account.party):
                entries[e.transaction_id].append(
                    EntryType(
                        account_kind=e.account.kind,
                        party=e.account.party,
                        amount=e.amount,
                        currency=e.currency,
                    )
                )
        return [
            LedgerTransactionType(
                id=t.pk,
                idempotency_key=t.idempotency_key,
                kind=t.kind,
                order_ref=t.order_ref,
                currency=t.currency,
                posted_at=t.posted_at,
                memo=t.memo,
                entries=entries[t.pk],
            )
            for t in txns
        ]


schema = graphene.Schema(query=Query)
