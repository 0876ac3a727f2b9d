"""Django settings: every value comes from the environment through wenchuang.env.Env."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab

from wenchuang.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent
APP_ENV = os.environ.get("APP_ENV", "development")
if APP_ENV not in {"development", "production"}:
    raise SystemExit(f"APP_ENV must be 'development' or 'production', not {APP_ENV!r}")
PRODUCTION = APP_ENV == "production"
env = Env(production=PRODUCTION)

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str("SECRET_KEY", dev_default="dev-only-insecure-secret-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", dev_default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "wenchuang.errors.csrf_failure"  # says what to do, in the reader's language
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / ".data")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "graphene_django",  # GraphiQL templates of the finance API
    "django_otp",  # the second factor (TOTP) of staff who touch money, review or curate, and of /admin/
    "django_otp.plugins.otp_totp",
    "accounts",
    "wenchuang",
    "saleor_app",
    "unit_onboarding",
    "catalog",
    "orders",
    "payments",
    "search",
    "resources",  # the public cultural-resource library
    "office",  # the back office shell and unit dashboards
    "campaigns",  # crowdfunded pre-sales: campaigns, held income, release and refunds
    "promotions",  # units' own sales and vouchers, approved by their finance, funded by the unit
    "shipping",
    "storefront",
]
# graphene-django adds its debug middleware when DEBUG is on: it swaps every database connection's cursor
# for a recording one per request (and can leave it swapped); the finance API reports no SQL.
GRAPHENE = {"MIDDLEWARE": []}
# Where the views marked core.machine_endpoints.machine_endpoint live (a test keeps the two in step).
MACHINE_ENDPOINT_PREFIXES = [
    "/saleor/",
    "/payments/gateway/saleor/",
    "/payments/gateway/stripe/",
    "/shipping/saleor/",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Saleor's and Stripe's deliveries skip everything below (core/machine_endpoints.py).
    "core.machine_endpoints.MachineEndpointMiddleware",
    # Content-Security-Policy on every response (SECURE_CSP below); Django 5.2 has none of its own.
    "core.csp.ContentSecurityPolicyMiddleware",
    # Serves fingerprinted static files with far-future cache headers (no separate web server needed).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # LocaleMiddleware that pins only the storefront's unprefixed pages to Chinese (English: /en/...).
    "storefront.middleware.SiteLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Back-office views need a verified second factor where the user's role requires one (accounts/).
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Saleor down or refusing: the storefront answers a friendly 503 page with a retry link.
    "storefront.middleware.SaleorUnavailableMiddleware",
]

ROOT_URLCONF = "wenchuang.urls"
WSGI_APPLICATION = "wenchuang.wsgi.application"
ASGI_APPLICATION = "wenchuang.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "payments.gateway.context_processors.stripe_mode",
                "payments.settlement.context_processors.finance_nav",
                "storefront.context_processors.storefront",
            ],
        },
    },
]

# Database: DATABASE_URL, else (outside production) the embedded server under DATA_DIR.
DATABASE_URL = env.str("DATABASE_URL", dev_default="")
if DATABASE_URL:
    # Persistent connections without a per-request health check (it costs a SELECT 1 round trip on every
    # request); a connection broken by a database restart fails one request, which Saleor/Celery retry.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=False)}
elif not PRODUCTION:
    from wenchuang.embedded_postgres import database_settings

    DATABASES = {"default": database_settings(DATA_DIR / "postgres")}
else:
    DATABASES = {}
# A read replica (streaming replication of the primary): storefront search reads from it, writes stay on
# the primary. SEARCH_READ_DATABASE names the alias search reads through ("default" without a replica).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=False
    )
SEARCH_READ_DATABASE = env.str(
    "SEARCH_READ_DATABASE", default="replica" if DATABASE_REPLICA_URL else "default"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "static")))
if not PRODUCTION:
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # beat's schedule and media live here
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
# Originals, unit documents and other private files: never under MEDIA_ROOT, never served by URL.
DOCUMENTS_ROOT = Path(env.str("DOCUMENTS_ROOT", default=str(DATA_DIR / "private-documents")))
# Private documents are readable only through links that expire after this many seconds.
DOCUMENT_LINK_SECONDS = env.int("DOCUMENT_LINK_SECONDS", default=300)
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(DATA_DIR / "private")))

# Object storage: S3 (or an S3-compatible service) when a bucket is named, the filesystem otherwise.
# "default" holds public files (image derivatives, under media/), "private" holds originals (under
# private/, reachable by short presigned URLs only): a bucket policy may make media/* public, never private/*.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_PRIVATE_BUCKET_NAME = env.str("AWS_PRIVATE_BUCKET_NAME", default=AWS_STORAGE_BUCKET_NAME)
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None
AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default="") or None
# Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role), read by boto3 itself.
if AWS_STORAGE_BUCKET_NAME:
    _S3_COMMON = {
        "endpoint_url": AWS_S3_ENDPOINT_URL,
        "region_name": AWS_S3_REGION_NAME,
        "addressing_style": AWS_S3_ADDRESSING_STYLE,
        "signature_version": "s3v4",
        "file_overwrite": False,
    }
    PUBLIC_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_S3_COMMON,
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "location": "media",
            "custom_domain": AWS_S3_CUSTOM_DOMAIN,
            "querystring_auth": False,
            # Derivative names carry their content hash, so they never change once written.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_S3_COMMON,
            "bucket_name": AWS_PRIVATE_BUCKET_NAME,
            "location": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
    DOCUMENTS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **PRIVATE_STORAGE["OPTIONS"],
            "location": "private/documents",
            "default_acl": "private",
            "querystring_expire": DOCUMENT_LINK_SECONDS,
        },
    }
else:
    PUBLIC_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
    PRIVATE_STORAGE = {
        "BACKEND": "wenchuang.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    }
    DOCUMENTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DOCUMENTS_ROOT), "base_url": None},
    }
STATIC_FINGERPRINTS = env.bool("STATIC_FINGERPRINTS", default=PRODUCTION)
# Without collected (fingerprinted) files, WhiteNoise serves straight from the apps' static/ folders.
WHITENOISE_USE_FINDERS = not STATIC_FINGERPRINTS
STORAGES = {
    "default": PUBLIC_STORAGE,
    "private": PRIVATE_STORAGE,
    "documents": DOCUMENTS_STORAGE,
    # Fingerprinted names (name.<hash>.css) need `collectstatic`; development serves the plain files.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_FINGERPRINTS
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Redis serves Celery's broker; the worker runs the webhook inbox.
REDIS_URL = env.str("REDIS_URL", dev_default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Django's cache (storefront catalog data, invalidated by product webhooks) lives in Redis too.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="wc"),
    }
}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Decoding an image takes 250-760 MB for 50 MP: those tasks have a queue of their own, consumed by a
# worker with concurrency 1 (manage.py dev and docker-compose's worker-images).
CELERY_IMAGES_QUEUE = env.str("CELERY_IMAGES_QUEUE", default="images")
CELERY_TASK_ROUTES = {"catalog.tasks.process_image_asset": {"queue": CELERY_IMAGES_QUEUE}}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat keeps its schedule and heartbeat (read by its health check, `python -m wenchuang.beat`) under
# DATA_DIR: never in the app directory, which the image's user cannot write.
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULER = "wenchuang.beat:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 30  # seconds: beat ticks, and so beats, at least this often
CELERY_BEAT_SCHEDULE = {
    "saleor-inbox-redeliver": {"task": "saleor_app.tasks.inbox_redeliver_stale", "schedule": 60.0},
    "stripe-events-redeliver": {"task": "payments.gateway.tasks.stripe_events_redeliver", "schedule": 60.0},
    "unit-provisioning-retry": {"task": "unit_onboarding.tasks.provision_due_units", "schedule": 60.0},
    "catalog-sync-retry": {"task": "catalog.tasks.sync_due_listings", "schedule": 120.0},
    "catalog-licence-expiry": {"task": "catalog.tasks.unpublish_expired_licences", "schedule": 3600.0},
    "search-stale-units": {"task": "search.tasks.reindex_stale_units", "schedule": 60.0},
    # daily at 01:30 UTC: batches of the period that just closed (proposed only; people approve and pay)
    "settlement-run": {
        "task": "payments.settlement.tasks.settlement_run_scheduled",
        "schedule": crontab(hour=1, minute=30),
    },
    # daily: webhook bodies holding personal data are redacted WEBHOOK_RETENTION_DAYS after receipt
    "saleor-webhook-retention": {
        "task": "saleor_app.tasks.inbox_redact_expired",
        "schedule": crontab(hour=2, minute=40),
    },
    # campaigns past their end are decided (succeeded / failed), shipped tiers released, refunds retried
    "campaigns-decide": {"task": "campaigns.tasks.campaigns_decide_due", "schedule": 60.0},
    # tier items of checkouts abandoned after going to pay go back to their tier
    "campaigns-reservations": {"task": "campaigns.tasks.reservations_expire", "schedule": 60.0},
    # units' sales whose recorded order-line discounts reached their budget cap are ended in Saleor
    "promotions-budget": {"task": "promotions.tasks.promotions_budget_enforce", "schedule": 300.0},
    "stripe-event-retention": {
        "task": "payments.gateway.tasks.stripe_events_redact_expired",
        "schedule": crontab(hour=2, minute=50),
    },
}

# This service as Saleor sees it: manifest, registration and webhook target URLs derive from it.
APP_PUBLIC_URL = env.str("APP_PUBLIC_URL", dev_default="http://127.0.0.1:8080").rstrip("/")
SALEOR_APP_IDENTIFIER = env.str("SALEOR_APP_IDENTIFIER", default="cn.wenchuang.marketplace")
SALEOR_API_URL = env.str("SALEOR_API_URL", default="")
# Registration is accepted only from these Saleor API URLs (exact match after normalising the slash).
SALEOR_ALLOWED_API_URLS = env.list(
    "SALEOR_ALLOWED_API_URLS",
    dev_default=[
        u for u in [SALEOR_API_URL, "http://127.0.0.1:8000/graphql/", "http://localhost:8000/graphql/"] if u
    ],
)
SALEOR_CONNECT_TIMEOUT = env.float("SALEOR_CONNECT_TIMEOUT", default=3.0)
SALEOR_READ_TIMEOUT = env.float("SALEOR_READ_TIMEOUT", default=15.0)
SALEOR_MAX_RETRIES = env.int("SALEOR_MAX_RETRIES", default=2)
SALEOR_JWKS_MIN_REFRESH_SECONDS = env.int("SALEOR_JWKS_MIN_REFRESH_SECONDS", default=30)
# Origins of the Saleor Dashboards that show this app's pages (its extensions) in a frame; none: no framing.
SALEOR_DASHBOARD_ORIGINS = env.list("SALEOR_DASHBOARD_ORIGINS", default=[])
# Days a processed webhook's body (Saleor's orders: buyers' names, addresses, e-mails, phones; Stripe's
# charges: billing details) is kept before the beat jobs redact it; keys, types, statuses and times stay.
WEBHOOK_RETENTION_DAYS = env.int("WEBHOOK_RETENTION_DAYS", default=90)
if WEBHOOK_RETENTION_DAYS < 1:
    raise SystemExit(f"WEBHOOK_RETENTION_DAYS must be at least 1, not {WEBHOOK_RETENTION_DAYS}")


def _dev_encryption_key(secret: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(f"field-encryption:{secret}".encode()).digest()).decode()


# Fernet keys for secrets at rest (first encrypts, all decrypt: rotate by prepending a new key).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", dev_default=[_dev_encryption_key(SECRET_KEY)])

# Stripe, as the payment provider behind this app's Saleor payment gateway (payments.gateway).
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", dev_default="sk_test_localstripe")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", dev_default="pk_test_localstripe")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", dev_default="whsec_dev_localstripe")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # empty = Stripe itself; localstripe in dev/tests
# Saleor waits 18 s for a sync webhook: 3 attempts of 4 s plus Stripe's back-off (0.5-3 s) fit inside it.
STRIPE_TIMEOUT = env.float("STRIPE_TIMEOUT", default=4.0)  # seconds per attempt
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)  # seconds of clock skew accepted
# Payment sync webhooks older than this (by their signed issuedAt) are refused as replays; Saleor's own
# redeliveries of *_REQUESTED events end after about 5 minutes.
SALEOR_SYNC_WEBHOOK_MAX_AGE = env.int("SALEOR_SYNC_WEBHOOK_MAX_AGE", default=900)
# Payment methods offered per Saleor channel: "slug=card|alipay|wechat_pay; other-slug=card".
STRIPE_DEFAULT_PAYMENT_METHODS = env.list("STRIPE_DEFAULT_PAYMENT_METHODS", default=["card"])
STRIPE_CHANNEL_PAYMENT_METHODS = env.str("STRIPE_CHANNEL_PAYMENT_METHODS", default="")
# Country of the Stripe Connect (Express) accounts created for operating entities paid through Stripe.
STRIPE_CONNECT_COUNTRY = env.str("STRIPE_CONNECT_COUNTRY", default="HK")
LOGIN_URL = "unit_onboarding:login"
LOGIN_REDIRECT_URL = "office:home"  # unit staff land on their dashboard; others on onboarding

# Sign-in safety (accounts/). Proxies whose X-Forwarded-For is believed, as IPs or CIDRs: behind a
# reverse proxy name it here, or every client looks like the proxy (and shares its throttle bucket).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# Failed sign-ins (staff and buyers counted apart) within the window that lock an account or a client
# address, and for how long; both read the business clock.
LOGIN_THROTTLE_ACCOUNT_FAILURES = env.int("LOGIN_THROTTLE_ACCOUNT_FAILURES", default=5)
LOGIN_THROTTLE_ADDRESS_FAILURES = env.int("LOGIN_THROTTLE_ADDRESS_FAILURES", default=20)
LOGIN_THROTTLE_WINDOW_SECONDS = env.int("LOGIN_THROTTLE_WINDOW_SECONDS", default=900)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
# Who must sign in with a second factor (TOTP): platform finance, reviewers, curators, unit finance, staff.
SECOND_FACTOR_POLICY = "unit_onboarding.permissions.second_factor_required"
SECOND_FACTOR_SETUP_URL = "unit_onboarding:two_factor_setup"
SECOND_FACTOR_VERIFY_URL = "unit_onboarding:two_factor_verify"
# The public site under i18n_patterns (shop, library): unprefixed pages are Chinese whatever the browser asks.
SITE_LOCALE_NAMESPACES = ["storefront", "library"]
# Views outside the back office (the shop, the payment pages, probes); "ns:" means a namespace. Saleor's and
# Stripe's calls never reach the second-factor middleware (core.machine_endpoints).
SECOND_FACTOR_PUBLIC_VIEWS = [
    "storefront:",
    "library:",
    "payments_gateway:",
    "healthz",
    "readyz",
    "media",
]
OTP_TOTP_ISSUER = "Wenchuang Marketplace"
# Links mailed to invitees and to people signing up stay valid this long (by the business clock).
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
SIGNUP_LINK_HOURS = env.int("SIGNUP_LINK_HOURS", default=24)
# Settlement: days a paid line is held back (the return window) and the default batch period.
SETTLEMENT_RETURN_WINDOW_DAYS = env.int("SETTLEMENT_RETURN_WINDOW_DAYS", default=7)
SETTLEMENT_PERIOD = env.str("SETTLEMENT_PERIOD", default="monthly")  # weekly or monthly
SETTLEMENT_CURRENCY = env.str("SETTLEMENT_CURRENCY", default="CNY")
# A statement's order lines export with more postings than this in its period is built by the worker (with a
# progress page), never inside the request (a PDF costs about 3 s of CPU per 1,000 lines).
STATEMENT_EXPORT_INLINE_LINES = env.int("STATEMENT_EXPORT_INLINE_LINES", default=1000)
# The part (bps) of a succeeded campaign's held income released to its parties at success; the rest is
# released line by line once the backer's parcel has shipped.
CAMPAIGN_RELEASE_AT_SUCCESS_BPS = env.int("CAMPAIGN_RELEASE_AT_SUCCESS_BPS", default=5000)
if not 0 <= CAMPAIGN_RELEASE_AT_SUCCESS_BPS <= 10_000:
    raise SystemExit("CAMPAIGN_RELEASE_AT_SUCCESS_BPS must be between 0 and 10000")
# Minutes a checkout keeps the campaign tier items it took when it went to pay; abandoned (no payment under
# way or done), they go back to the tier (beat `campaigns-reservations`).
CAMPAIGN_RESERVATION_MINUTES = env.int("CAMPAIGN_RESERVATION_MINUTES", default=30)
if CAMPAIGN_RESERVATION_MINUTES < 1:
    raise SystemExit("CAMPAIGN_RESERVATION_MINUTES must be at least 1")
# Username of the platform finance account the daily beat job proposes batches as; empty = job off.
SETTLEMENT_SCHEDULE_USER = env.str("SETTLEMENT_SCHEDULE_USER", default="")
# Platform policy: the least share (basis points) a new agreement version may give the platform.
PLATFORM_SHARE_MIN_BPS = env.int("PLATFORM_SHARE_MIN_BPS", default=500)
# Sales channel new unit warehouses are attached to.
SALEOR_CHANNEL_SLUG = env.str("SALEOR_CHANNEL_SLUG", default="default-channel")

# Storefront: catalog data is cached this long at most (webhooks invalidate it sooner).
STOREFRONT_CACHE_SECONDS = env.int("STOREFRONT_CACHE_SECONDS", default=3600)
# Guest order links (signed) stay valid this many days.
STOREFRONT_ORDER_LINK_DAYS = env.int("STOREFRONT_ORDER_LINK_DAYS", default=90)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# SMTP server of the smtp backend (docker compose: mailpit, whose inbox is http://localhost:8025).
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Wenchuang Marketplace <noreply@wenchuang.example>"
)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
    },
}

# HTTPS (production: `manage.py check --deploy` passes with the defaults). Behind a TLS-terminating proxy,
# the request counts as secure when the proxy's header says https; the proxy must set (overwrite) it.
# "none": no proxy (then no client header can make a plain request count as secure).
_PROXY_SSL_HEADER = env.str("SECURE_PROXY_SSL_HEADER", default="X-Forwarded-Proto" if PRODUCTION else "none")
if _PROXY_SSL_HEADER.lower() != "none":
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# Probes reach the container directly over plain HTTP: they are answered, never redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = PRODUCTION


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# Content-Security-Policy (core.csp): scripts and styles come only from this service's static files; the
# payment page adds Stripe.js's origins itself. Images may also come from Saleor (product thumbnails) and
# the public bucket or its CDN: CSP_IMG_SOURCES, by default derived from SALEOR_API_URL and AWS_S3_*.
_S3_PUBLIC = [
    f"https://{AWS_S3_CUSTOM_DOMAIN}" if AWS_S3_CUSTOM_DOMAIN else "",
    _origin(AWS_S3_ENDPOINT_URL or ""),
    f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com" if AWS_STORAGE_BUCKET_NAME else "",
    f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com"
    if AWS_STORAGE_BUCKET_NAME and AWS_S3_REGION_NAME
    else "",
]
CSP_IMG_SOURCES = env.list(
    "CSP_IMG_SOURCES", default=[o for o in [_origin(SALEOR_API_URL), *_S3_PUBLIC] if o]
)
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", *CSP_IMG_SOURCES],
    "connect-src": ["'self'"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    # Only the Saleor Dashboard may frame these pages (its app extensions), and only when configured.
    "frame-ancestors": ["'self'", *SALEOR_DASHBOARD_ORIGINS] if SALEOR_DASHBOARD_ORIGINS else ["'none'"],
}
if SALEOR_DASHBOARD_ORIGINS:
    # X-Frame-Options cannot name an origin; the CSP's frame-ancestors above says who may frame instead.
    MIDDLEWARE.remove("django.middleware.clickjacking.XFrameOptionsMiddleware")

env.check()
