"""python manage.py settlement_run --user EMAIL: propose batches for the last complete period."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core import clock
from payments.error_codes import SettlementError
from payments.settlement.services import settlement_run_closed_period


class Command(BaseCommand):
    help = "Propose settlement batches for the last complete weekly or monthly period (SETTLEMENT_PERIOD)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username of the platform finance user proposing")
        parser.add_argument("--period", choices=["weekly", "monthly"], default=None)
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today)"
        )

    def handle(self, *args, user, period, today, **options):
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"no user {user}")
        try:
            start, end, batches = settlement_run_closed_period(
                actor=actor, today=today or clock.today(), kind=period
            )
        except SettlementError as exc:
            raise CommandError(str(exc)) from exc
        for batch in batches:
            self.stdout.write(f"{batch.pk}\t{batch.party}\t{batch.amount}\t{batch.status}\t{batch.method}")
        self.stdout.write(f"{len(batches)} batches for {start} .. {end}")
