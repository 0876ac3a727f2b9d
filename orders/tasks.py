"""Celery tasks of orders: thin wrappers over services (imported inside: services enqueue tasks)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task


# Mail goes through the queue so a mail server hiccup never fails the shipping action that caused it.
@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_shipment(mail_id: int) -> None:
    from orders import emails

    emails.shipment_mail_send(mail_id=mail_id)


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_new_order(mail_id: int) -> None:
    from orders import emails

    emails.new_order_mail_send(mail_id=mail_id)


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_parcel_refund(refund_id: int) -> None:
    from orders import emails

    emails.parcel_refund_mail_send(refund_id=refund_id)
