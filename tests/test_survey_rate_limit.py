"""Guessing survey links is slowed down per client address (S10, ASVS 2.4.1): dead links
(unknown, expired, used up) count against the address, and past the limit it gets a
Danish 429 page before any lookup; a respondent using their own link is never counted,
another address is not affected, and the count starts again in the next window."""

import secrets
import types

import django_ratelimit.core
import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import Invitation
from tests.test_respond import PRE, consenting_match, field, invite, link, make_questionnaire

pytestmark = pytest.mark.django_db

GUESSER = "203.0.113.7"
RESPONDENT = "198.51.100.20"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.SURVEY_LINK_GUESS_LIMIT = 5
    settings.SURVEY_LINK_GUESS_WINDOW_SECONDS = 60


@pytest.fixture
def questionnaire():
    return make_questionnaire()


@pytest.fixture
def real_link(questionnaire):
    match, parent = consenting_match()
    _invitation, token = invite(questionnaire, PRE, match=match, parent=parent)
    return token


@pytest.fixture
def clock(monkeypatch):
    """The rate limiter's clock, moved by the test instead of sleeping."""
    now = {"t": 1_900_000_000.0}
    fake = types.SimpleNamespace(time=lambda: now["t"])
    monkeypatch.setattr(django_ratelimit.core, "time", fake)
    return now


def guess():
    return link(secrets.token_urlsafe(32))


def flood(client, times):
    return [client.get(guess()).status_code for _ in range(times)]


def test_a_guess_flood_gets_429_with_a_danish_page(clock):
    client = Client(REMOTE_ADDR=GUESSER)
    assert flood(client, 5) == [404] * 5
    response = client.get(guess())
    assert response.status_code == 429
    page = response.content.decode()
    assert "For mange forsøg" in page
    assert "kontaktperson i Røde Kors" in page
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Every form of dead link counts: the catch-all and the opt-out page answer 429 too.
    assert client.get("/s/not-a-token").status_code == 429
    assert client.get(reverse("survey_opt_out", kwargs={"token": "x" * 43})).status_code == 429


def test_a_blocked_address_learns_nothing_even_from_a_live_link(
    clock, real_link, django_assert_num_queries
):
    client = Client(REMOTE_ADDR=GUESSER)
    flood(client, 5)
    with django_assert_num_queries(0):
        response = client.get(link(real_link))
    assert response.status_code == 429
    assert client.post(link(real_link), {"action": "submit"}).status_code == 429


def test_a_real_link_still_works_from_another_address(clock, real_link, questionnaire):
    flood(Client(REMOTE_ADDR=GUESSER), 6)
    respondent = Client(REMOTE_ADDR=RESPONDENT)
    assert respondent.get(link(real_link)).status_code == 200
    response = respondent.post(
        link(real_link), {field(questionnaire, "F4"): "satisfied", "action": "submit"}
    )
    assert response.status_code == 302
    assert Invitation.objects.get(status=Invitation.Status.ANSWERED)


def test_a_respondent_using_their_own_link_is_never_counted(clock, real_link, questionnaire):
    respondent = Client(REMOTE_ADDR=RESPONDENT)
    for _ in range(20):
        assert respondent.get(link(real_link)).status_code == 200
        saved = respondent.post(
            link(real_link), {field(questionnaire, "F4"): "satisfied", "action": "save"}
        )
        assert saved.status_code == 302
    # Invalid answers stay on the page with a message: still not a guess.
    for _ in range(10):
        bad = respondent.post(link(real_link), {field(questionnaire, "F4"): "nonsense"})
        assert bad.status_code == 200
    assert respondent.get(reverse("survey_opt_out", kwargs={"token": real_link})).status_code == 200


def test_the_limit_resets_after_the_window(clock, real_link):
    client = Client(REMOTE_ADDR=GUESSER)
    flood(client, 5)
    assert client.get(guess()).status_code == 429
    # The window's edge falls somewhere in the next 60 seconds; a full window on, it has passed.
    clock["t"] += 60
    assert client.get(guess()).status_code == 404
    assert client.get(link(real_link)).status_code == 200


def test_a_cache_outage_never_locks_respondents_out(monkeypatch, real_link):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("surveys.respond_views.get_usage", broken)
    client = Client(REMOTE_ADDR=GUESSER)
    assert flood(client, 8) == [404] * 8
    assert client.get(link(real_link)).status_code == 200


def test_the_limit_works_on_the_demos_file_cache(clock, settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    client = Client(REMOTE_ADDR=GUESSER)
    assert flood(client, 6) == [404] * 5 + [429]


def test_the_429_page_keeps_the_token_out_of_the_log(clock, caplog):
    client = Client(REMOTE_ADDR=GUESSER)
    flood(client, 5)
    token = secrets.token_urlsafe(32)
    with caplog.at_level("DEBUG"):
        assert client.get(link(token)).status_code == 429
    assert token not in caplog.text


def test_behind_the_proxy_each_client_is_counted_on_its_own(clock, settings):
    """With BEHIND_PROXY the address comes from X-Forwarded-For, as for the login lockout:
    one guesser behind the proxy does not block everyone else behind it."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    proxy = "10.0.0.2"
    guesser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=GUESSER)
    neighbour = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=RESPONDENT)
    # A forged first entry changes nothing: the proxy's own entry is the last one.
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{RESPONDENT}, {GUESSER}")
    assert flood(guesser, 6) == [404] * 5 + [429]
    assert forged.get(guess()).status_code == 429
    assert neighbour.get(guess()).status_code == 404
