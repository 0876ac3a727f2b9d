"""Test settings: the only place where Celery runs eagerly."""

import os

from wenchuang.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SALEOR_MAX_RETRIES = 2
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# A queue of this test run's own: a dev worker on the same Redis never steals test tasks.
CELERY_TASK_DEFAULT_QUEUE = f"wenchuang-test-{os.getpid()}"
CELERY_IMAGES_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-images"
CELERY_TASK_ROUTES = {"catalog.tasks.process_image_asset": {"queue": CELERY_IMAGES_QUEUE}}
# This run's own cache keys: parallel runs and a dev server on the same Redis never see them.
CACHES["default"]["KEY_PREFIX"] = f"wc-test-{os.getpid()}"  # noqa: F405
# A read replica as tests see one: the same database through a second connection (search reads from it
# when SEARCH_READ_DATABASE says so; tests that use it are transactional, so it sees committed rows).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
