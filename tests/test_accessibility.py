"""axe-core in a real Chromium on each role's main pages: no violation of impact "serious"
or "critical" (WCAG 2.1 A/AA and axe's best practices). One login per role, then every page
of that role is checked in turn, so the whole module costs a few browser sessions."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from familien.models import Partner, Role
from followup.models import FollowUpRule, FollowUpTask
from matching.models import SupportRequest
from surveys.models import Invitation
from tests.access_rules_respond import _invitation_of_match_a as _paper_survey_of_match_a
from tests.access_rules_surveys import _call_of_match_a, _letter_of_match_a
from tests.factories import FollowUpTaskFactory, UserFactory
from tests.test_browser import PASSWORD, browser, sign_in  # noqa: F401 - the fixture
from tests.test_respond import PRE, consenting_match, invite, link, make_questionnaire

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BLOCKING = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}
AXE = Axe()


def new_page(browser, **options):  # noqa: F811 - the fixture's browser
    """A page for the check. axe-core is injected through the DevTools protocol
    (page.evaluate), which the Content-Security-Policy does not govern, but some of its
    checks then set inline styles, which the policy ("style-src 'self'") blocks, leaving
    them half done. So these pages alone bypass the policy; the journeys
    (tests/test_browser_journeys.py and the other browser tests) keep it and fail on any
    violation of it."""
    return browser.new_page(bypass_csp=True, **options)


def violations(page):
    """axe-core's violations on the page as it stands."""
    return AXE.run(page).response["violations"]


def describe(where, found):
    lines = []
    for violation in found:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {targets}")
    return "\n".join(lines)


class Audit:
    """Collects axe-core's findings page by page; fails once at the end, listing every
    violation (the moderate and minor ones too) if any is serious or critical."""

    def __init__(self, page, base_url):
        self.page, self.base_url = page, base_url
        self.report, self.blocking = [], False

    def here(self, where=None):
        """Check the page as it stands (after a form was sent, say)."""
        found = violations(self.page)
        if found:
            self.report.append(describe(where or self.page.url, found))
        self.blocking = self.blocking or any(v["impact"] in BLOCKING for v in found)

    def visit(self, *paths, status=200):
        for path in paths:
            response = self.page.goto(self.base_url + path)
            assert response.status == status, f"{path}: {response.status}"
            self.here(path)

    def done(self):
        assert not self.blocking, "axe-core found serious or critical violations:\n" + (
            "\n".join(self.report)
        )


@pytest.fixture
def records(world):
    """One of each record a main page shows, in branch A."""
    support_request = SupportRequest.objects.create(
        family=world.family_a, programme=world.match_a.programme, wishes="Lektiehjælp"
    )
    task = FollowUpTaskFactory(
        match=world.match_a,
        due_on=timezone.localdate(),
        responsible=FollowUpTask.Responsible.CENTRAL,
    )
    partner = Partner.objects.create(
        name="Jobcenter Odense", kind=Partner.Kind.JOBCENTER, branch=world.branch_a
    )
    rule, _created = FollowUpRule.objects.get_or_create(
        programme=world.match_a.programme,
        branch=None,
        defaults={
            "first_after_days": 30,
            "every_days": 30,
            "silent_after_days": 45,
            "review_before_days": 30,
        },
    )
    return {
        "family": world.family_a.pk,
        "volunteer": world.volunteer_a.pk,
        "match": world.match_a.pk,
        "request": support_request.pk,
        "task": task.pk,
        "partner": partner.pk,
        "rule": rule.pk,
        # A survey call with a letter to post, and a pre survey to type in from paper.
        "call": _call_of_match_a(world)["pk"],
        "letter": _letter_of_match_a(world)["pk"],
        "paper": _paper_survey_of_match_a(world)["pk"],
    }


def paths(templates, records):
    return [template.format(**records) for template in templates]


LEADER_PAGES = [
    "/",
    "/familier/",
    "/familier/ny/",
    "/familier/{family}/",
    "/familier/{family}/rediger/",
    "/familier/{family}/oensker/nyt/",
    "/frivillige/",
    "/frivillige/ny/",
    "/frivillige/{volunteer}/",
    "/frivillige/boerneattester/",
    "/kurser/",
    "/partnere/",
    "/partnere/{partner}/",
    "/venteliste/",
    "/oensker/{request}/",
    "/oensker/{request}/forslag/",
    "/forloeb/{match}/",
    "/forloeb/{match}/opfoelgning/",
    "/opfoelgning/",
    "/opfoelgning/opgaver/",
    "/opfoelgning/tal/",
    "/spoergeskema/opkald/",
    "/spoergeskema/opkald/{call}/",
    "/spoergeskema/breve/",
    "/spoergeskema/{paper}/papir/",
    "/spoergeskema/svarprocenter/",
    "/rapporter/",
    "/rapporter/resultater/",
    "/notifikationer/",
    "/import/",
]
CENTRAL_PAGES = ["/", "/venteliste/", "/oensker/{request}/", "/opfoelgning/opgaver/{task}/"]
FOLLOWUP_PAGES = [
    "/",
    "/opfoelgning/",
    "/opfoelgning/opgaver/{task}/",
    "/forloeb/{match}/opfoelgning/",
]
ADMIN_PAGES = [
    "/",
    "/system/status/",
    "/persondata/",
    "/admin/",
    "/admin/followup/followuprule/",
    "/admin/followup/followuprule/add/",
    "/admin/followup/followuprule/{rule}/change/",
]
EVALUATOR_PAGES = ["/", "/spoergeskema/svarprocenter/", "/rapporter/resultater/", "/rapporter/"]


