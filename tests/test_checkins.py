"""The volunteer's check-in and the match's follow-up page (issue 5 item 1): logging a
meeting end to end, bad input shown in Danish with nothing saved, who may log, hours per
month, and a fixed number of queries whatever the number of check-ins."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation

from familien import access
from familien.models import Notification, Role
from followup import checkins
from followup.models import Activity, CheckIn, FollowUpTask, MeetingPlace
from matching.models import Agreement, Match
from tests.conftest import login
from tests.factories import CheckInFactory, FollowUpTaskFactory, MatchFactory, ParentFactory

pytestmark = pytest.mark.django_db
Kind = FollowUpTask.Kind


def _today():
    return timezone.localdate()


def _month(today, back):
    """The first day of the month ``back`` months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def match(world):
    """Match A running for about five months, so the dates below are all allowed."""
    today = _today()
    world.match_a.started_on = _month(today, 5)
    world.match_a.planned_end = today + timedelta(days=200)
    world.match_a.save(update_fields=["started_on", "planned_end"])
    return world.match_a


def _create_url(match):
    return reverse("checkin_create", kwargs={"pk": match.pk})


def _page_url(match):
    return reverse("followup_match", kwargs={"pk": match.pk})


def _post(client, match, **overrides):
    data = {
        "met_on": (_today() - timedelta(days=1)).isoformat(),
        "duration": "120",
        "place": MeetingPlace.HOME,
        "activities": [Activity.OUTING, Activity.HOMEWORK],
        "note": "Vi var i Zoo med børnene",
    }
    data.update(overrides)
    return client.post(_create_url(match), {k: v for k, v in data.items() if v is not None})


# ---------------------------------------------------------------------------
# Logging a meeting


def test_the_form_opens_with_today_and_big_buttons(client, world, match):
    login(client, world.users["volunteer"])
    response = client.get(_create_url(match))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Log et møde" in html
    assert f'value="{_today().isoformat()}"' in html
    # Every choice is a button-sized label for a hidden input: one tap each.
    assert html.count('class="btn-check"') == 6 + 4 + len(Activity.choices) + 1
    assert "Jeg vil gerne have sparring" in html


def test_volunteer_logs_a_meeting_end_to_end(client, world, match):
    today = _today()
    silent = FollowUpTaskFactory(
        match=match,
        kind=Kind.SILENT,
        due_on=today - timedelta(days=3),
        responsible=FollowUpTask.Responsible.CENTRAL,
        assignee=world.users["followup"],
    )
    login(client, world.users["volunteer"])
    response = _post(client, match, wants_sparring="on")

    assert response.status_code == 302
    assert response["Location"] == _page_url(match)
    check_in = CheckIn.objects.get(match=match)
    assert check_in.met_on == today - timedelta(days=1)
    assert check_in.minutes == 120
    assert check_in.place == MeetingPlace.HOME
    assert check_in.activities == [Activity.OUTING, Activity.HOMEWORK]
    assert check_in.note == "Vi var i Zoo med børnene"
    assert check_in.wants_sparring is True
    assert check_in.logged_by == world.users["volunteer"]

    # The check-in ends the match's silence ...
    silent.refresh_from_db()
    assert silent.cancelled_on == today
    # ... and the sparring request is a task for the follow-up volunteer, who is told.
    sparring = FollowUpTask.objects.get(match=match, kind=Kind.SPARRING)
    assert sparring.check_in == check_in
    assert sparring.due_on == today
    assert sparring.responsible == FollowUpTask.Responsible.CENTRAL
    assert sparring.assignee == world.users["followup"]
    notification = Notification.objects.get(kind=Notification.Kind.SPARRING)
    assert notification.recipient == world.users["followup"]
    assert notification.link == _page_url(match)

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Mødet er gemt" in html
    assert "sparring" in html
    assert "Vi var i Zoo med børnene" in html
    assert "Udflugter" in html or str(Activity.OUTING.label) in html


def test_a_meeting_without_sparring_raises_no_task(client, world, match):
    login(client, world.users["volunteer"])
    response = _post(client, match, duration="30", place=MeetingPlace.PHONE, activities=None)
    assert response.status_code == 302
    check_in = CheckIn.objects.get(match=match)
    assert (check_in.minutes, check_in.place, check_in.activities) == (30, "phone", [])
    assert not FollowUpTask.objects.filter(kind=Kind.SPARRING).exists()
    assert not Notification.objects.exists()
    assert "Mødet er gemt. Tak!" in client.get(response["Location"]).content.decode()


def test_a_locally_started_match_tells_the_branch_leaders(client, world, match):
    match.started_by = Match.StartedBy.LOCAL
    match.save(update_fields=["started_by"])
    login(client, world.users["volunteer"])
    assert _post(client, match, wants_sparring="on").status_code == 302
    task = FollowUpTask.objects.get(kind=Kind.SPARRING)
    assert task.responsible == FollowUpTask.Responsible.BRANCH
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {world.users["leader"].pk}


