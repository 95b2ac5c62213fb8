"""A Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval' on every page of
every role, and nothing in the templates or the rendered pages that would need it: no
inline <script>, no <style> block, no style="" attribute, no on*= handler."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from familien.models import Role
from tests.conftest import login
from tests.factories import UserFactory
from tests.test_every_url import full_rules
from tests.url_walk import iter_named_patterns

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
INLINE_CODE = {
    "inline <script>": INLINE_SCRIPT,
    "<style> block": STYLE_BLOCK,
    'style="" attribute': STYLE_ATTRIBUTE,
    "on*= handler": HANDLER_ATTRIBUTE,
    "javascript: URL": SCRIPT_URL,
}


def inline_code(html):
    return sorted(kind for kind, pattern in INLINE_CODE.items() if pattern.search(html))


def directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict_policy(response, where):
    assert "Content-Security-Policy" in response, f"{where}: no CSP header"
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, f"{where}: {header}"
    policy = directives(response)
    assert policy["script-src"] == ["'self'"], where
    assert policy["style-src"] == ["'self'"], where
    assert policy["object-src"] == ["'none'"], where
    assert policy["frame-ancestors"] == ["'none'"], where


def test_no_template_has_inline_code():
    found = {
        str(path.relative_to(TEMPLATES)): inline_code(path.read_text(encoding="utf-8"))
        for path in TEMPLATES.rglob("*.html")
    }
    assert {name: kinds for name, kinds in found.items() if kinds} == {}


def test_the_scan_sees_inline_code():
    assert inline_code('<script>alert(1)</script><script src="/a.js"></script>') == [
        "inline <script>"
    ]
    assert inline_code('<p\n  style="color: red">') == ['style="" attribute']
    assert inline_code('<button type="button" onclick="go()">') == ["on*= handler"]
    assert inline_code('<a href="javascript:go()">') == ["javascript: URL"]
    assert inline_code("<style>p {}</style>") == ["<style> block"]
    assert inline_code('<script src="/static/app.js" defer></script><p class="x">') == []


@pytest.mark.parametrize("role", Role.values)
def test_each_roles_home_page_has_the_strict_policy(client, role):
    login(client, UserFactory(role=role))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_strict_policy(response, f"home as {role}")
    assert inline_code(response.content.decode()) == []


def test_every_url_has_the_strict_policy_and_no_inline_code(world):
    """Every page of the URL conf as a visitor, a leader and an administrator (who reaches
    the admin); the header is checked on every answer, the markup on every HTML page."""
    _rules, url_kwargs = full_rules()
    clients = {
        "anonymous": Client(),
        "leader": login(Client(), world.users["leader"]),
        "admin": login(Client(), world.users["admin"]),
    }
    offending = []
    for name, _pattern in iter_named_patterns():
        if name.startswith("admin:<unnamed"):
            continue
        kwargs = url_kwargs[name](world) if name in url_kwargs else {}
        url = reverse(name, kwargs=kwargs)
        for who, client in clients.items():
            response = client.get(url)
            assert_strict_policy(response, f"{name} as {who}")
            is_html = response.get("Content-Type", "").startswith("text/html")
            if response.status_code == 200 and is_html and not name.startswith("admin:"):
                kinds = inline_code(response.content.decode())
                if kinds:
                    offending.append((name, who, kinds))
    assert offending == []


def test_the_account_pages_have_no_inline_code(client):
    """The pages the walk cannot reach with its paired users: the first pairing, with
    the inline QR code, and the e-mail codes."""
    user = UserFactory(role=Role.VOLUNTEER)
    client.force_login(user)
    for name in ("two_factor_setup", "two_factor_setup_email"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert_strict_policy(response, name)
        assert inline_code(response.content.decode()) == []
