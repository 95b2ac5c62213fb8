"""The match lifecycle (issue 4 items 4, 6, 7, 8): every allowed and every refused
transition, the decline path back to the waiting list, the branch setting that lets
only the family decline, the børneattest and capacity guards, activation's seams and
planned ends, and the messages to the volunteer and the leaders."""

import itertools
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from familien import sms
from familien.models import (
    ChildCertificate,
    Notification,
    PipelineStep,
    Programme,
    Role,
)
from familien.tasks import mail_notifications
from matching import lifecycle
from matching.errors import MatchingError
from matching.models import Agreement, Decision, Match, MatchEvent, SupportRequest
from matching.tasks import notify_volunteer_of_proposal
from tests.conftest import login
from tests.factories import (
    BranchFactory,
    ChildFactory,
    FamilyFactory,
    ParentFactory,
    UserFactory,
    VolunteerFactory,
)

S = Match.Status
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def enqueued(monkeypatch):
    """Record what would go to the broker instead of sending it."""
    calls = {"volunteer": [], "mail": []}
    monkeypatch.setattr(
        notify_volunteer_of_proposal, "delay", lambda pk: calls["volunteer"].append(pk)
    )
    monkeypatch.setattr(mail_notifications, "delay", lambda ids: calls["mail"].append(ids))
    return calls


def certify(volunteer, on=date(2026, 1, 10)):
    ChildCertificate.objects.create(
        volunteer=volunteer,
        ordered_on=on - timedelta(days=10),
        consent_deadline=on + timedelta(days=4),
        assessed_on=on,
        outcome=ChildCertificate.Outcome.APPROVED,
        renewal_due=on + timedelta(days=730),
    )


def setup(programme=Programme.FAMILY_FRIEND, child_years=(2018,), certified=True, **branch):
    """A leader, a family (with children born in ``child_years``) and its request, and a
    ready volunteer, all in one branch."""
    branch = BranchFactory(**branch)
    leader = UserFactory(role=Role.LEADER, branches=[branch])
    family = FamilyFactory(branch=branch, city="Odense", address="Hemmelig Vej 7")
    ParentFactory(family=family, first_name="Mette", last_name="Hansen")
    for year in child_years:
        ChildFactory(family=family, first_name="Ida", birth_year=year)
    request = SupportRequest.objects.create(
        family=family, programme=programme, waiting_since=date(2025, 11, 1)
    )
    volunteer = VolunteerFactory(
        branch=branch,
        first_name="Frida",
        last_name="Frivillig",
        programmes=[programme],
        pipeline_step=PipelineStep.READY,
        pipeline_step_on=date(2025, 6, 1),
        phone="+4520304050",
        email="frida@example.org",
    )
    if certified:
        certify(volunteer)
    return leader, request, volunteer


def match_in(status, **kwargs):
    """A match already in ``status`` (set directly: the table tests test transition)."""
    leader, request, volunteer = setup(**kwargs)
    match = lifecycle.propose_match(request, volunteer, actor=leader)
    Match.objects.filter(pk=match.pk).update(status=status)
    match.refresh_from_db()
    return leader, match


def walk_to_signed(leader, match, *, planned_end=date(2027, 3, 1)):
    lifecycle.ask_volunteer(match, actor=leader)
    lifecycle.plan_match_meeting(match, on=TODAY, actor=leader)
    lifecycle.record_decision(match, party="volunteer", decision=Decision.YES, actor=leader)
    lifecycle.record_decision(match, party="family", decision=Decision.YES, actor=leader)
    lifecycle.create_agreement(
        match,
        focus="Struktur i hverdagen",
        meeting_frequency="ca. 2 timer hver anden uge",
        planned_end=planned_end,
        actor=leader,
    )
    lifecycle.sign_agreement(match, family_signed_on=TODAY, volunteer_signed_on=TODAY, actor=leader)
    return match


# --- the table -------------------------------------------------------------------------

ALLOWED_PAIRS = [(f, t) for f, targets in lifecycle.ALLOWED.items() for t in sorted(targets)]
REFUSED_PAIRS = [(f, t) for f, t in itertools.product(S, S) if t not in lifecycle.ALLOWED[f]]


