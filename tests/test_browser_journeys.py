"""Each role's main journey in a real Chromium, from the login to the outcome in the
database, with no console error or Content-Security-Policy violation on the way.

Here: the activity leader (a family and a volunteer registered through the forms, then
matched), the central corps (takes over a request in a branch not its own) and the
administrator (changes a follow-up rule). The other roles' journeys live beside the
details they prove:

- a volunteer logs a check-in on a phone: tests/test_browser_checkin.py
- a parent answers a survey from the link: tests/test_browser_survey.py
- an evaluator downloads the export: tests/test_browser_evaluator_export.py
"""

import re
from datetime import date

import pytest
from auditlog.models import LogEntry

from familien.models import ConsentState, Family, PipelineStep, Programme, Role, Volunteer
from followup.models import FollowUpRule
from followup.services import rule_for
from matching.models import Match, SupportRequest
from tests.factories import UserFactory, VolunteerFactory
from tests.test_browser import browser, watch_console  # noqa: F401 - the fixture
from tests.test_browser_matching import step
from tests.test_browser_records import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def menu_link(page, name):
    with page.expect_navigation():
        page.get_by_role("navigation", name="Hovedmenu").get_by_role(
            "link", name=name, exact=True
        ).click()


def submit(page, button):
    """Press a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def test_leader_registers_a_family_and_a_volunteer_and_matches_them(
    browser,  # noqa: F811
    live_server,
    world,
):
    page = log_in(browser, live_server, world.users["leader"])
    page.set_viewport_size({"width": 1280, "height": 800})
    problems = watch_console(page)
    today = date.today().isoformat()

    # The family, from the families list's button: a mother and a daughter of nine.
    menu_link(page, "Familier")
    page.get_by_role("link", name="Registrér en familie").click()
    page.locator("[name=family-name]").fill("Familien Rejsholm")
    page.locator("[name=family-branch]").select_option(str(world.branch_a.pk))
    page.locator("[name=family-postcode]").fill("5000")
    page.locator("[name=parents-0-first_name]").fill("Lene")
    page.locator("[name=parents-0-last_name]").fill("Rejsholm")
    page.locator("[name=parents-0-phone]").fill("22 33 44 55")
    page.locator("[name=children-0-first_name]").fill("Alma")
    page.locator("[name=children-0-birth_year]").fill(str(date.today().year - 9))
    page.locator("[name=data_consent][value=given]").check()
    page.locator("[name=evaluation_consent][value=given]").check()
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(re.compile(r".*/familier/\d+/$"))
    family = Family.objects.get(name="Familien Rejsholm")
    assert family.branch == world.branch_a
    assert family.parents.get().phone == "+4522334455"
    assert family.evaluation_consent == ConsentState.GIVEN

    # The volunteer, from sign-up to ready with a valid børneattest (the child needs it).
    menu_link(page, "Frivillige")
    page.get_by_role("link", name="Registrér en frivillig").click()
    page.locator("[name=first_name]").fill("Vera")
    page.locator("[name=last_name]").fill("Villig")
    page.locator("[name=phone]").fill("+45 31 32 33 34")
    page.locator("[name=branch]").select_option(str(world.branch_a.pk))
    page.locator("[name=programmes][value=family_friend]").check()
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(re.compile(r".*/frivillige/\d+/$"))
    volunteer = Volunteer.objects.get(first_name="Vera", last_name="Villig")
    for pipeline_step in (PipelineStep.CONTACTED, PipelineStep.COURSE_COMPLETED):
        page.locator("[name=step]").select_option(pipeline_step)
        page.locator("[name=on]").fill(today)
        submit(page, "Registrér trin")
    page.locator("[name=ordered_on]").fill(today)
    submit(page, "Registrér bestilling")
    certificate = volunteer.certificates.get()
    page.locator(f"[name=c{certificate.pk}-assessed_on]").fill(today)
    page.locator(f"[name=c{certificate.pk}-outcome][value=approved]").check()
    submit(page, "Registrér vurdering")
    page.locator("[name=step]").select_option(PipelineStep.READY)
    page.locator("[name=on]").fill(today)
    submit(page, "Registrér trin")
    volunteer.refresh_from_db()
    assert volunteer.pipeline_step == PipelineStep.READY
    assert "Gyldig" in page.locator("main").inner_text()

    # The family's wish for a family friend for the daughter, then the match.
    page.goto(live_server.url + f"/familier/{family.pk}/")
    page.get_by_role("link", name="Nyt ønske").click()
    page.locator("[name=programme]").select_option(Programme.FAMILY_FRIEND)
    page.locator("[name=for_whom]").select_option(f"child:{family.children.get().pk}")
    page.get_by_role("button", name="Sæt på ventelisten").click()
    page.wait_for_url(re.compile(r".*/oensker/\d+/$"))
    request = SupportRequest.objects.get(family=family)
    page.get_by_role("link", name="Find en frivillig").click()
    page.wait_for_url(f"**/oensker/{request.pk}/forslag/")
    assert "Vera" in page.locator("main").inner_text()
    page.locator(f"form[action$='/foreslaa/{volunteer.pk}/'] button").click()
    page.wait_for_url(re.compile(r".*/forloeb/\d+/$"))
    step(page, "ask")
    step(page, "meeting")
    step(page, "answer", party="volunteer", decision="yes")
    step(page, "answer", party="family", decision="yes")
    step(page, "agreement", focus="Lektier og fritid", meeting_frequency="Hver anden uge")
    step(page, "sign")
    step(page, "activate")

    match = Match.objects.get(request=request)
    assert (match.family, match.volunteer) == (family, volunteer)
    assert match.status == Match.Status.ACTIVE
    assert match.started_by == Match.StartedBy.LOCAL
    request.refresh_from_db()
    assert request.status == SupportRequest.Status.MATCHED
    main = page.locator("main").inner_text()
    assert "Vera Villig" in main and "Familien Rejsholm" in main
    assert problems == [], problems


def test_central_corps_takes_over_a_request_in_another_branch(
    browser,  # noqa: F811
    live_server,
    world,
):
    # The consultant's own branch is A; the request waits in B.
    central = UserFactory(role=Role.CENTRAL, branches=[world.branch_a])
    parent = world.family_b.parents.get()
    request = SupportRequest.objects.create(
        family=world.family_b,
        programme=Programme.FAMILY_FRIEND,
        for_parent=parent,
        wishes="Én at tale hverdagen med",
        created_by=world.users["leader_other"],
    )
    volunteer = VolunteerFactory(
        branch=world.branch_b,
        first_name="Birgit",
        pipeline_step=PipelineStep.READY,
        programmes=[Programme.FAMILY_FRIEND],
    )
    page = log_in(browser, live_server, central)
    page.set_viewport_size({"width": 1280, "height": 800})
    problems = watch_console(page)

    menu_link(page, "Venteliste")
    row = page.locator("main table tr", has_text=world.family_b.name)
    row.get_by_role("link", name="Åbn").click()
    page.wait_for_url(f"**/oensker/{request.pk}/")
    submit(page, "Overtag for det centrale korps")
    assert "Det centrale korps varetager nu ønsket." in page.locator("body").inner_text()
    request.refresh_from_db()
    assert request.handled_centrally
    assert request.taken_over_by == central
    assert request.taken_over_at is not None

    # Taken over once only: the button is gone; the corps matches from the request.
    page.goto(live_server.url + f"/oensker/{request.pk}/")
    assert page.get_by_role("button", name="Overtag for det centrale korps").count() == 0
    page.get_by_role("link", name="Find en frivillig").first.click()
    page.wait_for_url(f"**/oensker/{request.pk}/forslag/")
    page.locator(f"form[action$='/foreslaa/{volunteer.pk}/'] button").click()
    page.wait_for_url(re.compile(r".*/forloeb/\d+/$"))
    match = Match.objects.get(request=request)
    assert match.volunteer == volunteer
    assert match.started_by == Match.StartedBy.CENTRAL
    assert problems == [], problems

    # The branch's own leader still sees the request, and who took it over.
    leader = log_in(browser, live_server, world.users["leader_other"])
    leader.goto(live_server.url + f"/oensker/{request.pk}/")
    facts = leader.locator("main").inner_text()
    assert "Overtaget" in facts
    assert central.full_name in facts


def test_administrator_changes_a_follow_up_rule(
    browser,  # noqa: F811
    live_server,
    world,
):
    # The national rule (the migrations seed it; a test before this one may have
    # emptied the tables).
    rule, _created = FollowUpRule.objects.update_or_create(
        programme=Programme.FAMILY_FRIEND,
        branch=None,
        defaults={
            "first_after_days": 30,
            "every_days": 30,
            "silent_after_days": 45,
            "review_before_days": 30,
        },
    )
    admin = world.users["admin"]
    page = log_in(browser, live_server, admin)
    page.set_viewport_size({"width": 1280, "height": 800})
    problems = watch_console(page)

    # From the menu to the rule: branches here follow up every sixth week instead.
    menu_link(page, "Administration")
    page.get_by_role("link", name="Opfølgningsregler").click()
    page.get_by_role("link", name=str(rule.get_programme_display()), exact=False).first.click()
    page.wait_for_url(f"**/admin/followup/followuprule/{rule.pk}/change/")
    # Less than a week apart is refused, with a message, and nothing changes.
    page.get_by_label("derefter hver (dage)").fill("5")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem", exact=True).click()
    assert page.locator(".errornote").is_visible()
    assert "mindst 7 dage" in page.locator("#content").inner_text()
    rule.refresh_from_db()
    assert rule.every_days == 30
    page.get_by_label("derefter hver (dage)").fill("42")
    page.get_by_role("button", name="Gem", exact=True).click()
    page.wait_for_url("**/admin/followup/followuprule/")

    # Visible afterwards: in the list, in the database, in the rule a match follows, and
    # in the audit log with who changed it.
    row = page.locator(
        "#result_list tbody tr", has=page.locator(f"a[href$='/{rule.pk}/change/']")
    ).inner_text()
    assert "42" in row
    rule.refresh_from_db()
    assert rule.every_days == 42
    assert rule_for(world.match_a).every_days == 42
    entry = LogEntry.objects.get_for_object(rule).order_by("-timestamp").first()
    assert entry.actor == admin
    assert entry.changes_dict["every_days"] == ["30", "42"]
    assert problems == [], problems
