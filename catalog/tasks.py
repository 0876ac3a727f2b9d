"""Celery tasks of the catalog: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from catalog import services

PROCESS_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=PROCESS_RETRIES)
def process_image_asset(self, asset_id: int) -> str:
    """Decode and derive an uploaded image; storage or database trouble is retried, then recorded."""
    try:
        return services.image_asset_process(asset_id=asset_id)
    except Exception as exc:
        if self.request.retries >= PROCESS_RETRIES:
            services.image_asset_fail(asset_id=asset_id, reason=f"{type(exc).__name__}: {exc}")
            return "failed"
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 2)) from exc
