"""Celery tasks of the library: mail through the queue so a mail server hiccup never fails the request."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_licence_request(request_id: int, event: str) -> None:
    from resources import emails

    emails.licence_request_event(request_id=request_id, event=event)


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_design_call(selection_id: int, event: str) -> None:
    from resources import emails

    emails.design_call_event(selection_id=selection_id, event=event)


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_design_call_withdrawn(call_id: int) -> None:
    from resources import emails

    emails.design_call_withdrawn(call_id=call_id)