def test_the_table_names_every_status():
    assert set(lifecycle.ALLOWED) == set(S)
    # Every state has at least one refused example below.
    assert {f for f, _t in REFUSED_PAIRS} == set(S)


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED_PAIRS)
def test_every_allowed_transition_is_taken_and_recorded(from_status, to_status):
    leader, match = match_in(from_status)
    events_before = match.events.count()
    event = lifecycle.transition(match, to_status, actor=leader, note="weil")
    match.refresh_from_db()
    assert match.status == to_status
    assert match.events.count() == events_before + 1
    assert (event.from_status, event.to_status, event.by, event.note) == (
        from_status,
        to_status,
        leader,
        "weil",
    )
    assert event.at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), REFUSED_PAIRS)
def test_every_other_transition_is_refused_with_what_is_possible(from_status, to_status):
    leader, match = match_in(from_status)
    events_before = match.events.count()
    with pytest.raises(MatchingError) as refused:
        lifecycle.transition(match, to_status, actor=leader)
    match.refresh_from_db()
    assert match.status == from_status
    assert match.events.count() == events_before
    message = str(refused.value)
    assert "kan ikke gå fra" in message or "cannot go from" in message
    for possible in lifecycle.possible_steps(match):
        assert str(possible.label) in message


# --- the walk through the services ------------------------------------------------------


@pytest.mark.django_db
def test_the_whole_way_from_proposal_to_close():
    leader, request, volunteer = setup()
    match = lifecycle.propose_match(request, volunteer, actor=leader)
    request.refresh_from_db()
    assert (match.status, request.status) == (S.PROPOSED, SupportRequest.Status.MATCHING)
    assert match.started_by == Match.StartedBy.LOCAL
    assert (match.family, match.programme, match.proposed_by) == (
        request.family,
        request.programme,
        leader,
    )
    walk_to_signed(leader, match)
    assert match.status == S.AGREEMENT_SIGNED
    lifecycle.activate_match(match, actor=leader, on=TODAY)
    match.refresh_from_db()
    request.refresh_from_db()
    volunteer.refresh_from_db()
    assert match.status == S.ACTIVE
    assert (match.started_on, match.planned_end) == (TODAY, date(2027, 3, 1))
    assert request.status == SupportRequest.Status.MATCHED
    assert volunteer.pipeline_step == PipelineStep.ACTIVE
    lifecycle.extend_match(match, new_end=date(2027, 9, 1), actor=leader)
    assert (match.status, match.planned_end) == (S.ACTIVE, date(2027, 9, 1))
    lifecycle.start_ending(match, actor=leader)
    lifecycle.close_match(match, reason="Forløbet er slut", actor=leader, on=date(2027, 9, 1))
    match.refresh_from_db()
    volunteer.refresh_from_db()
    assert (match.status, match.ended_on, match.end_reason) == (
        S.CLOSED,
        date(2027, 9, 1),
        "Forløbet er slut",
    )
    assert volunteer.pipeline_step == PipelineStep.READY
    steps = list(match.events.values_list("from_status", "to_status"))
    assert steps[0] == ("", S.PROPOSED)
    assert steps[-1] == (S.ENDING, S.CLOSED)
    assert all(by == leader.pk for by in match.events.values_list("by", flat=True))


@pytest.mark.django_db
def test_an_extension_needs_a_later_end_and_can_undo_an_ending():
    leader, match = match_in(S.ENDING)
    Match.objects.filter(pk=match.pk).update(planned_end=date(2026, 6, 1))
    match.refresh_from_db()
    with pytest.raises(MatchingError):
        lifecycle.extend_match(match, new_end=date(2026, 5, 1), actor=leader)
    lifecycle.extend_match(match, new_end=date(2026, 12, 1), actor=leader)
    assert match.status == S.ACTIVE
    assert "01.06.2026" in match.events.last().note


@pytest.mark.django_db
def test_central_corps_or_a_centrally_handled_request_starts_centrally():
    _leader, request, volunteer = setup()
    central = UserFactory(role=Role.CENTRAL)
    assert lifecycle.propose_match(request, volunteer, actor=central).started_by == "central"
    leader, request, volunteer = setup()
    request.handled_centrally = True
    request.save()
    assert lifecycle.propose_match(request, volunteer, actor=leader).started_by == "central"


