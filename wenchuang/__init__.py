"""Wenchuang Marketplace: a Saleor App for cultural and creative products."""

from wenchuang.celery import app as celery_app

__all__ = ["celery_app"]
