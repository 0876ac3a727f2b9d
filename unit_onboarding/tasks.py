"""Celery tasks of unit onboarding: thin wrappers over services (imported inside: services enqueue tasks)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task


@shared_task(acks_late=True)
def provision_unit(unit_id: int) -> str:
    """Provision one unit; failures are recorded on the unit and retried by provision_due_units."""
    from unit_onboarding import provisioning

    return provisioning.unit_provision(unit_id=unit_id).provisioning


@shared_task
def provision_due_units() -> int:
    """Beat job: failed provisionings retry with backoff; lost enqueues are picked up."""
    from unit_onboarding import provisioning

    ids = provisioning.units_due_for_provisioning()
    for unit_id in ids:
        provision_unit.delay(unit_id)
    return len(ids)


# Mail goes through the queue so a mail server hiccup never fails the request that caused it.
@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_application_status(transition_id: int) -> None:
    from unit_onboarding import emails

    emails.application_status_changed(transition_id=transition_id)


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_invitation(invitation_id: int) -> None:
    from unit_onboarding import emails

    emails.invitation_sent(invitation_id=invitation_id)


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_signup_link(email: str, token: str, exists: bool, language: str) -> None:
    from unit_onboarding import emails

    emails.signup_link(email=email, token=token, exists=exists, language=language)


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_payee_change(change_id: int, event: str, language: str) -> None:
    from unit_onboarding import emails

    emails.payee_change_announced(change_id=change_id, event=event, language=language)


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def mail_designer_claim(claim_id: int) -> None:
    from unit_onboarding import emails

    emails.designer_claim_sent(claim_id=claim_id)
