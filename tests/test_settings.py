"""Production settings: refuse to start without secrets, pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "FAMILIEN_MODE": "production",
    "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
    "ALLOWED_HOSTS": "familien.example.org",
    "DATABASE_URL": "sqlite:////tmp/familien-deploy-check.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_SETTINGS_MODULE": "familien.settings",
}


def run(args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DEBUG"}
    clean.pop("FAMILIEN_REQUIRE_2FA", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "CELERY_BROKER_URL"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_passes_the_deploy_checks_without_warnings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_hashes_with_argon2_and_requires_two_factor():
    code = (
        "from django.conf import settings as s; "
        "print(s.PASSWORD_HASHERS[0], s.FAMILIEN_REQUIRE_2FA, s.SESSION_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.DEBUG)"
    )
    result = run(["-c", f"import django; django.setup(); {code}"], PRODUCTION_ENV)
    assert result.stdout.split() == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "True",
        "True",
        "31536000",
        "False",
    ], result.stderr


def test_embedded_mode_needs_no_server_and_has_two_factor_off():
    result = run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.FAMILIEN_REQUIRE_2FA, s.CELERY_BROKER_URL)",
        ],
        {
            "FAMILIEN_MODE": "embedded",
            "DJANGO_SETTINGS_MODULE": "familien.settings",
            "FAMILIEN_DATA_DIR": str(ROOT / "data" / "test-embedded"),
        },
    )
    assert result.stdout.split() == ["False", "filesystem://"], result.stderr


def test_the_demo_says_plainly_that_two_factor_is_off(client, db, settings):
    settings.EMBEDDED = True
    settings.FAMILIEN_REQUIRE_2FA = False
    page = client.get("/konto/log-ind/").content.decode()
    assert "To-faktor-godkendelse er slået fra i demoen" in page


def test_content_security_policy_allows_no_inline_script(client, db):
    header = client.get("/konto/log-ind/")["Content-Security-Policy"]
    assert "script-src 'self'" in header
    assert "unsafe-inline" not in header
    assert "frame-ancestors 'none'" in header
