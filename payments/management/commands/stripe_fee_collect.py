"""python manage.py stripe_fee_collect ORDER_REF...: read Stripe's fee on an order's charges and post it."""

import stripe
from django.core.management.base import BaseCommand, CommandError

from payments.errors import LedgerError
from payments.gateway.fees import payment_intent_fee_collect
from payments.gateway.models import OrderPaymentReference


class Command(BaseCommand):
    help = (
        "For each Saleor order id given, read the fee Stripe kept on the charges of its PaymentIntents and "
        "post what the ledger lacks (the fix for a 'fee' reconciliation item after a lost Stripe event)."
    )

    def add_arguments(self, parser):
        parser.add_argument("order_refs", nargs="+", metavar="ORDER_REF")

    def handle(self, *args, order_refs, **options):
        for order_ref in order_refs:
            intents = list(
                OrderPaymentReference.objects.filter(order_ref=order_ref).values_list(
                    "psp_reference", flat=True
                )
            )
            if not intents:
                raise CommandError(f"order {order_ref}: no payment is linked to it (is the order posted?)")
            for pi in intents:
                try:
                    found = payment_intent_fee_collect(payment_intent_id=pi)
                except (stripe.StripeError, LedgerError) as exc:
                    raise CommandError(f"order {order_ref}, {pi}: {exc}") from exc
                self.stdout.write(f"{order_ref} {pi}: {'fee recorded' if found else 'no settled charge yet'}")
