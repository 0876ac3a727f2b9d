"""Image decoding (up to 760 MB for 50 MP) has a queue of its own; every other task stays on the default."""

from __future__ import annotations

from django.conf import settings

from wenchuang.celery import app


def queue_of(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


def test_the_image_task_goes_to_the_images_queue_and_the_others_to_the_default_one():
    assert queue_of("catalog.tasks.process_image_asset") == settings.CELERY_IMAGES_QUEUE
    assert settings.CELERY_IMAGES_QUEUE != settings.CELERY_TASK_DEFAULT_QUEUE
    for task in ("catalog.tasks.sync_listing", "saleor_app.tasks.inbox_redeliver_stale"):
        assert queue_of(task) == settings.CELERY_TASK_DEFAULT_QUEUE


def test_every_beat_job_names_a_task_the_worker_knows():
    app.loader.import_default_modules()  # the apps' tasks modules, as a worker imports them
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled - set(app.tasks) == set()
    assert {
        "saleor_app.tasks.inbox_redact_expired",
        "payments.gateway.tasks.stripe_events_redact_expired",
    } <= (scheduled)
