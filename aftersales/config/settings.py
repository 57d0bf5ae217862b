"""Settings for every deployment. Environment variables drive every difference (.env.example)."""

from __future__ import annotations

from pathlib import Path

from aftersales.config.env import database_from_url, env_bool, env_int, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("AFTERSALES_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("AFTERSALES_DEBUG", False)
SECRET_KEY = env_secret("AFTERSALES_SECRET_KEY", "insecure-development-key-change-me")
ALLOWED_HOSTS = env_str("AFTERSALES_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in env_str("AFTERSALES_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "huey.contrib.djhuey",
    "aftersales.core",
    "aftersales.calendars",
    "aftersales.customers",
    "aftersales.accounts",
    "aftersales.assets",
    "aftersales.contracts",
    "aftersales.notifications",
    "aftersales.emergencies",
    "aftersales.cases",
    "aftersales.roster",
    "aftersales.training",
    "aftersales.workorders",
    "aftersales.parts",
    "aftersales.dispatch",
    "aftersales.loans",
    "aftersales.returns",
    "aftersales.inspections",
    "aftersales.special_periods",
    "aftersales.maintenance",
    "aftersales.knowledge",
    "aftersales.surveys",
    "aftersales.complaints",
    "aftersales.commitments",
    "aftersales.reports",
    "aftersales.webhooks",
    "aftersales.mail",
    "aftersales.chat",
    "aftersales.operations",
    "aftersales.console",
    "aftersales.portal",
    "aftersales.demo",
]

MIDDLEWARE = [
    "aftersales.operations.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "aftersales.core.security.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "aftersales.accounts.middleware.UserTimeZoneMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "aftersales.core.security.ContentSecurityPolicyMiddleware",
    "aftersales.core.security.NotFoundPagesMiddleware",
]

ROOT_URLCONF = "aftersales.config.urls"
WSGI_APPLICATION = "aftersales.config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "aftersales.core.navigation.menu",
            ],
        },
    },
]

