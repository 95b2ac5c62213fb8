"""Real Chromium (Debian's package) driven by Playwright against a live server."""

import os
import shutil

import pytest
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch, live_server):
    # Depending on live_server closes the browser first, so no keep-alive request is
    # still open when the server and its database connections go away.
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between page steps are ordinary synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    assert os.path.exists(CHROMIUM), "Debian's chromium package is not installed"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Playwright runs the test in a greenlet with its own context variables, so ORM
        # calls made meanwhile opened connections of their own: close them here, or they
        # keep the test database open after the run.
        connections.close_all()


def sign_in(page, live_server, user):
    """Log ``user`` in on ``page`` (any viewport or device) as someone who paired an
    authenticator app on an earlier visit: the login asks for the code, not the pairing
    (tests/test_browser_records.log_in walks the first login's pairing instead)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    page.goto(live_server.url + "/konto/log-ind/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()
    if "/konto/to-faktor/" in page.url:
        code = page.get_by_label("Sekscifret kode")
        code.fill(f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}")
        code.press("Enter")
    page.wait_for_url(live_server.url + "/")


def watch_console(page):
    problems = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None,
    )
    return problems


def test_leader_logs_in_with_two_factor_and_sees_their_branch(browser, live_server, world):
    leader = world.users["leader"]
    page = browser.new_page()
    problems = watch_console(page)
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "da"
    page.get_by_label("E-mail").fill(leader.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()

    page.wait_for_url("**/konto/to-faktor/**")
    assert page.locator(".qr-code svg").is_visible()
    device = TOTPDevice.objects.get(user=leader, confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    page.get_by_label("Sekscifret kode").fill(code)
    page.get_by_role("button", name="Bekræft").click()

    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Velkommen")
    table = page.locator("table").inner_text()
    assert "Røde Kors Odense" in table
    assert "Røde Kors Aalborg" not in table

    page.get_by_label("Sprog").select_option("en")
    page.get_by_role("button", name="Skift").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Families").is_visible()
    assert problems == [], problems


def test_volunteer_on_a_phone_sees_their_match(browser, live_server, world):
    volunteer = world.users["volunteer"]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    problems = watch_console(page)
    sign_in(page, live_server, volunteer)
    assert page.get_by_text("Mine forløb").is_visible()
    card = page.locator("article").first.inner_text()
    assert world.family_a.name in card
    assert "+45 21 22 23 24" in card
    # The menu folds away on a narrow screen and opens from its button.
    page.get_by_role("button", name="Vis menu").click()
    assert page.get_by_role("button", name="Log ud").is_visible()
    assert problems == [], problems
    context.close()
