"""Settings for Familien, read from the environment only.

Two ways to run (docs/architecture.md):

* ``FAMILIEN_MODE=embedded``: the local demo started by ``make run``. SQLite, a file-system
  Celery broker (real background work, no server), console mail and sms, a development
  secret key and two-factor authentication off.
* ``FAMILIEN_MODE=production`` (the default, so a forgotten variable fails closed): every
  secret must be given, cookies are secure, HSTS is on and two-factor authentication is
  required for staff roles.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


FAMILIEN_MODE = env("FAMILIEN_MODE", "production")
if FAMILIEN_MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured("FAMILIEN_MODE must be 'embedded' or 'production'.")
EMBEDDED = FAMILIEN_MODE == "embedded"

DATA_DIR = Path(env("FAMILIEN_DATA_DIR", str(BASE_DIR / "data")))
if EMBEDDED:
    DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not EMBEDDED:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production needs a long random SECRET_KEY; "
            "for the local demo set FAMILIEN_MODE=embedded (make run does this)."
        )
    SECRET_KEY = "embedded-demo-only-not-a-secret-" + "x" * 32  # noqa: S105

DEBUG = env_bool("DEBUG", EMBEDDED)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if EMBEDDED else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "familien.admin_site.FamilienAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_email",
    "axes",
    "auditlog",
    "csp",
    "familien",
    "matching",
    "followup",
    "surveys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "familien.middleware.IdleSessionRefreshMiddleware",
    "familien.middleware.DanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "familien.middleware.AbsoluteSessionLifetimeMiddleware",
    "familien.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Every use of personal data, reads and searches included (familien/access_log.py).
    "familien.access_log.AccessLogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "familien.urls"
WSGI_APPLICATION = "familien.wsgi.application"

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
                "familien.context_processors.familien",
            ],
        },
    },
]

# Database: a SQLite file in the data folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'familien.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if EMBEDDED else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles a query for 1-3 s when the planner prices it high (the suggestions'
    # ranking at 50,000 volunteers runs in tens of ms without it); a web app's short
    # queries never repay it. The search's typo tolerance (familien/search.py
    # TRIGRAM_THRESHOLD) is the threshold of pg_trgm's index-backed %> operator.
    # Both are set per connection, so they cost no query.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c pg_trgm.word_similarity_threshold=0.5"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "familien.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60
# Requests for a reset link: per client address and per e-mail address, in an hour
# (familien/account_views.py). Past either, the form says so and sends nothing.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 10)
PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("PASSWORD_RESET_LIMIT_PER_EMAIL", 3)

# Sessions end after 30 minutes without activity and when the browser closes. The expiry
# moves forward at most once a minute (familien.middleware.IdleSessionRefreshMiddleware),
# not with a write on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_REFRESH_SECONDS = 60
# However active, a session ends this long after the login (ASVS 4.0.3 3.3.2: 12 hours).
SESSION_MAX_AGE_SECONDS = env_int("SESSION_MAX_AGE_SECONDS", 12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling: five failures for one e-mail from one address lock that pair for an hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the e-mail in the field Django calls "username".
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
# Behind a proxy the client address comes from X-Forwarded-For, set by the proxy only
# (familien/client_address.py reads it, for axes and for the guessing limits alike).
AXES_CLIENT_IP_CALLABLE = "familien.client_address.client_address"
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("BEHIND_PROXY", False) else ["REMOTE_ADDR"]
)

# Two-factor authentication for every role: each one sees personal data (evaluators
# pseudonymised data, which is still personal data). An authenticator app (TOTP) for all;
# the roles whose reach is their own matches may take a code by e-mail instead. The
# roles that see a branch or the whole country keep the app: an e-mailed code and an
# e-mailed password reset would fall to the same stolen mailbox (ASVS 5.0 6.6.1).
FAMILIEN_REQUIRE_2FA = env_bool("FAMILIEN_REQUIRE_2FA", not EMBEDDED)
FAMILIEN_2FA_ROLES = ["leader", "central", "followup", "volunteer", "evaluator", "admin"]
FAMILIEN_EMAIL_CODE_ROLES = ["followup", "volunteer"]
# An e-mailed code works once, for ten minutes at most (ASVS 5.0 6.5.5); a new one can
# be asked for after a minute; wrong guesses make the device wait 1, 2, 4 ... seconds.
OTP_EMAIL_TOKEN_VALIDITY = 10 * 60
OTP_EMAIL_COOLDOWN_DURATION = 60
OTP_EMAIL_THROTTLE_FACTOR = 1
OTP_EMAIL_SUBJECT = _("Your code for Familien")
OTP_EMAIL_BODY_TEMPLATE_PATH = "registration/two_factor_email.txt"
OTP_TOTP_ISSUER = "Familien"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: the console in the demo, SMTP in production unless EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if EMBEDDED
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# For django.core.mail.backends.filebased.EmailBackend: one file per mail in this folder.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Familien i Fokus <familien@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sms: a backend class chosen like EMAIL_BACKEND (familien/sms.py).
SMS_BACKEND = env(
    "SMS_BACKEND",
    "familien.sms.ConsoleBackend" if EMBEDDED else "familien.sms.HttpGatewayBackend",
)
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 10)
SMS_SENDER = env("SMS_SENDER", "RodeKors")
SMS_FILE_PATH = Path(env("SMS_FILE_PATH", str(DATA_DIR / "sms")))

# Celery. The demo uses kombu's file-system transport, so worker and beat are real
# processes without a broker server; production points both URLs at Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://" if EMBEDDED else None)
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured("CELERY_BROKER_URL is not set (e.g. redis://redis:6379/0).")
# Tasks report what they did in the database, not as Celery results: no result backend
# unless an operator asks for one.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or None
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = DATA_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# One queue name per installation, so two installations may share a Redis server.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "familien")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Computed figures (response rates, outcomes, the follow-up figures and the national
# dashboard's overview) are cached per scope and warmed by beat, so the web processes and
# the worker must share the cache: Redis in production, a folder in the embedded demo.
CACHE_URL = env("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # Two installations on one Redis keep apart, as their queues do.
            "KEY_PREFIX": CELERY_TASK_DEFAULT_QUEUE,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
SURVEY_FIGURES_CACHE_SECONDS = env_int("SURVEY_FIGURES_CACHE_SECONDS", 10 * 60)
FOLLOWUP_FIGURES_CACHE_SECONDS = env_int("FOLLOWUP_FIGURES_CACHE_SECONDS", 15 * 60)
FOLLOWUP_OVERVIEW_CACHE_SECONDS = env_int("FOLLOWUP_OVERVIEW_CACHE_SECONDS", 6 * 60)

# Task modules beyond each app's tasks.py, which autodiscovery finds by itself.
CELERY_IMPORTS = ["familien.access_log_tasks"]
CELERY_BEAT_SCHEDULER = "familien.beat.HeartbeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(DATA_DIR / "celerybeat-schedule")
)
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 30)
SURVEY_TICK_SECONDS = env_int("SURVEY_TICK_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "familien.tasks.record_worker_heartbeat",
        "schedule": HEARTBEAT_SECONDS,
        # A heartbeat older than its successor is worthless: never let them pile up.
        "options": {"expires": HEARTBEAT_SECONDS},
    },
    # GDPR storage limitation: anonymise expired records once a day (familien/tasks.py).
    # A missed day is caught up by the next run, which takes everything expired by then.
    "anonymise-expired": {
        "task": "familien.tasks.anonymise_expired_records",
        "schedule": 24 * 60 * 60,
    },
    "certificate-warnings": {
        "task": "familien.tasks.warn_about_certificates",
        "schedule": 24 * 60 * 60,
    },
    # The survey engine: what is due is in the database; each tick claims it in batches
    # (surveys/engine.py). Expires so ticks never pile up behind a stopped worker.
    "survey-tick": {
        "task": "surveys.tasks.tick",
        "schedule": SURVEY_TICK_SECONDS,
        "options": {"expires": SURVEY_TICK_SECONDS},
    },
    # Access-log entries past ACCESS_LOG_RETENTION_DAYS are deleted once a day.
    "purge-access-log": {
        "task": "familien.access_log_tasks.purge_access_log",
        "schedule": 24 * 60 * 60,
    },
    # Finished reports and exports are kept a week for download, then deleted.
    "purge-report-jobs": {
        "task": "surveys.tasks.purge_report_jobs",
        "schedule": 24 * 60 * 60,
    },
    # The survey figures (surveys/figure_cache.py), counted ahead a minute before the
    # cached ones expire, so the first visit never waits for a count over every invitation.
    "survey-figures": {
        "task": "surveys.tasks.warm_survey_figures",
        "schedule": max(60, SURVEY_FIGURES_CACHE_SECONDS - 60),
        "options": {"expires": max(60, SURVEY_FIGURES_CACHE_SECONDS - 60)},
    },
    # The national roles' follow-up figures and dashboard overview, computed ahead so the
    # central corps never waits seconds for them (followup/tasks.py). Only reads.
    "follow-up-figures": {
        "task": "followup.tasks.warm_national_figures",
        "schedule": 5 * 60,
        "options": {"expires": 5 * 60},
    },
    # Silent-match alerts; hourly so a restart catches up the same day (followup/tasks.py).
    "follow-up-alerts": {
        "task": "followup.tasks.raise_follow_up_alerts",
        "schedule": 60 * 60,
    },
}

# Security headers. The Content-Security-Policy allows only our own files: no inline
# script or style, no third-party host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not EMBEDDED:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs go to stderr and never carry personal data: messages name ids, not people.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Request lines (runserver's access log, request warnings) carry paths: a survey link's
    # token is cut out of them before they are written.
    "filters": {"survey_tokens": {"()": "surveys.log_filters.HideSurveyTokens"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["survey_tokens"],
        }
    },
    "root": {"handlers": ["stderr"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}

# Records (DOMAIN.md §3.3, §6): when a sign-up counts as unreachable, and the
# børneattest's consent window, renewal interval and warning time.
FAMILIEN_UNREACHABLE_AFTER_ATTEMPTS = env_int("FAMILIEN_UNREACHABLE_AFTER_ATTEMPTS", 3)
CERTIFICATE_CONSENT_DAYS = 14
CERTIFICATE_RENEWAL_MONTHS = env_int("CERTIFICATE_RENEWAL_MONTHS", 24)
CERTIFICATE_RENEWAL_WARNING_DAYS = env_int("CERTIFICATE_RENEWAL_WARNING_DAYS", 30)
# Closed families and volunteers who left are anonymised after this many days.
FAMILIEN_RETENTION_DAYS = env_int("FAMILIEN_RETENTION_DAYS", 5 * 365)
# Access-log entries (who read, searched or changed whose data) are deleted after this many
# days; Danish practice keeps such logs about six months. The database never lets an entry
# younger than 30 days go (familien/migrations/0007_access_log.py).
ACCESS_LOG_RETENTION_DAYS = max(30, env_int("ACCESS_LOG_RETENTION_DAYS", 183))
# The address people open Familien at, for links in mail and sms.
FAMILIEN_BASE_URL = env("FAMILIEN_BASE_URL", "http://127.0.0.1:8000" if EMBEDDED else "").rstrip(
    "/"
)
# Spreadsheet imports: the largest file accepted.
FAMILIEN_IMPORT_MAX_BYTES = env_int("FAMILIEN_IMPORT_MAX_BYTES", 5_000_000)

# Surveys (DOMAIN.md §13, §14; Bilag 2): the reminder chain in days after the
# invitation, the attempts after which an invitation stops as non-response, the hour
# (local time) reminders go out, and the follow-up survey's months per programme.
SURVEY_SMS_REMINDER_DAYS = env_int("SURVEY_SMS_REMINDER_DAYS", 7)
SURVEY_MAIL_REMINDER_DAYS = env_int("SURVEY_MAIL_REMINDER_DAYS", 14)
SURVEY_CALL_AFTER_DAYS = env_int("SURVEY_CALL_AFTER_DAYS", 21)
SURVEY_CALL_INTERVAL_DAYS = env_int("SURVEY_CALL_INTERVAL_DAYS", 2)
SURVEY_MAX_ATTEMPTS = env_int("SURVEY_MAX_ATTEMPTS", 9)
SURVEY_SEND_HOUR = env_int("SURVEY_SEND_HOUR", 9)
SURVEY_FOLLOW_UP_MONTHS_FAMILY_FRIEND = env_int("SURVEY_FOLLOW_UP_MONTHS_FAMILY_FRIEND", 12)
SURVEY_FOLLOW_UP_MONTHS_MENTOR = env_int("SURVEY_FOLLOW_UP_MONTHS_MENTOR", 9)
# The engine: due steps claimed per batch, how long a delivery may stay "sending" before
# the next tick hands it out again, and provider retries before a message counts failed.
SURVEY_BATCH_SIZE = env_int("SURVEY_BATCH_SIZE", 500)
SURVEY_DELIVERY_LEASE_SECONDS = env_int("SURVEY_DELIVERY_LEASE_SECONDS", 300)
SURVEY_DELIVERY_MAX_TRIES = env_int("SURVEY_DELIVERY_MAX_TRIES", 4)
# A queued delivery no worker took within this time was lost (a flushed broker): the
# tick hands it out again. The status page warns when a step is this many minutes late.
SURVEY_LOST_AFTER_SECONDS = env_int("SURVEY_LOST_AFTER_SECONDS", 300)
SURVEY_OVERDUE_MINUTES = env_int("SURVEY_OVERDUE_MINUTES", 15)
# The respondent's links are HMACs under this secret (surveys/tokens.py).
SURVEY_TOKEN_SECRET = env("SURVEY_TOKEN_SECRET", "") or SECRET_KEY
# Guessing links: a client address that opens more than this many dead links (unknown,
# malformed, expired or closed) in one window gets 429 until the window ends; working and
# answered links are never counted (surveys/respond_views.py). The counter lives in the
# default cache; FileBasedCache (the embedded demo) does not increment atomically, so there
# a burst may slip a few extra guesses through, which against 256-bit tokens changes
# nothing. django_ratelimit is used as a library only, not as an app, so its check that
# wants memcached or django-redis does not run: Django's own RedisCache (production)
# increments atomically too.
SURVEY_LINK_GUESS_LIMIT = env_int("SURVEY_LINK_GUESS_LIMIT", 30)
SURVEY_LINK_GUESS_WINDOW_SECONDS = env_int("SURVEY_LINK_GUESS_WINDOW_SECONDS", 60)
# The evaluators' pseudonyms are HMACs under this secret (surveys/pseudonyms.py).
SURVEY_PSEUDONYM_SECRET = env("SURVEY_PSEUDONYM_SECRET", "") or SECRET_KEY