# "full": every commit is on disk before it is acknowledged (SQLite synchronous=FULL,
# PostgreSQL synchronous_commit=on). "normal": a crash of the process loses nothing; a power
# failure may lose the last commits, never corrupts (SQLite WAL synchronous=NORMAL,
# PostgreSQL synchronous_commit=off).
DURABILITY = env_str("AFTERSALES_DURABILITY", "full")
# How long a web process trusts a bearer token it has checked (see accounts.services).
AFTERSALES_TOKEN_CACHE_SECONDS = env_int("AFTERSALES_TOKEN_CACHE_SECONDS", 10)
DATABASE_URL = env_secret("DATABASE_URL", "sqlite:///var/aftersales.sqlite3")
DATABASES = {"default": database_from_url(DATABASE_URL, BASE_DIR, DURABILITY)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["aftersales.accounts.backends.CachedModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/admin/login/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "aftersales" / "locale"]
TIME_ZONE = env_str("AFTERSALES_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

LOGIN_URL = "accounts:sign_in"
LOGOUT_REDIRECT_URL = "accounts:sign_in"
# Sessions are stored in the database and remembered by each web process (its local memory
# cache), so a page costs no session query once the process has seen the session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Behind TLS in production: AFTERSALES_HTTPS=1 marks cookies secure and turns on HSTS/redirects.
HTTPS = env_bool("AFTERSALES_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# Attachments of cases (images and PDF): the largest accepted file.
ATTACHMENT_MAX_BYTES = env_int("AFTERSALES_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# How long a satisfaction survey's one-time link stays valid (days).
AFTERSALES_SURVEY_LINK_DAYS = env_int("AFTERSALES_SURVEY_LINK_DAYS", 14)
# Training materials include videos: a limit of their own.
TRAINING_MATERIAL_MAX_BYTES = env_int("AFTERSALES_TRAINING_MATERIAL_MAX_BYTES", 200 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = env_str("AFTERSALES_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("AFTERSALES_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("AFTERSALES_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("AFTERSALES_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("AFTERSALES_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("AFTERSALES_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("AFTERSALES_DEFAULT_FROM_EMAIL", "service@aftersales.invalid")
# The address people outside reach the product at: links in e-mails (the owner's one-time
# signing link) start with it.
AFTERSALES_PUBLIC_URL = env_str("AFTERSALES_PUBLIC_URL",
                                f"http://{env_str('HOST', '127.0.0.1')}:{env_str('PORT', '8000')}")

# Background work: Huey. The embedded default keeps its queue in a SQLite file (no server);
# production points it at Redis (AFTERSALES_TASK_BACKEND=redis) and runs many workers.
TASK_BACKEND = env_str("AFTERSALES_TASK_BACKEND", "sqlite")
_huey_common = {
    "name": "aftersales",
    "immediate": env_bool("AFTERSALES_TASKS_IMMEDIATE", False),
    "utc": True,
    # A worker killed with -9 leaves its task locks behind and SQLite/Redis locks never expire:
    # a starting worker clears them, or the sweep would never run again. Overlap is harmless:
    # every locked task is safe to run twice (row locks, SKIP LOCKED, unique keys).
    "consumer": {"workers": env_int("AFTERSALES_TASK_WORKERS", 2), "worker_type": "thread", "flush_locks": True},
}
if TASK_BACKEND == "redis":
    HUEY = {
        **_huey_common,
        "huey_class": "huey.RedisHuey",
        "url": env_secret("AFTERSALES_REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
elif TASK_BACKEND == "sqlite":
    HUEY = {
        **_huey_common,
        "huey_class": "huey.SqliteHuey",
        "filename": str(VAR_DIR / "tasks.sqlite3"),
    }
else:
    raise ValueError("AFTERSALES_TASK_BACKEND must be 'sqlite' or 'redis'")

# SLA sweep cadence is one minute (a crontab); warnings fire this long before a deadline
# at the latest, on top of the policy's percentage.
OUTBOX_MAX_ATTEMPTS = env_int("AFTERSALES_OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_LEASE_SECONDS = env_int("AFTERSALES_OUTBOX_LEASE_SECONDS", 120)  # a claimed message waits this long before another worker may retry it

# --- webhooks (issue #7): only the webhooks work edits this block ---
# Webhook targets on internal, loopback, private or link-local addresses are refused unless an
# administrator allows them per subscription, or here for every subscription.
AFTERSALES_WEBHOOK_ALLOW_INTERNAL = env_bool("AFTERSALES_WEBHOOK_ALLOW_INTERNAL", False)
# Seconds to connect, and to wait for each read, of one delivery attempt.
AFTERSALES_WEBHOOK_TIMEOUT_SECONDS = env_int("AFTERSALES_WEBHOOK_TIMEOUT_SECONDS", 10)
# Attempts before a delivery is given up (backoff doubles from the first delay, up to 6 hours).
AFTERSALES_WEBHOOK_MAX_ATTEMPTS = env_int("AFTERSALES_WEBHOOK_MAX_ATTEMPTS", 10)
AFTERSALES_WEBHOOK_RETRY_SECONDS = env_int("AFTERSALES_WEBHOOK_RETRY_SECONDS", 30)
# How long a process trusts its list of active subscriptions (changes in the same process take
# effect at once, in others within this time).
AFTERSALES_WEBHOOK_CACHE_SECONDS = env_int("AFTERSALES_WEBHOOK_CACHE_SECONDS", 5)
# --- end webhooks ---

# --- mail (issue #7): only the mail work edits this block ---
# Mail intake (aftersales.mail): mailboxes are rows (console/admin); their IMAP passwords are
# read from the environment variable each mailbox names, never stored in the database.
# The staff account that files cases and records replies coming in by e-mail (created on first
# use, inactive and without a password: nobody signs in as it).
MAIL_SYSTEM_USERNAME = env_str("AFTERSALES_MAIL_SYSTEM_USERNAME", "mail-intake")
# Our outgoing Message-IDs are <...@this domain>: replies to them thread back into the case.
MAIL_MESSAGE_ID_DOMAIN = env_str("AFTERSALES_MAIL_MESSAGE_ID_DOMAIN", "aftersales.invalid")
# A message larger than this is kept with its headers only (noted, no case text or files).
MAIL_MAX_MESSAGE_BYTES = env_int("AFTERSALES_MAIL_MAX_MESSAGE_BYTES", 25 * 1024 * 1024)
# At most this many attachments of one message are kept (each as a case attachment, so
# ATTACHMENT_MAX_BYTES and its types apply).
MAIL_MAX_ATTACHMENTS = env_int("AFTERSALES_MAIL_MAX_ATTACHMENTS", 10)
# Messages fetched from one mailbox per poll; the rest wait for the next minute.
MAIL_POLL_BATCH = env_int("AFTERSALES_MAIL_POLL_BATCH", 50)
# The case's contact hears by mail when we wait for them, the fault is fixed, the case is closed
# or reopened (in their language, in the case's thread).
MAIL_STATUS_NOTIFICATIONS = env_bool("AFTERSALES_MAIL_STATUS_NOTIFICATIONS", True)
MAIL_IMAP_TIMEOUT = env_int("AFTERSALES_MAIL_IMAP_TIMEOUT", 30)
# --- end mail ---

# --- chat (issue #7): only the chat work edits this block ---
# Chat (在线客服) works by polling, no websockets (docs/decisions/0017-chat-polling.md): the
# portal and the console ask for new messages every this many seconds.
CHAT_POLL_SECONDS = env_int("AFTERSALES_CHAT_POLL_SECONDS", 3)
# Longest message, in characters (a longer one is refused naming `body`).
CHAT_MAX_BODY = env_int("AFTERSALES_CHAT_MAX_BODY", 2000)
# An open chat with no message for this long is ended by the worker (the customer went away).
CHAT_IDLE_MINUTES = env_int("AFTERSALES_CHAT_IDLE_MINUTES", 30)
# --- end chat ---

# --- operations (issue #7): only the operations work edits this block ---
# /metrics answers a scraper on these networks (not via a proxy: see operations/access.py), or
# anyone presenting AFTERSALES_METRICS_TOKEN as a bearer token; everyone else gets 403.
AFTERSALES_METRICS_ALLOWED_NETWORKS = env_str("AFTERSALES_METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
AFTERSALES_METRICS_TOKEN = env_secret("AFTERSALES_METRICS_TOKEN", "")
# "plain" for a terminal, "json" (one object per line) for a log collector.
LOG_FORMAT = env_str("AFTERSALES_LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ValueError("AFTERSALES_LOG_FORMAT must be 'plain' or 'json'")
# Load balancers probe over plain HTTP inside the network: no redirect to HTTPS for the probes.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# --- end operations ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "aftersales.core.logging.PersonalDataFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "aftersales.operations.log_format.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["personal_data"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("AFTERSALES_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The task workers' lines (a failed task's traceback too) go through the same filter and
        # format; having a handler here, the Huey consumer does not install its own.
        "huey": {"handlers": ["console"], "propagate": False},
    },
}
