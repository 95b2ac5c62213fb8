"""Issue 3's journey in a real Chromium: a leader registers a referred family; the central
corps' registration reaches the leader. (A volunteer from sign-up to ready, and on to a
match, is the leader's journey in tests/test_browser_journeys.py.)"""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from familien.models import ConsentState, Family, Partner
from tests.test_browser import browser, watch_console  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def log_in(browser, live_server, user, page=None):  # noqa: F811 - the fixture's browser
    """Log ``user`` (any role) in through the login page and pair an authenticator app
    on the way, as on a first login; in ``page`` if given (e.g. a phone's context)."""
    page = page or browser.new_page()
    page.goto(live_server.url + "/konto/log-ind/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/konto/to-faktor/**")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label("Sekscifret kode").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_url(live_server.url + "/")
    return page


def test_leader_registers_a_referred_family(
    browser,  # noqa: F811
    live_server,
    world,
):
    jobcenter = Partner.objects.create(
        name="Jobcenter Odense", kind=Partner.Kind.JOBCENTER, branch=world.branch_a
    )
    leader = world.users["leader"]
    page = log_in(browser, live_server, leader)
    problems = watch_console(page)

    # A family with two children, referred by the jobcenter, consenting to the evaluation.
    page.goto(live_server.url + "/familier/ny/")
    page.locator("[name=family-name]").fill("Familien Browsersen")
    page.locator("[name=family-branch]").select_option(str(world.branch_a.pk))
    page.locator("[name=family-postcode]").fill("5000")
    page.locator("[name=family-reasons][value=talk_daily_life]").check()
    page.locator("[name=family-arrival_channel]").select_option("partner")
    page.locator("[name=family-referral_partner]").select_option(str(jobcenter.pk))
    page.locator("[name=parents-0-first_name]").fill("Mona")
    page.locator("[name=parents-0-last_name]").fill("Browsersen")
    page.locator("[name=parents-0-phone]").fill("20 30 40 50")
    page.locator("[name=children-0-first_name]").fill("Ida")
    page.locator("[name=children-0-birth_year]").fill("2016")
    page.locator("[name=children-1-first_name]").fill("Oscar")
    page.locator("[name=children-1-birth_year]").fill("2019")
    page.locator("[name=data_consent][value=given]").check()
    page.locator("[name=evaluation_consent][value=given]").check()
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(re.compile(r".*/familier/\d+/$"))
    family = Family.objects.get(name="Familien Browsersen")
    assert family.referral_partner == jobcenter
    assert family.evaluation_consent == ConsentState.GIVEN
    assert family.children.count() == 2
    assert family.parents.get().phone == "+4520304050"
    assert "Jobcenter Odense" in page.locator("main").inner_text()

    # The leader sees only their branch.
    page.goto(live_server.url + "/familier/")
    listed = page.locator("main table").inner_text()
    assert "Familien Browsersen" in listed
    assert world.family_b.name not in listed
    assert problems == [], problems


def test_the_central_corps_registration_reaches_the_branch_leader(
    browser,  # noqa: F811
    live_server,
    world,
):
    central = log_in(browser, live_server, world.users["central"])
    central.goto(live_server.url + "/familier/ny/")
    central.locator("[name=family-name]").fill("Familien Centralsen")
    central.locator("[name=family-branch]").select_option(str(world.branch_a.pk))
    central.locator("[name=parents-0-first_name]").fill("Carl")
    central.locator("[name=parents-0-last_name]").fill("Centralsen")
    central.locator("[name=parents-0-phone]").fill("40 50 60 70")
    central.locator("[name=data_consent][value=given]").check()
    central.locator("[name=evaluation_consent][value=refused]").check()
    central.get_by_role("button", name="Gem").click()
    central.wait_for_url(re.compile(r".*/familier/\d+/$"))
    # The central corps sees every branch.
    central.goto(live_server.url + "/familier/")
    assert world.family_b.name in central.locator("main table").inner_text()

    leader = log_in(browser, live_server, world.users["leader"])
    leader.goto(live_server.url + "/notifikationer/")
    inbox = leader.locator("main").inner_text()
    assert "Det centrale korps har registreret en ny familie i Røde Kors Odense" in inbox
    assert "Centralsen" not in inbox  # the note names no person
