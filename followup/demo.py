"""Demo follow-up history: planned ends, check-ins every week or two, follow-up plans with
the past ones done, a few overdue, silent matches and a sparring request, so each role's
pages show what a working branch looks like.

Called by familien/management/commands/seed_demo.py after the matches exist; it touches
only matches with no check-ins and no tasks yet, so running the seed again adds nothing.
"""

from datetime import timedelta

from django.db.models import F
from django.utils import translation

from familien.models import Programme
from followup import services
from followup.models import Activity, CheckIn, CloseReason, FollowUpTask, MeetingPlace
from matching.lifecycle import default_planned_end
from matching.models import Match

# What a meeting is about per programme (DOMAIN.md §9).
ACTIVITIES = {
    Programme.FAMILY_FRIEND: [
        Activity.OWN_CHALLENGES,
        Activity.EVERYDAY_STRUCTURE,
        Activity.CHILDREN_TASKS,
        Activity.HOMEWORK,
        Activity.OUTING,
        Activity.LEISURE,
        Activity.CONVERSATION,
    ],
    Programme.JOB_MENTOR: [Activity.JOB_SEARCH, Activity.WORKPLACE, Activity.CONVERSATION],
    Programme.EDUCATION_MENTOR: [Activity.STUDY, Activity.CONVERSATION, Activity.OWN_CHALLENGES],
    Programme.WORKPLACE_MENTOR: [Activity.WORKPLACE, Activity.JOB_SEARCH],
}
NOTES = ["Hyggeligt besøg", "Børnene var glade", "Talte om skolen", "", "", ""]
PLACES = [MeetingPlace.HOME, MeetingPlace.HOME, MeetingPlace.OUTSIDE, MeetingPlace.PHONE]
# A running match's place among its branch's (_roles_in_branch) and what it shows.
OVERDUE, SILENT, SPARRING = 0, 1, 2
CLOSE_REASONS = [
    CloseReason.GOALS_REACHED,
    CloseReason.PRIVATE_FRIENDSHIP,
    CloseReason.FAMILY_MOVED,
]


def _dates(rng, start, end, every):
    day = start + timedelta(days=rng.randint(2, every))
    while day <= end:
        yield day
        day += timedelta(days=rng.randint(every - 3, every + 3))


def _roles_in_branch(matches):
    """{match pk: its place among its branch's running matches}: in each branch the first
    has overdue follow-ups, the second has gone quiet, the third asks for sparring, so
    every leader's dashboard shows each kind of task."""
    seen = {}
    places = {}
    for match in sorted(matches, key=lambda m: m.pk):
        if match.status == Match.Status.ACTIVE:
            places[match.pk] = seen.get(match.family.branch_id, 0)
            seen[match.family.branch_id] = places[match.pk] + 1
    return places


def make_follow_up_history(rng, today):
    """Give every match without a history one. Returns the number of matches touched."""
    matches = list(
        Match.objects.filter(
            status__in=(Match.Status.ACTIVE, Match.Status.CLOSED),
            started_on__isnull=False,
            check_ins__isnull=True,
            follow_up_tasks__isnull=True,
        )
        .select_related("family__branch", "volunteer")
        .distinct()
    )
    places = _roles_in_branch(matches)
    check_ins = []
    for match in matches:
        if match.planned_end is None:
            match.planned_end = default_planned_end(match.programme, match.started_on)
        if match.status == Match.Status.CLOSED:
            length = timedelta(days=rng.randint(60, 420))
            match.ended_on = min(today - timedelta(days=1), match.started_on + length)
            with translation.override("da"):
                match.end_reason = str(rng.choice(CLOSE_REASONS).label)
            last = match.ended_on
        else:
            if match.planned_end <= today:
                # Extended, as leaders often do (DOMAIN.md §11); some end within weeks.
                match.planned_end = today + timedelta(days=rng.randint(5, 120))
            quiet = places[match.pk] == SILENT or rng.random() < 0.1
            last = today - timedelta(days=45 if quiet else 0)
        match.save(update_fields=["planned_end", "ended_on", "end_reason"])
        every = 14 if match.programme == Programme.FAMILY_FRIEND else 10
        for day in _dates(rng, match.started_on, last, every):
            check_ins.append(
                CheckIn(
                    match=match,
                    met_on=day,
                    minutes=rng.choice([60, 90, 120, 120, 180]),
                    place=rng.choice(PLACES),
                    activities=rng.sample(ACTIVITIES[match.programme], 2),
                    note=rng.choice(NOTES),
                    logged_by=match.volunteer.user,
                )
            )
    CheckIn.objects.bulk_create(check_ins, batch_size=500)

    running = [m for m in matches if m.status == Match.Status.ACTIVE]
    for match in running:
        services.plan_follow_ups(match, today=match.started_on)
        # The past follow-ups were held, except the last weeks' in some matches.
        past = FollowUpTask.objects.filter(
            match=match, kind=FollowUpTask.Kind.FOLLOW_UP, due_on__lt=today
        )
        if places[match.pk] == OVERDUE or rng.random() < 0.2:
            past = past.filter(due_on__lt=today - timedelta(days=45))
        past.update(done_on=F("due_on"), outcome=FollowUpTask.Outcome.GOING_WELL)
        if places[match.pk] == SPARRING:
            services.log_check_in(
                match,
                actor=match.volunteer.user,
                met_on=today,
                minutes=90,
                place=MeetingPlace.HOME,
                activities=[ACTIVITIES[match.programme][0]],
                note="Vil gerne tale om, hvordan jeg bedst støtter familien",
                wants_sparring=True,
                today=today,
            )
    services.raise_silent_match_alerts(today=today)
    return len(matches)
