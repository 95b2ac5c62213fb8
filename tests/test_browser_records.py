"""Issue 3's journey in a real Chromium: a leader registers a referred family and takes a
volunteer from sign-up to ready; the central corps' registration reaches the leader."""

import re
from datetime import date

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from familien.models import ConsentState, Family, Partner, PipelineStep, Volunteer
from tests.test_browser import browser, watch_console  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def log_in(browser, live_server, user):  # noqa: F811 - the fixture's browser
    page = browser.new_page()
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


def test_leader_registers_a_referred_family_and_readies_a_volunteer(
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

    # A volunteer from sign-up to ready, with a valid børneattest on the way.
    page.goto(live_server.url + "/frivillige/ny/")
    page.locator("[name=first_name]").fill("Vera")
    page.locator("[name=last_name]").fill("Villig")
    page.locator("[name=phone]").fill("+45 31 32 33 34")
    page.locator("[name=branch]").select_option(str(world.branch_a.pk))
    page.locator("[name=programmes][value=family_friend]").check()
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(re.compile(r".*/frivillige/\d+/$"))
    volunteer = Volunteer.objects.get(first_name="Vera", last_name="Villig")
    today = date.today().isoformat()
    for step in (PipelineStep.CONTACTED, PipelineStep.COURSE_COMPLETED):
        page.locator("[name=step]").select_option(step)
        page.locator("[name=on]").fill(today)
        page.get_by_role("button", name="Registrér trin").click()
        page.wait_for_load_state()
    page.locator("[name=ordered_on]").fill(today)
    page.get_by_role("button", name="Registrér bestilling").click()
    page.wait_for_load_state()
    certificate = volunteer.certificates.get()
    page.locator(f"[name=c{certificate.pk}-assessed_on]").fill(today)
    page.locator(f"[name=c{certificate.pk}-outcome][value=approved]").check()
    page.get_by_role("button", name="Registrér vurdering").click()
    page.wait_for_load_state()
    page.locator("[name=step]").select_option(PipelineStep.READY)
    page.locator("[name=on]").fill(today)
    page.get_by_role("button", name="Registrér trin").click()
    page.wait_for_load_state()
    volunteer.refresh_from_db()
    assert volunteer.pipeline_step == PipelineStep.READY
    assert "Gyldig" in page.locator("main").inner_text()

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
