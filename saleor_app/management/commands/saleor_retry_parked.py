"""Set parked webhook events back to pending (after fixing what parked them) and process them now."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from saleor_app import services


class Command(BaseCommand):
    help = "Retry parked Saleor webhook events, optionally only of one event type."

    def add_arguments(self, parser):
        parser.add_argument("--event-type", default="", help="e.g. order_fully_paid (lower-case)")

    def handle(self, *args, event_type: str = "", **options):
        ids = services.inbox_unpark(event_type=event_type)
        outcomes = [services.inbox_process(event_id=event_id) for event_id in ids]
        for status in sorted(set(outcomes)):
            self.stdout.write(f"{outcomes.count(status)} {status}")
        self.stdout.write(f"{len(ids)} parked event(s) retried")