@pytest.mark.django_db
def test_a_withdrawn_or_matched_request_or_one_in_progress_cannot_be_matched():
    leader, request, volunteer = setup()
    request.status = SupportRequest.Status.WITHDRAWN
    request.save()
    with pytest.raises(MatchingError, match="trukket tilbage|withdrawn"):
        lifecycle.propose_match(request, volunteer, actor=leader)
    request.status = SupportRequest.Status.MATCHED
    request.save()
    with pytest.raises(MatchingError):
        lifecycle.propose_match(request, volunteer, actor=leader)
    request.status = SupportRequest.Status.WAITING
    request.save()
    lifecycle.propose_match(request, volunteer, actor=leader)
    with pytest.raises(MatchingError):
        lifecycle.propose_match(request, volunteer, actor=leader)
    assert Match.objects.filter(request=request).count() == 1


@pytest.mark.django_db
def test_a_volunteer_who_is_not_ready_cannot_be_proposed():
    leader, request, volunteer = setup()
    volunteer.pipeline_step = PipelineStep.COURSE_BOOKED
    volunteer.save()
    with pytest.raises(MatchingError):
        lifecycle.propose_match(request, volunteer, actor=leader)


# --- declines ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("party", ["family", "volunteer"])
def test_a_no_declines_and_returns_the_request_to_the_list_with_its_history(party):
    leader, request, volunteer = setup()
    match = lifecycle.propose_match(request, volunteer, actor=leader)
    lifecycle.ask_volunteer(match, actor=leader)
    lifecycle.plan_match_meeting(match, on=TODAY, actor=leader)
    lifecycle.record_decision(
        match, party=party, decision=Decision.NO, actor=leader, reason="Kemien passede ikke"
    )
    match.refresh_from_db()
    request.refresh_from_db()
    assert match.status == S.DECLINED
    assert match.end_reason == "Kemien passede ikke"
    assert getattr(match, f"{party}_decision") == Decision.NO
    assert request.status == SupportRequest.Status.WAITING
    assert request.waiting_since == date(2025, 11, 1)  # still waiting since then
    assert list(request.matches.all()) == [match]  # the history stays with the request
    assert "Kemien passede ikke" in match.events.last().note
    # ...and the request can be matched again.
    other = VolunteerFactory(
        branch=request.family.branch, pipeline_step=PipelineStep.READY, programmes=["x"]
    )
    assert lifecycle.propose_match(request, other, actor=leader).status == S.PROPOSED


@pytest.mark.django_db
def test_a_no_needs_a_reason():
    leader, match = match_in(S.MEETING_PLANNED)
    with pytest.raises(MatchingError):
        lifecycle.record_decision(match, party="family", decision=Decision.NO, actor=leader)
    assert Match.objects.get(pk=match.pk).status == S.MEETING_PLANNED


@pytest.mark.django_db
def test_a_withdrawal_returns_the_request_too():
    leader, match = match_in(S.DECIDED)
    lifecycle.withdraw_match(match, reason="Den frivillige flyttede", actor=leader)
    match.request.refresh_from_db()
    assert match.status == S.WITHDRAWN
    assert match.request.status == SupportRequest.Status.WAITING


@pytest.mark.django_db
def test_where_only_the_family_may_decline_a_volunteers_no_is_refused():
    leader, match = match_in(S.MEETING_PLANNED, only_family_may_decline=True)
    with pytest.raises(MatchingError, match="7.2"):
        lifecycle.record_decision(
            match, party="volunteer", decision=Decision.NO, actor=leader, reason="Nej"
        )
    match.refresh_from_db()
    assert (match.status, match.volunteer_decision) == (S.MEETING_PLANNED, Decision.PENDING)
    # The family still may.
    lifecycle.record_decision(
        match, party="family", decision=Decision.NO, actor=leader, reason="Nej tak"
    )
    assert match.status == S.DECLINED


@pytest.mark.django_db
def test_both_yes_after_the_meeting_decides_and_the_family_answers_after_it():
    leader, match = match_in(S.VOLUNTEER_ASKED)
    with pytest.raises(MatchingError):
        lifecycle.record_decision(match, party="family", decision=Decision.YES, actor=leader)
    lifecycle.record_decision(match, party="volunteer", decision=Decision.YES, actor=leader)
    assert match.status == S.VOLUNTEER_ASKED
    lifecycle.plan_match_meeting(match, on=TODAY, actor=leader)
    lifecycle.record_decision(match, party="family", decision=Decision.YES, actor=leader)
    assert match.status == S.DECIDED


# --- activation -------------------------------------------------------------------------


