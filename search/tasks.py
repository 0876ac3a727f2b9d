"""Beat jobs of search."""

from __future__ import annotations

from celery import shared_task

from search import services


@shared_task
def reindex_stale_units() -> int:
    """Documents of units renamed, deactivated or reactivated since they were written."""
    return services.units_stale_reindex()
