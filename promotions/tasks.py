"""Beat job of units' promotions: end in Saleor the sales whose budget is spent."""

from __future__ import annotations

from celery import shared_task


@shared_task
def promotions_budget_enforce() -> list[str]:
    """Every 5 minutes (beat `promotions-budget`); ending twice is harmless (a second run finds it ended)."""
    from promotions.services import promotions_budget_enforce as enforce

    return enforce()