@pytest.mark.django_db
def test_activation_calls_the_follow_up_and_survey_seams_with_the_match():
    leader, request, volunteer = setup()
    match = walk_to_signed(leader, lifecycle.propose_match(request, volunteer, actor=leader))
    with (
        mock.patch("followup.services.plan_follow_ups") as plan,
        mock.patch("surveys.services.dispatch_pre_survey") as survey,
    ):
        lifecycle.activate_match(match, actor=leader, on=TODAY)
    plan.assert_called_once_with(match, today=TODAY)
    survey.assert_called_once_with(match, today=TODAY)


@pytest.mark.django_db
def test_a_seam_that_fails_leaves_nothing_half_started():
    leader, request, volunteer = setup()
    match = walk_to_signed(leader, lifecycle.propose_match(request, volunteer, actor=leader))
    with (
        mock.patch("surveys.services.dispatch_pre_survey", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        lifecycle.activate_match(match, actor=leader, on=TODAY)
    assert Match.objects.get(pk=match.pk).status == S.AGREEMENT_SIGNED
    assert SupportRequest.objects.get(pk=request.pk).status == SupportRequest.Status.MATCHING


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("programme", "end"),
    [
        (Programme.FAMILY_FRIEND, date(2027, 3, 2)),
        (Programme.JOB_MENTOR, date(2026, 6, 2)),
        (Programme.EDUCATION_MENTOR, date(2026, 9, 2)),
        (Programme.WORKPLACE_MENTOR, date(2026, 6, 1)),
    ],
)
def test_planned_end_per_programme(programme, end):
    assert lifecycle.default_planned_end(programme, TODAY) == end
    # Without an agreement (set up by hand) activation uses the programme's default.
    leader, match = match_in(S.AGREEMENT_SIGNED, programme=programme)
    lifecycle.activate_match(match, actor=leader, on=TODAY)
    assert match.planned_end == end


@pytest.mark.django_db
def test_the_agreements_planned_end_wins():
    leader, request, volunteer = setup(programme=Programme.JOB_MENTOR)
    match = lifecycle.propose_match(request, volunteer, actor=leader)
    walk_to_signed(leader, match, planned_end=date(2026, 8, 15))
    lifecycle.activate_match(match, actor=leader, on=TODAY)
    assert match.planned_end == date(2026, 8, 15)
    assert Agreement.objects.get(match=match).focus == "Struktur i hverdagen"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("programme", "child_years", "refused"),
    [
        (Programme.FAMILY_FRIEND, (2018,), True),  # a child under 15
        (Programme.FAMILY_FRIEND, (2008, 2009), False),  # only teenagers of 16–18
        (Programme.JOB_MENTOR, (2018,), False),  # a mentor for a parent
    ],
)
def test_activation_needs_a_certificate_where_children_under_15_are_involved(
    programme, child_years, refused
):
    leader, match = match_in(
        S.AGREEMENT_SIGNED, programme=programme, child_years=child_years, certified=False
    )
    if refused:
        with pytest.raises(MatchingError, match="børneattest"):
            lifecycle.activate_match(match, actor=leader, on=TODAY)
        assert Match.objects.get(pk=match.pk).status == S.AGREEMENT_SIGNED
        certify(match.volunteer)
    lifecycle.activate_match(match, actor=leader, on=TODAY)
    assert match.status == S.ACTIVE


@pytest.mark.django_db
def test_a_mentor_for_a_child_counts_as_involving_children():
    leader, match = match_in(S.AGREEMENT_SIGNED, programme=Programme.JOB_MENTOR, certified=False)
    request = match.request
    request.for_child = request.family.children.first()
    request.save()
    with pytest.raises(MatchingError):
        lifecycle.activate_match(match, actor=leader, on=TODAY)


@pytest.mark.django_db
def test_an_expired_certificate_does_not_count():
    leader, match = match_in(S.AGREEMENT_SIGNED, certified=False)
    certify(match.volunteer, on=date(2023, 1, 1))  # renewal due 2024-12-31
    with pytest.raises(MatchingError):
        lifecycle.activate_match(match, actor=leader, on=TODAY)


@pytest.mark.django_db
def test_a_volunteer_at_capacity_is_proposed_with_a_warning(client):
    leader, request, volunteer = setup()
    assert lifecycle.capacity_warning(volunteer) is None
    other_family = FamilyFactory(branch=request.family.branch)
    Match.objects.create(
        family=other_family, volunteer=volunteer, programme=request.programme, status=S.ACTIVE
    )
    assert "1" in lifecycle.capacity_warning(volunteer)
    login(client, leader)
    response = client.post(reverse("match_propose", args=[request.pk, volunteer.pk]), follow=True)
    match = Match.objects.get(request=request)
    assert response.redirect_chain[-1][0] == reverse("match_detail", args=[match.pk])
    texts = [str(m) for m in response.context["messages"]]
    assert any("højst" in t or "at most" in t for t in texts)


