"""python manage.py stripe_balance_import [--file export.csv]: store Stripe balance transactions."""

import csv

from django.core.management.base import BaseCommand, CommandError

from payments.error_codes import SettlementError
from payments.reconciliation.services import balance_transactions_fetch, balance_transactions_import


class Command(BaseCommand):
    help = (
        "Import Stripe balance transactions from the Stripe API (STRIPE_API_BASE) or from a CSV file with "
        "columns id,type,source,amount,fee,net,currency,created,order_ref (created: unix time or ISO 8601)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=None)

    def handle(self, *args, file, **options):
        try:
            if file:
                with open(file, newline="", encoding="utf-8-sig") as handle:
                    new = balance_transactions_import(rows=csv.DictReader(handle))
            else:
                new = balance_transactions_import(rows=balance_transactions_fetch())
        except (OSError, SettlementError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{new} new balance transactions")