def test_a_typed_length_wins_over_the_tapped_button(client, world, match):
    login(client, world.users["volunteer"])
    assert _post(client, match, duration="120", other_minutes="45").status_code == 302
    assert CheckIn.objects.get().minutes == 45


def _bad_inputs():
    today = _today()
    return {
        "future date": (
            {"met_on": (today + timedelta(days=1)).isoformat()},
            "Datoen kan ikke ligge i fremtiden.",
        ),
        "before the start": (
            {"met_on": (_month(today, 5) - timedelta(days=1)).isoformat()},
            "Datoen ligger før forløbet startede",
        ),
        "no place": ({"place": None}, "Vælg hvordan I mødtes."),
        "0 minutes": (
            {"duration": None, "other_minutes": "0"},
            "Varigheden skal være mellem 5 minutter og 12 timer.",
        ),
        "too long": (
            {"other_minutes": "800"},
            "Varigheden skal være mellem 5 minutter og 12 timer.",
        ),
        "no duration": ({"duration": None}, "Vælg hvor længe I mødtes."),
        "unknown duration": ({"duration": "7"}, "Marker en gyldig valgmulighed"),
        "no date": ({"met_on": ""}, "Vælg datoen for mødet."),
        "not a date": ({"met_on": "31.02.2026"}, "Indtast en gyldig dato."),
        "unknown activity": ({"activities": ["knitting"]}, "Marker en gyldig valgmulighed"),
        "unknown place": ({"place": "moon"}, "Marker en gyldig valgmulighed"),
    }


