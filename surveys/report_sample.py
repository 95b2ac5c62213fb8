"""Invented data at scale for the report's benchmark and tests (issue 7 item 4: "a
20-page report must take under 5 seconds"): branches with families, requests, matches
started locally and centrally, check-ins, follow-ups, volunteers at every pipeline step
and survey invitations with answers, written with bulk_create (no signals, no audit
rows) so thousands of rows take about a second. Names are invented; nothing here is run
in production (manage.py benchmark_report rolls its data back).
"""

import itertools
from datetime import datetime, time, timedelta

from django.utils import timezone

from familien.models import Branch, Family, Parent, PipelineStep, Programme, Region, Volunteer
from followup.models import CheckIn, FollowUpTask, MeetingPlace
from matching.models import Match, SupportRequest
from surveys.models import (
    Channel,
    ContactAttempt,
    Invitation,
    Questionnaire,
    Respondent,
    Response,
    Step,
    SurveyKind,
)
from surveys.tokens import token_fields

PROGRAMMES = (Programme.FAMILY_FRIEND, Programme.JOB_MENTOR, Programme.EDUCATION_MENTOR)


def _aware(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


def _questionnaire(programme, respondent):
    """The published questionnaire of the programme, or a bare one when the migration's
    content is not there (a transactional test flushes it)."""
    found = (
        Questionnaire.objects.filter(programme=programme, respondent=respondent)
        .order_by("-version")
        .first()
    )
    if found is None:
        found = Questionnaire.objects.create(
            code=f"sample-{respondent}-{programme}".replace("_", "-"),
            respondent=respondent,
            programme=programme,
            title_da="Prøveskema",
            title_en="Sample form",
            published_at=timezone.now(),
        )
    return found


def build_sample(*, branches=40, families_per_branch=6, today=None, prefix="Prøve"):
    """Write the sample and return a dict of counts. ``today`` anchors every date: the
    matches start over the two years before it."""
    today = today or timezone.localdate()
    start = today - timedelta(days=730)
    branch_rows = Branch.objects.bulk_create(
        [
            Branch(
                name=f"Røde Kors {prefix} {number:03d}",
                municipality=f"{prefix}by {number}",
                region=Region.values[number % len(Region.values)],
                postcode=f"{5000 + number:04d}",
                programmes=[p.value for p in PROGRAMMES],
            )
            for number in range(branches)
        ]
    )
    families, volunteers = [], []
    steps = itertools.cycle(PipelineStep.values)
    for branch in branch_rows:
        for number in range(families_per_branch):
            families.append(Family(branch=branch, name=f"Familien {prefix} {branch.pk}-{number}"))
            volunteers.append(
                Volunteer(
                    branch=branch,
                    first_name="Frivillig",
                    last_name=f"{prefix}{branch.pk}-{number}",
                    programmes=[PROGRAMMES[number % 3].value],
                    pipeline_step=next(steps),
                    pipeline_step_on=today - timedelta(days=(number * 17) % 120),
                )
            )
    families = Family.objects.bulk_create(families)
    volunteers = Volunteer.objects.bulk_create(volunteers)
    parents = Parent.objects.bulk_create(
        [Parent(family=family, first_name="Forælder", last_name=prefix) for family in families]
    )

    requests, matches = [], []
    for index, family in enumerate(families):
        programme = PROGRAMMES[index % 3]
        started_on = start + timedelta(days=(index * 7) % 700)
        waited = 5 + (index * 13) % 150
        requests.append(
            SupportRequest(
                family=family,
                programme=programme,
                for_parent=parents[index],
                status=SupportRequest.Status.MATCHED,
                waiting_since=started_on - timedelta(days=waited),
            )
        )
    # Families still on the waiting list today.
    for index, family in enumerate(families[::3]):
        requests.append(
            SupportRequest(
                family=family,
                programme=PROGRAMMES[(index + 1) % 3],
                for_parent=parents[index * 3],
                status=SupportRequest.Status.WAITING,
                waiting_since=today - timedelta(days=(index * 11) % 200),
            )
        )
    requests = SupportRequest.objects.bulk_create(requests)
    for index, (family, volunteer) in enumerate(zip(families, volunteers, strict=True)):
        request = requests[index]
        started_on = request.waiting_since + timedelta(days=5 + (index * 13) % 150)
        closed = index % 2 == 0 and started_on + timedelta(days=120) < today
        ended_on = (
            min(today, started_on + timedelta(days=100 + (index * 29) % 400)) if closed else None
        )
        matches.append(
            Match(
                request=request,
                family=family,
                volunteer=volunteer,
                programme=request.programme,
                status=Match.Status.CLOSED if closed else Match.Status.ACTIVE,
                started_by=Match.StartedBy.CENTRAL if index % 3 == 0 else Match.StartedBy.LOCAL,
                started_on=started_on,
                ended_on=ended_on,
            )
        )
    matches = Match.objects.bulk_create(matches)

    check_ins, tasks = [], []
    for index, match in enumerate(matches):
        last = match.ended_on or today
        for number in range(6):
            met_on = match.started_on + timedelta(days=14 * number + 3)
            if met_on > last:
                break
            check_ins.append(
                CheckIn(
                    match=match,
                    met_on=met_on,
                    minutes=60 + (index + number) * 15 % 180,
                    place=MeetingPlace.HOME,
                )
            )
        for number in range(3):
            due_on = match.started_on + timedelta(days=14 + 60 * number)
            if due_on > today:
                break
            lateness = (index + number) % 4
            tasks.append(
                FollowUpTask(
                    match=match,
                    kind=FollowUpTask.Kind.FOLLOW_UP,
                    due_on=due_on,
                    responsible=FollowUpTask.Responsible.BRANCH,
                    # On time, a week late, open, on time.
                    done_on=None if lateness == 2 else due_on + timedelta(days=7 * (lateness == 1)),
                )
            )
    CheckIn.objects.bulk_create(check_ins)
    FollowUpTask.objects.bulk_create(tasks)

    invitations = []
    forms = {
        (programme, respondent): _questionnaire(programme, respondent)
        for programme in PROGRAMMES
        for respondent in (Respondent.PARENT, Respondent.VOLUNTEER)
    }
    for index, match in enumerate(matches):
        kinds = [(SurveyKind.PRE, Respondent.PARENT)]
        if match.ended_on:
            kinds += [
                (SurveyKind.POST, Respondent.PARENT),
                (SurveyKind.VOLUNTEER, Respondent.VOLUNTEER),
            ]
        for kind, respondent in kinds:
            invitations.append(
                Invitation(
                    questionnaire=forms[(match.programme, respondent)],
                    kind=kind,
                    match=match,
                    parent=parents[index] if respondent == Respondent.PARENT else None,
                    volunteer=match.volunteer if respondent == Respondent.VOLUNTEER else None,
                    **token_fields(),
                    status=Invitation.Status.ANSWERED if index % 4 else Invitation.Status.OPEN,
                    next_step=Step.DONE,
                    invited_on=match.ended_on or match.started_on,
                )
            )
    invitations = Invitation.objects.bulk_create(invitations)
    attempts, responses = [], []
    for invitation in invitations:
        sent_at = _aware(invitation.invited_on)
        attempts.append(
            ContactAttempt(
                invitation=invitation,
                key=f"{invitation.pk}:sample:sms",
                step=Step.INVITE,
                channel=Channel.SMS,
                status=ContactAttempt.Status.SENT,
                created_at=sent_at,
                sent_at=sent_at,
            )
        )
        if invitation.status == Invitation.Status.ANSWERED:
            responses.append(
                Response(
                    invitation=invitation,
                    submitted_at=sent_at + timedelta(days=2),
                    complete=invitation.pk % 7 != 0,
                )
            )
    ContactAttempt.objects.bulk_create(attempts)
    Response.objects.bulk_create(responses)
    return {
        "branches": len(branch_rows),
        "families": len(families),
        "matches": len(matches),
        "check_ins": len(check_ins),
        "tasks": len(tasks),
        "invitations": len(invitations),
        "responses": len(responses),
    }


def sample_filters(*, today):
    """The filters of the benchmark's report: the two years of the sample."""
    return {
        "date_from": (today - timedelta(days=730)).isoformat(),
        "date_to": today.isoformat(),
        "branch": None,
        "branch_name": "",
        "programme": "",
    }
