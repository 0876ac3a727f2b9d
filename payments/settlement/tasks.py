"""Celery tasks of settlement: thin wrappers over services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from core import clock
from payments.error_codes import SettlementError
from payments.settlement import selectors

logger = logging.getLogger(__name__)


@shared_task
def settlement_run_scheduled() -> str:
    """Beat job: propose the batches of the period that just closed; people approve and execute them.

    Runs daily: proposing is idempotent (a party's batch for a period exists once), and a party whose
    previous batch was still open on an earlier day gets its batch once that one is executed.
    """
    if not settings.SETTLEMENT_SCHEDULE_USER:
        logger.warning("scheduled settlement is off: SETTLEMENT_SCHEDULE_USER is not set")
        return "off: SETTLEMENT_SCHEDULE_USER is not set"
    from payments.settlement.services import settlement_run_closed_period

    actor = selectors.schedule_user(settings.SETTLEMENT_SCHEDULE_USER)
    start, end, batches = settlement_run_closed_period(actor=actor, today=clock.today())
    proposed = sum(1 for b in batches if b.status == b.Status.PROPOSED)
    return f"{len(batches)} batches for {start} .. {end}, {proposed} awaiting approval"


@shared_task
def settlement_execute_job(batch_id: int, actor_id: int) -> str:
    """Execute one batch in the worker (asked for on its page); a refusal is kept on the batch."""
    from django.contrib.auth import get_user_model

    from payments.settlement.services import settlement_execute_job as execute

    actor = get_user_model().objects.get(pk=actor_id)
    try:
        batch = execute(batch_id=batch_id, actor=actor)
    except SettlementError as exc:
        logger.warning("settlement batch %s stopped: %s", batch_id, exc)
        return f"stopped: {exc.code}"
    return batch.status


@shared_task(acks_late=True)
def statement_export_job(export_id: int) -> str:
    """Build a big statement export (asked for on the statement page). A run that fails is kept as stopped
    on the export, whose page offers to run it again (not retried here: two runs of one never overlap)."""
    from payments.settlement.statement_exports import statement_export_run

    try:
        return statement_export_run(export_id=export_id)
    except Exception:
        logger.exception("statement export %s stopped", export_id)
        return "stopped"