@pytest.mark.parametrize("case", list(_bad_inputs()))
def test_bad_input_is_shown_in_danish_and_nothing_is_saved(client, world, match, case):
    overrides, message = _bad_inputs()[case]
    login(client, world.users["volunteer"])
    response = _post(client, match, wants_sparring="on", **overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert not CheckIn.objects.exists()
    assert not FollowUpTask.objects.filter(kind=Kind.SPARRING).exists()
    # The input is kept: the note is still there to send again.
    assert "Vi var i Zoo med børnene" in html


def test_a_closed_match_takes_no_check_in(client, world, match):
    match.status = Match.Status.CLOSED
    match.ended_on = _today()
    match.save(update_fields=["status", "ended_on"])
    login(client, world.users["volunteer"])
    response = client.get(_create_url(match))
    assert response.status_code == 302
    assert response["Location"] == _page_url(match)
    assert _post(client, match).status_code == 302
    assert not CheckIn.objects.exists()
    page = client.get(_page_url(match)).content.decode()
    assert "Møder kan kun logges for et igangværende forløb." in page
    assert _create_url(match) not in page


@pytest.mark.parametrize(
    "role, expected",
    [
        ("volunteer_other", 404),
        ("leader", 403),
        ("followup", 403),
        ("central", 403),
        ("admin", 403),
        ("evaluator", 403),
    ],
)
def test_nobody_else_logs_for_the_volunteer(client, world, match, role, expected):
    login(client, world.users[role])
    assert client.get(_create_url(match)).status_code == expected
    assert _post(client, match, wants_sparring="on").status_code == expected
    assert not CheckIn.objects.exists()
    assert not FollowUpTask.objects.exists()


# ---------------------------------------------------------------------------
# The follow-up page


def test_hours_per_month_across_months_on_the_page(client, world, match):
    today = _today()
    two_ago, last, this = _month(today, 2), _month(today, 1), _month(today, 0)
    CheckInFactory(match=match, met_on=two_ago, minutes=60)
    CheckInFactory(match=match, met_on=two_ago + timedelta(days=10), minutes=90)
    CheckInFactory(match=match, met_on=this, minutes=120)
    # Another match's hours are not this match's.
    CheckInFactory(match=MatchFactory(family=world.family_a), met_on=this, minutes=240)
    login(client, world.users["volunteer"])
    response = client.get(_page_url(match))
    assert response.status_code == 200

    hours = {row.month: (row.meetings, row.hours) for row in response.context["hours"]}
    assert hours[two_ago] == (2, 2.5)
    assert hours[last] == (0, 0)
    assert hours[this] == (1, 2.0)
    # Every month since the start is a row, newest first.
    months = [row.month for row in response.context["hours"]]
    assert months == sorted(months, reverse=True)
    assert months[-1] == _month(today, 5) and months[0] == this
    assert response.context["total_hours"] == 4.5

    html = " ".join(response.content.decode().split())
    with translation.override("da"):
        label = formats.date_format(two_ago, "F Y")
    assert f'{label}</th><td class="text-end">2</td><td class="text-end">2,5</td>' in html
    assert 'I alt</th><td></td><td class="text-end fw-semibold">4,5</td>' in html


def test_the_volunteer_sees_focus_contacts_and_the_log_button(client, world, match):
    ParentFactory(family=world.family_a, first_name="Jens", email="jens@example.org")
    Agreement.objects.create(
        match=match,
        focus="Rutiner om morgenen og lektier",
        meeting_frequency="ca. 2 timer hver anden uge",
        planned_end=match.planned_end,
    )
    FollowUpTaskFactory(match=match, due_on=_today())
    login(client, world.users["volunteer"])
    html = client.get(_page_url(match)).content.decode()
    assert world.family_a.name in html
    assert "Faste rutiner" in html  # the match's agreed focus
    assert "Rutiner om morgenen og lektier" in html  # the agreement's
    assert "ca. 2 timer hver anden uge" in html
    assert 'href="tel:+45 21 22 23 24"' in html
    assert 'href="mailto:jens@example.org"' in html
    assert _create_url(match) in html
    # Tasks are about the volunteer: not shown to them.
    assert "Åbne opfølgningsopgaver" not in html


@pytest.mark.parametrize("role", ["leader", "central", "followup", "admin"])
def test_those_who_follow_up_see_the_open_tasks_with_overdue_marked(client, world, match, role):
    today = _today()
    FollowUpTaskFactory(match=match, due_on=today - timedelta(days=4))
    FollowUpTaskFactory(match=match, due_on=today + timedelta(days=20))
    FollowUpTaskFactory(match=match, due_on=today - timedelta(days=40), done_on=today)
    login(client, world.users[role])
    response = client.get(_page_url(match))
    assert response.status_code == 200
    tasks = response.context["tasks"]
    assert [t.overdue for t in tasks] == [True, False]
    html = response.content.decode()
    assert "Åbne opfølgningsopgaver" in html
    assert html.count("list-group-item-danger") == 1
    assert "Forfalden" in html
    assert _create_url(match) not in html  # nobody logs on the volunteer's behalf
    try:
        task_url = reverse("followup_task", kwargs={"pk": tasks[0].pk})
    except NoReverseMatch:
        task_url = None
    if task_url:
        assert f'href="{task_url}"' in html


def test_before_both_said_yes_the_volunteer_sees_no_names(client, world, match):
    match.status = Match.Status.PROPOSED
    match.save(update_fields=["status"])
    login(client, world.users["volunteer"])
    html = client.get(_page_url(match)).content.decode()
    assert world.family_a.name not in html
    assert "Mette" not in html and "+45 21 22 23 24" not in html
    assert "Faste rutiner" not in html
    assert _create_url(match) not in html


def test_the_check_ins_page_newest_first(client, world, match):
    today = _today()
    for days in range(25):
        CheckInFactory(match=match, met_on=today - timedelta(days=days), note=f"note {days}")
    login(client, world.users["volunteer"])
    first = client.get(_page_url(match))
    notes = [c.note for c in first.context["page"]]
    assert notes == [f"note {d}" for d in range(20)]
    second = client.get(_page_url(match) + "?side=2")
    assert [c.note for c in second.context["page"]] == [f"note {d}" for d in range(20, 25)]


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["volunteer", "leader", "followup", "central"])
def test_the_follow_up_page_costs_the_same_at_5_and_100_check_ins(client, world, match, role):
    today = _today()
    activities = [Activity.OUTING, Activity.CONVERSATION]

    def add(n, first_task_day):
        CheckIn.objects.bulk_create(
            CheckIn(
                match=match,
                met_on=today - timedelta(days=i % 140),
                minutes=60 + i % 4 * 30,
                place=MeetingPlace.HOME,
                activities=activities,
                wants_sparring=i % 7 == 0,
            )
            for i in range(n)
        )
        for i in range(n // 5):
            FollowUpTaskFactory(match=match, due_on=today + timedelta(days=first_task_day + i))

    login(client, world.users[role])
    client.get(_page_url(match))  # the first request after logging in also saves the session
    add(5, -2)
    small = _count(client, _page_url(match))
    add(95, 0)
    assert _count(client, _page_url(match)) == small
    assert small <= 15, f"the follow-up page costs {small} queries"


# ---------------------------------------------------------------------------
# Hours per month: the query functions


def test_minutes_by_month_across_a_new_year(world, match):
    match.started_on = date(2025, 11, 20)
    match.save(update_fields=["started_on"])
    for day, minutes in [
        (date(2025, 12, 1), 60),
        (date(2025, 12, 31), 45),
        (date(2026, 1, 1), 120),
        (date(2026, 3, 3), 30),
    ]:
        CheckInFactory(match=match, met_on=day, minutes=minutes)
    totals = checkins.minutes_by_month(CheckIn.objects.filter(match=match))
    assert totals == {
        date(2025, 12, 1): (105, 2),
        date(2026, 1, 1): (120, 1),
        date(2026, 3, 1): (30, 1),
    }
    table = checkins.match_hours(match, today=date(2026, 4, 10))
    assert [(r.month, r.minutes) for r in table] == [
        (date(2025, 11, 1), 0),
        (date(2025, 12, 1), 105),
        (date(2026, 1, 1), 120),
        (date(2026, 2, 1), 0),
        (date(2026, 3, 1), 30),
        (date(2026, 4, 1), 0),
    ]
    assert table[1].hours == 1.8


def test_months_back_crosses_the_year():
    assert checkins.months_back(date(2026, 2, 14), 4) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_a_closed_match_counts_to_its_end(world, match):
    match.started_on, match.ended_on = date(2026, 1, 10), date(2026, 3, 5)
    match.save(update_fields=["started_on", "ended_on"])
    months = [r.month for r in checkins.match_hours(match, today=date(2026, 11, 1))]
    assert months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def test_the_volunteers_hours_are_their_own(world, match, django_assert_num_queries):
    today = _today()
    second = MatchFactory(family=world.family_a, volunteer=world.volunteer_a)
    CheckInFactory(match=match, met_on=_month(today, 0), minutes=60)
    CheckInFactory(match=second, met_on=_month(today, 0), minutes=90)
    CheckInFactory(match=match, met_on=_month(today, 1), minutes=30)
    CheckInFactory(match=match, met_on=_month(today, 8), minutes=600)  # too long ago
    CheckInFactory(match=MatchFactory(family=world.family_b), met_on=today, minutes=240)
    user = world.users["volunteer"]
    with django_assert_num_queries(1):
        table = checkins.volunteer_hours(access.check_ins_for(user), today=today, months=6)
    assert [r.month for r in table] == checkins.months_back(today, 6)
    assert [r.minutes for r in table][-2:] == [30, 150]
    assert sum(r.minutes for r in table) == 180


def test_recent_hours_for_the_cards_in_one_query(world, match, django_assert_num_queries):
    today = _today()
    second = MatchFactory(family=world.family_a, volunteer=world.volunteer_a)
    CheckInFactory(match=match, met_on=_month(today, 2), minutes=60)
    CheckInFactory(match=match, met_on=_month(today, 0), minutes=90)
    CheckInFactory(match=second, met_on=_month(today, 0), minutes=30)
    CheckInFactory(match=match, met_on=_month(today, 3), minutes=600)  # before the window
    matches = list(Match.objects.filter(pk__in=[match.pk, second.pk]).order_by("pk"))
    with django_assert_num_queries(1):
        checkins.with_recent_hours(matches, today=today)
    assert [r.minutes for r in matches[0].recent_hours] == [60, 0, 90]
    assert [r.minutes for r in matches[1].recent_hours] == [0, 0, 30]


# ---------------------------------------------------------------------------
# The volunteer's start page


def test_the_volunteer_home_cards_lead_to_logging_and_hours(client, world, match):
    login(client, world.users["volunteer"])
    html = client.get(reverse("home")).content.decode()
    assert f'href="{_create_url(match)}"' in html
    assert f'href="{_page_url(match)}"' in html
    assert "Faste rutiner" in html


def test_the_cards_show_hours_per_month_when_given(world, match, rf):
    """The start page's cards show each match's last months when the view passes them
    (checkins.with_recent_hours) and the volunteer's total per month (volunteer_hours)."""
    today = _today()
    CheckInFactory(match=match, met_on=_month(today, 0), minutes=150)
    user = world.users["volunteer"]
    request = rf.get("/")
    request.user = user
    matches = checkins.with_recent_hours(
        Match.objects.filter(pk=match.pk).select_related("family__branch", "volunteer"),
        today=today,
    )
    with translation.override("da"):
        html = render_to_string(
            "familien/home/volunteer.html",
            {
                "matches": matches,
                "my_hours": checkins.volunteer_hours(access.check_ins_for(user), today=today),
                "user": user,
            },
            request=request,
        )
        this_month = formats.date_format(_month(today, 0), "M Y")
    assert this_month in html
    assert "2,5 t" in html
    assert "Mine timer pr. måned" in html
    assert user.role == Role.VOLUNTEER and "Log et møde" in html


def test_an_empty_post_is_refused_beside_each_field(client, world, match):
    login(client, world.users["volunteer"])
    response = client.post(_create_url(match), {})
    assert response.status_code == 200
    html = response.content.decode()
    for message in (
        "Vælg datoen for mødet.",
        "Vælg hvor længe I mødtes.",
        "Vælg hvordan I mødtes.",
    ):
        assert message in html
    assert not CheckIn.objects.exists()
