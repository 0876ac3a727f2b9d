"""Beat job of campaigns: decide those past their deadline, release succeeded ones, refund failed ones."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task


@shared_task
def campaigns_decide_due() -> dict:
    """Every minute (beat `campaigns-decide`); each step is idempotent, so an overlapping run is harmless."""
    from campaigns.services import campaigns_tick

    return campaigns_tick()


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_backer(mail_id: int) -> None:
    """A backer's mail about the campaign's outcome (through the queue: a mail hiccup never fails the job)."""
    from campaigns import emails

    emails.backer_mail_send(mail_id=mail_id)


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_over_limit(refund_id: int) -> None:
    """A buyer's mail: items paid after their reward tier sold out are refunded (once per refund)."""
    from campaigns import emails

    emails.over_limit_mail_send(refund_id=refund_id)


@shared_task
def reservations_expire() -> int:
    """Every minute (beat `campaigns-reservations`): abandoned checkouts' tier items go back (idempotent)."""
    from campaigns.services import reservations_expire as expire

    return expire()
