"""CSRF on every form: each form that posts carries the token, and every URL of the URL
conf refuses a POST without one, except the views listed here as exempt, with the reason."""

import re
from pathlib import Path

import pytest
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tests.test_every_url import full_rules
from tests.url_walk import iter_named_patterns

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
REFUSED = "refused: no CSRF token"

# The survey respondent's pages (surveys/respond_views.py, ``private``): the token in
# the link is the only credential and there is no session a forged request could ride
# on (someone who knows the link can post without any browser), and the in-app browsers
# of many phones drop cookies. The catch-all under /s/ answers every method with the
# same closed page and changes nothing.
EXEMPT_VIEWS = {"survey_respond", "survey_opt_out", "survey_link_unknown"}
EXEMPT_TEMPLATES = {"surveys/respond.html", "surveys/opt_out.html"}

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.IGNORECASE | re.DOTALL)
POSTS = re.compile(r"""<form\b[^>]*\bmethod\s*=\s*["']?post\b""", re.IGNORECASE)


def refused(request, reason=""):
    """Stands in for Django's CSRF failure page, so a refusal is told from a 403 of
    the view's own access check."""
    return HttpResponseForbidden(REFUSED)


def forms_without_token():
    missing = set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for form in FORM.findall(text):
            if POSTS.match(form) and "{% csrf_token %}" not in form:
                missing.add(str(path.relative_to(TEMPLATES)))
    return missing


def test_every_form_that_posts_carries_the_token():
    assert forms_without_token() == EXEMPT_TEMPLATES


def test_the_scan_finds_forms_over_several_lines(tmp_path, monkeypatch):
    (tmp_path / "x.html").write_text('<form\n  class="a"\n  method="POST">\n<input></form>')
    (tmp_path / "y.html").write_text('<form method="post">{% csrf_token %}</form>')
    (tmp_path / "z.html").write_text('<form method="get"><input></form>')
    monkeypatch.setattr(f"{__name__}.TEMPLATES", tmp_path)
    assert forms_without_token() == {"x.html"}


def urls_to_post(world):
    rules, url_kwargs = full_rules()
    for name, _pattern in iter_named_patterns():
        if name.startswith("admin:<unnamed"):
            continue  # cannot be reversed; the admin's views are all CSRF-protected
        kwargs = url_kwargs[name](world) if name in url_kwargs else {}
        yield name, reverse(name, kwargs=kwargs)


def test_every_url_refuses_a_post_without_the_token(world, settings):
    """Posted as a visitor, a leader and an administrator: every URL refuses for want of
    the token, at least for whoever may use it. A view may check the token itself after
    its access check (the import upload does, after refusing an oversized body unread), so
    a visitor sent to the login page or a role refused with 403 counts as refused too;
    anything else means the post was taken."""
    settings.CSRF_FAILURE_VIEW = f"{__name__}.refused"
    clients = {
        "anonymous": Client(enforce_csrf_checks=True),
        "leader": login(Client(enforce_csrf_checks=True), world.users["leader"]),
        "admin": login(Client(enforce_csrf_checks=True), world.users["admin"]),
    }
    taken, never_refused = {}, []
    for name, url in urls_to_post(world):
        outcomes = {who: client.post(url, {"anything": "1"}) for who, client in clients.items()}
        if not any(csrf_refusal(response) for response in outcomes.values()):
            never_refused.append(name)
        for who, response in outcomes.items():
            if not (csrf_refusal(response) or turned_away(response)):
                taken.setdefault(name, set()).add(who)
    assert set(never_refused) == EXEMPT_VIEWS
    assert set(taken) == EXEMPT_VIEWS, taken


def csrf_refusal(response):
    return response.content == REFUSED.encode()


def turned_away(response):
    """The view did nothing: a visitor sent to log in, or a role without access."""
    if response.status_code == 302:
        return response["Location"].startswith(reverse("login"))
    return response.status_code == 403


def test_a_post_with_the_token_gets_through(world, settings):
    settings.CSRF_FAILURE_VIEW = f"{__name__}.refused"
    client = login(Client(enforce_csrf_checks=True), world.users["volunteer"])
    client.get(reverse("home"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # logged out
