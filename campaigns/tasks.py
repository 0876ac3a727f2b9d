"""Beat job of campaigns: decide those past their deadline, release succeeded ones, refund failed ones."""

from __future__ import annotations

from celery import shared_task


@shared_task
def campaigns_decide_due() -> dict:
    """Every minute (beat `campaigns-decide`); each step is idempotent, so an overlapping run is harmless."""
    from campaigns.services import campaigns_tick

    return campaigns_tick()
