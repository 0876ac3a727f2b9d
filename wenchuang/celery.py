"""Celery application: broker and settings come from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenchuang.settings")

app = Celery("wenchuang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules inside sub-packages of an app are not found by the default discovery.
app.autodiscover_tasks(["payments.gateway", "payments.settlement"])