@pytest.mark.parametrize(
    "role, templates",
    [
        ("leader", LEADER_PAGES),
        ("central", CENTRAL_PAGES),
        ("followup", FOLLOWUP_PAGES),
        ("admin", ADMIN_PAGES),
    ],
)
def test_staff_pages_have_no_serious_violations(
    browser,  # noqa: F811
    live_server,
    world,
    records,
    role,
    templates,
):
    page = new_page(browser, viewport={"width": 1280, "height": 800})
    sign_in(page, live_server, world.users[role])
    audit = Audit(page, live_server.url)
    audit.visit(*paths(templates, records))
    if role == "leader":
        audit.visit("/familier/0/", status=404)
        # Refused input: the forms with their Danish messages beside the fields.
        for path in ("/familier/ny/", "/frivillige/ny/"):
            audit.visit(path)
            with page.expect_navigation():
                page.locator("main form").get_by_role("button", name="Gem").click()
            audit.here(f"{path} (refused)")
    audit.done()


def test_evaluator_pages_have_no_serious_violations(browser, live_server, world):  # noqa: F811
    page = new_page(browser, viewport={"width": 1280, "height": 800})
    sign_in(page, live_server, world.users["evaluator"])
    audit = Audit(page, live_server.url)
    audit.visit(*EVALUATOR_PAGES)
    # What an evaluator may not open: the refusal page.
    audit.visit("/familier/", status=403)
    audit.done()


def test_volunteer_pages_on_a_phone_have_no_serious_violations(
    browser,  # noqa: F811
    live_server,
    world,
    records,
):
    page = new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, live_server, world.users["volunteer"])
    audit = Audit(page, live_server.url)
    audit.visit(*paths(["/", "/forloeb/{match}/moede/ny/"], records))
    # A meeting without its length: the refusal beside the buttons.
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Gem mødet").tap()
    audit.here("the refused meeting")
    audit.done()


def test_login_and_second_factor_pages_have_no_serious_violations(
    browser,  # noqa: F811
    live_server,
    world,
):
    page = new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    audit = Audit(page, live_server.url)
    audit.visit("/konto/log-ind/", "/konto/glemt-adgangskode/")
    # A wrong password: the form with its error message.
    page.goto(live_server.url + "/konto/log-ind/")
    page.get_by_label("E-mail").fill(world.users["leader"].email)
    page.get_by_label("Adgangskode").fill("wrong")
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()
    audit.here("the refused login")
    # The first login: pairing the second factor, with its QR code.
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/konto/to-faktor/**")
    audit.here("the second factor's setup")
    page.close()

    # A paired app: the page asking for the code, then a wrong code.
    leader = UserFactory(role=Role.LEADER, branches=[world.branch_a])
    TOTPDevice.objects.create(user=leader, name="phone", confirmed=True)
    page = new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    audit.page = page
    page.goto(live_server.url + "/konto/log-ind/")
    page.get_by_label("E-mail").fill(leader.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r".*/konto/to-faktor/.*"))
    audit.here("the second factor")
    code = page.get_by_label("Sekscifret kode")
    code.fill("000000")
    with page.expect_navigation():
        code.press("Enter")
    audit.here("the refused code")
    audit.done()


def test_survey_pages_on_a_phone_have_no_serious_violations(browser, live_server):  # noqa: F811
    questionnaire = make_questionnaire(code="axe-survey")
    match, parent = consenting_match()
    invitation, token = invite(questionnaire, PRE, match=match, parent=parent)
    page = new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    audit = Audit(page, live_server.url)
    audit.visit(link(token), link(token) + "afmeld/")
    # Sent with nothing answered: the refusal; then the thank-you page.
    page.goto(live_server.url + link(token))
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Send mine svar").tap()
    audit.here("the refused answers")
    invitation.status = Invitation.Status.ANSWERED
    invitation.save(update_fields=["status"])
    audit.visit(link(token))  # the thank-you page
    # A link that no longer works: the friendly closed page (a 404 on purpose).
    audit.visit(link(token[:-1] + ("A" if token[-1] != "A" else "B")), status=404)
    audit.done()
