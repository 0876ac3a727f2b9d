"""Test settings: the only place where Celery runs eagerly."""

from wenchuang.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SALEOR_MAX_RETRIES = 2
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
