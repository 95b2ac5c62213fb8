"""Settings for the test suite: the embedded defaults, unless the environment points
DATABASE_URL and CELERY_BROKER_URL at real servers (as CI does), with the production
rules that matter for behaviour switched on (two-factor authentication required)."""

import os
from pathlib import Path

_root = Path(__file__).resolve().parent.parent
os.environ.setdefault("FAMILIEN_MODE", "embedded")
os.environ.setdefault("FAMILIEN_REQUIRE_2FA", "1")
# Tests keep their own data folder, so a running demo's worker never takes a test's task.
os.environ.setdefault("FAMILIEN_DATA_DIR", str(_root / "data" / "test"))
os.environ.setdefault("DEBUG", "0")

from familien.settings import *  # noqa: E402,F403
from familien.settings import DATA_DIR, DATABASES, STORAGES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a real Celery worker started by a test sees the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-familien.sqlite3")}

# Argon2 is deliberately slow; tests create many users. Production keeps Argon2
# (tests/test_settings.py checks familien.settings itself).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A real worker started by a test runs in another process: it writes sms to a file.
SMS_BACKEND = os.environ.get("TEST_SMS_BACKEND", "familien.sms.LocmemBackend")
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
# Serve static files from the finders, as in development: tests run without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Each process its own cache; tests/conftest.py empties it before every test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
