"""Celery tasks of unit onboarding: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from unit_onboarding import provisioning


@shared_task(acks_late=True)
def provision_unit(unit_id: int) -> str:
    """Provision one unit; failures are recorded on the unit and retried by provision_due_units."""
    return provisioning.unit_provision(unit_id=unit_id).provisioning


@shared_task
def provision_due_units() -> int:
    """Beat job: failed provisionings retry with backoff; lost enqueues are picked up."""
    ids = provisioning.units_due_for_provisioning()
    for unit_id in ids:
        provision_unit.delay(unit_id)
    return len(ids)