# --- messages ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_volunteer_is_told_once_after_commit_without_names_or_addresses(
    enqueued, django_capture_on_commit_callbacks, settings
):
    settings.FAMILIEN_BASE_URL = "https://familien.example.org"
    sms.outbox.clear()
    leader, request, volunteer = setup()
    with django_capture_on_commit_callbacks(execute=True):
        match = lifecycle.propose_match(request, volunteer, actor=leader)
    assert enqueued["volunteer"] == [match.pk]
    assert notify_volunteer_of_proposal.run(match.pk) == ["mail", "sms"]
    assert notify_volunteer_of_proposal.run(match.pk) == []  # the second run sends nothing
    assert len(mail.outbox) == 1
    assert len(sms.outbox) == 1
    assert mail.outbox[0].to == ["frida@example.org"]
    assert sms.outbox[0].to == "+4520304050"
    for text in (mail.outbox[0].body, sms.outbox[0].body):
        assert "Odense" in text  # the town
        assert "1 barn" in text or "1 child" in text
        assert f"https://familien.example.org/forloeb/{match.pk}/" in text
        for secret in ("Mette", "Hansen", "Hemmelig", "Frida", "Frivillig", "Ida"):
            assert secret not in text
        assert str(request.family.name) not in text
    markers = MatchEvent.objects.filter(match=match, note__startswith="volunteer notified")
    assert markers.count() == 2


@pytest.mark.django_db
def test_a_failed_sms_is_tried_again_and_the_mail_is_not_repeated(monkeypatch):
    sms.outbox.clear()
    leader, request, volunteer = setup()
    match = lifecycle.propose_match(request, volunteer, actor=leader)

    real_send, gateway_down = sms.send_sms, [True]

    def flaky(to, body):
        if gateway_down[0]:
            raise sms.SmsTemporaryError("gateway down")
        return real_send(to, body)

    monkeypatch.setattr(sms, "send_sms", flaky)
    with pytest.raises(sms.SmsTemporaryError):
        notify_volunteer_of_proposal.run(match.pk)
    gateway_down[0] = False
    assert notify_volunteer_of_proposal.run(match.pk) == ["sms"]
    assert len(mail.outbox) == 1
    assert len(sms.outbox) == 1


@pytest.mark.django_db
def test_a_withdrawn_proposal_is_not_sent():
    sms.outbox.clear()
    leader, request, volunteer = setup()
    match = lifecycle.propose_match(request, volunteer, actor=leader)
    lifecycle.withdraw_match(match, reason="Fejl", actor=leader)
    assert notify_volunteer_of_proposal.run(match.pk) == []
    assert mail.outbox == [] and sms.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("decision", [Decision.YES, Decision.NO])
def test_the_leaders_are_told_when_the_volunteer_answers(enqueued, decision):
    leader, match = match_in(S.VOLUNTEER_ASKED)
    lifecycle.record_decision(
        match, party="volunteer", decision=decision, actor=leader, reason="Har ikke tid"
    )
    note = Notification.objects.get(recipient=leader)
    assert note.kind == Notification.Kind.VOLUNTEER_ANSWERED
    assert note.link == reverse("match_detail", args=[match.pk])
    for secret in ("Frida", "Frivillig", "Mette", "Hansen", match.family.name):
        assert secret not in note.text
    assert match.family.branch.name in note.text


@pytest.mark.django_db
def test_the_family_answering_tells_no_one():
    leader, match = match_in(S.MEETING_PLANNED)
    lifecycle.record_decision(match, party="family", decision=Decision.YES, actor=leader)
    assert not Notification.objects.exists()


# --- the pages --------------------------------------------------------------------------


def post_step(client, match, step, **data):
    return client.post(
        reverse("match_step", args=[match.pk, step]),
        {f"{step}-{key}": value for key, value in data.items()},
    )


@pytest.mark.django_db
def test_a_leader_walks_a_match_through_the_pages(client):
    leader, request, volunteer = setup()
    login(client, leader)
    response = client.post(reverse("match_propose", args=[request.pk, volunteer.pk]))
    match = Match.objects.get(request=request)
    assert response.status_code == 302
    detail = reverse("match_detail", args=[match.pk])
    page = client.get(detail)
    assert page.status_code == 200
    assert 'action="{}"'.format(reverse("match_step", args=[match.pk, "ask"])) in page.text
    assert post_step(client, match, "ask", note="Ringet op").status_code == 302
    assert post_step(client, match, "meeting", on="2026-03-10").status_code == 302
    post_step(client, match, "answer", party="volunteer", decision="yes", reason="")
    post_step(client, match, "answer", party="family", decision="yes", reason="")
    match.refresh_from_db()
    assert match.status == S.DECIDED
    post_step(
        client,
        match,
        "agreement",
        focus="Lektier og struktur",
        meeting_frequency="ca. 2 timer hver anden uge",
        planned_end="2099-01-01",
    )
    post_step(
        client, match, "sign", family_signed_on="2026-03-01", volunteer_signed_on="2026-03-01"
    )
    post_step(client, match, "activate", on="2026-03-02")
    match.refresh_from_db()
    assert (match.status, match.started_on, match.focus) == (
        S.ACTIVE,
        date(2026, 3, 2),
        "Lektier og struktur",
    )
    page = client.get(detail)
    assert reverse("agreement_pdf", args=[match.pk]) in page.text
    assert leader.full_name in page.text  # the timeline says who


@pytest.mark.django_db
def test_bad_input_is_shown_beside_the_field_and_nothing_is_saved(client):
    leader, match = match_in(S.MEETING_PLANNED)
    login(client, leader)
    response = post_step(client, match, "answer", party="family", decision="no", reason="")
    assert response.status_code == 400
    assert response.context["steps"]
    answer = next(s for s in response.context["steps"] if s["slug"] == "answer")
    assert answer["form"].errors["reason"]
    assert Match.objects.get(pk=match.pk).status == S.MEETING_PLANNED
    response = post_step(client, match, "meeting", on="ikke en dato")
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_step_that_makes_no_sense_now_is_refused_with_a_message(client):
    leader, match = match_in(S.PROPOSED)
    login(client, leader)
    response = client.post(
        reverse("match_step", args=[match.pk, "close"]),
        {"close-on": "2026-01-01", "close-reason": "Slut"},
        follow=True,
    )
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert any("Foreslået" in t or "Proposed" in t for t in texts)
    assert Match.objects.get(pk=match.pk).status == S.PROPOSED
    assert client.post(reverse("match_step", args=[match.pk, "fly"])).status_code == 404


@pytest.mark.django_db
def test_only_matchers_of_the_branch_act(client, world):
    match = world.match_a
    url = reverse("match_step", args=[match.pk, "ending"])
    login(client, world.users["leader_other"])
    assert client.post(url).status_code == 404
    for role in ("volunteer", "followup", "evaluator"):
        login(client, world.users[role])
        assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    login(client, world.users["leader"])
    assert client.post(url, {"ending-note": ""}).status_code == 302
    match.refresh_from_db()
    assert match.status == S.ENDING


@pytest.mark.django_db
def test_the_volunteer_reads_a_proposal_without_names(client):
    leader, request, volunteer = setup()
    volunteer.user = UserFactory(role=Role.VOLUNTEER)
    volunteer.save()
    match = lifecycle.propose_match(request, volunteer, actor=leader)
    login(client, volunteer.user)
    page = client.get(reverse("match_detail", args=[match.pk]))
    assert page.status_code == 200
    assert request.family.name not in page.text
    assert "Odense" in page.text
    assert not page.context["steps"] and not page.context["events"]


@pytest.mark.django_db
@pytest.mark.parametrize("events", [10, 200])
def test_the_match_page_has_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, events
):
    leader, match = match_in(S.ACTIVE)
    MatchEvent.objects.bulk_create(
        MatchEvent(
            match=match, to_status=S.ACTIVE, from_status=S.ACTIVE, at=match.created_at, by=leader
        )
        for _ in range(events)
    )
    login(client, leader)
    # session, user, 2FA device, the match with family/branch/volunteer/request/users,
    # the agreement, events with their authors, the children count, messages, and the
    # access-log insert: no more for 200 events than for 10.
    with django_assert_max_num_queries(12):
        assert client.get(reverse("match_detail", args=[match.pk])).status_code == 200
