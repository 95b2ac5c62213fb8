"""Response rates like the report's Tabel 2.1 and 2.2 (issue 6 item 8; DOMAIN.md §15):
sent, answered (full and partial), of which partial, and the percent, per form and
programme, filtered by period, branch and programme, as a page and as CSV."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from familien.models import Programme
from matching.models import Match
from surveys.models import Channel, ContactAttempt, Invitation, Response, Step, SurveyKind
from surveys.rates import percent, rate_tables
from surveys.scoping import rate_invitations_for
from tests.conftest import login
from tests.factories import MatchFactory, ParentFactory, VolunteerFactory
from tests.test_survey_calls import add_attempt, make_invitation

Status = ContactAttempt.Status


def sent_invitation(match, *, kind=SurveyKind.PRE, answered=None, went_out=Status.SENT, **kw):
    """One invitation to a new parent of the match's family (or to ``volunteer``), sent
    (one attempt in status ``went_out``, none when None), and answered fully
    (answered="full"), partly ("partial") or not at all (None)."""
    if "volunteer" not in kw and "parent" not in kw:
        kw["parent"] = ParentFactory(family=match.family)
    invitation = make_invitation(
        match, kind=kind, attempts=1, next_step=Step.SMS_REMINDER, due=timezone.now(), **kw
    )
    if went_out is not None:
        add_attempt(
            invitation,
            channel=Channel.PRINT if went_out == Status.TO_POST else "sms",
            status=went_out,
        )
    if answered:
        Response.objects.create(
            invitation=invitation, submitted_at=timezone.now(), complete=answered == "full"
        )
        Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.ANSWERED)
    return invitation


def rows_of(tables):
    """{(table, section, row label in English): (sent, answered, partial, percent)}."""
    found = {}
    with translation.override("en"):
        for table in tables:
            for section in table.sections:
                for row in [*section.rows, section.total]:
                    found[(table.key, section.key, str(row.label))] = (
                        row.sent,
                        row.answered,
                        row.partial,
                        row.percent,
                    )
    return found


@pytest.fixture
def small_table(world):
    """A small Tabel 2.1 and 2.2, counted by hand:

    pre, family friend (branch A): 4 sent, 3 answered, 1 of them partial → 75 %; one more
      invitation cancelled before anything went out: not sent;
    pre, job mentor (branch B): 2 sent (one a letter to post), 1 answered → 50 %;
    pre total: 6 sent, 4 answered, 1 partial → 67 % (66.7 rounded);
    post, family friend: 1 post sent and answered, 1 follow-up sent, unanswered → 2, 1, 50 %;
    volunteers, family friend: 3 sent, 2 answered → 67 %; one of the answers was keyed in
      from paper without any delivered attempt, and still counts as sent.
    """
    ff = MatchFactory(family=world.family_a, started_by=Match.StartedBy.LOCAL)
    jm = MatchFactory(family=world.family_b, programme=Programme.JOB_MENTOR)
    sent_invitation(ff, answered="full")
    sent_invitation(ff, answered="full")
    sent_invitation(ff, answered="partial")
    sent_invitation(ff)
    cancelled = sent_invitation(ff, went_out=None)
    Invitation.objects.filter(pk=cancelled.pk).update(status=Invitation.Status.CANCELLED)
    add_attempt(cancelled, status=Status.CANCELLED)
    sent_invitation(jm, answered="full", went_out=Status.TO_POST)
    sent_invitation(jm, went_out=Status.FAILED)  # failed, then a call made later:
    add_attempt(Invitation.objects.latest("pk"), step=Step.CALL, channel="phone", status="done")
    sent_invitation(ff, kind=SurveyKind.POST, answered="full")
    sent_invitation(ff, kind=SurveyKind.FOLLOW_UP)
    for answered, went_out in (("full", Status.SENT), ("full", None), (None, Status.SENT)):
        sent_invitation(
            ff,
            kind=SurveyKind.VOLUNTEER,
            volunteer=VolunteerFactory(branch=world.branch_a),
            answered=answered,
            went_out=went_out,
        )
    return world


@pytest.mark.parametrize(
    "answered,sent,expected",
    [
        (3, 4, 75),
        (4, 6, 67),
        (83, 96, 86),
        (1, 8, 13),
        (5, 8, 63),
        (1, 2, 50),
        (0, 5, 0),
        (0, 0, None),
        (352, 400, 88),
        (289, 397, 73),
    ],
)
def test_percent_is_whole_and_rounded_half_up(answered, sent, expected):
    assert percent(answered, sent) == expected


@pytest.mark.django_db
def test_a_small_tabel_2_1_and_2_2_counted_by_hand(small_table):
    rows = rows_of(rate_tables(Invitation.objects.all()))
    assert rows[("parents", "pre", "Parents with a family friend")] == (4, 3, 1, 75)
    assert rows[("parents", "pre", "Parents with a job mentor")] == (2, 1, 0, 50)
    assert rows[("parents", "pre", "Parents with an education mentor")] == (0, 0, 0, None)
    assert rows[("parents", "pre", "Total participants, pre")] == (6, 4, 1, 67)
    assert rows[("parents", "post", "Parents with a family friend")] == (2, 1, 0, 50)
    assert rows[("parents", "post", "Total participants, post")] == (2, 1, 0, 50)
    assert rows[("parents", "follow_up", "Parents with a family friend")] == (1, 0, 0, 0)
    assert rows[("volunteers", "volunteer", "Family friends")] == (3, 2, 0, 67)
    assert rows[("volunteers", "volunteer", "Total")] == (3, 2, 0, 67)
    # The workplace mentor was never reported: no row without invitations.
    assert not any("workplace" in label for _t, _s, label in rows)


@pytest.mark.django_db
def test_the_page_shows_the_tables_in_danish(client, small_table):
    login(client, small_table.users["central"])
    response = client.get(reverse("survey_rates"))
    assert response.status_code == 200
    html = response.content.decode()
    pre = html[html.index('id="rates-pre"') :]
    pre = pre[: pre.index("</tbody>")]
    assert "Forældre med familieven" in pre
    assert ">4</td>" in pre and ">75 %</td>" in pre
    assert "Deltagere i alt, før" in pre and ">67 %</td>" in pre
    assert "Frivilligskema" in html


@pytest.mark.django_db
def test_the_filters_narrow_by_period_branch_and_programme(client, small_table):
    world = small_table
    old = timezone.make_aware(datetime(2025, 1, 10, 12))
    sent_invitation(MatchFactory(family=world.family_a), answered="full", created_at=old)
    login(client, world.users["central"])

    def pre_total(**query):
        response = client.get(reverse("survey_rates"), query)
        assert response.status_code == 200
        tables = response.context["tables"]
        return rows_of(tables)[("parents", "pre", "Total participants, pre")][:3]

    assert pre_total() == (7, 5, 1)
    assert pre_total(date_to="2025-12-31") == (1, 1, 0)
    today = timezone.localdate()
    assert pre_total(date_from=today.isoformat()) == (6, 4, 1)
    assert pre_total(date_from=(today + timedelta(days=1)).isoformat()) == (0, 0, 0)
    assert pre_total(branch=world.branch_b.pk) == (2, 1, 0)
    assert pre_total(programme=Programme.JOB_MENTOR) == (2, 1, 0)
    assert pre_total(branch=world.branch_a.pk, programme=Programme.JOB_MENTOR) == (0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "not a date"},
        {"date_from": "2026-05-01", "date_to": "2026-04-01"},
        {"branch": "999999"},
        {"branch": "x"},
        {"programme": "chess_club"},
    ],
)
def test_a_bad_filter_is_shown_and_left_out(client, small_table, query):
    login(client, small_table.users["central"])
    response = client.get(reverse("survey_rates"), query)
    assert response.status_code == 200
    assert response.context["filters"].errors
    assert 'class="invalid-feedback d-block"' in response.content.decode()


@pytest.mark.django_db
def test_a_leader_counts_only_their_branches(client, small_table):
    world = small_table
    leader_rows = rows_of(rate_tables(rate_invitations_for(world.users["leader"])))
    assert leader_rows[("parents", "pre", "Total participants, pre")][:3] == (4, 3, 1)
    other_rows = rows_of(rate_tables(rate_invitations_for(world.users["leader_other"])))
    assert other_rows[("parents", "pre", "Total participants, pre")][:3] == (2, 1, 0)
    # Another branch in the filter is refused: the scope stays.
    login(client, world.users["leader"])
    response = client.get(reverse("survey_rates"), {"branch": world.branch_b.pk})
    assert response.context["filters"].errors
    assert rows_of(response.context["tables"])[("parents", "pre", "Total participants, pre")][
        :3
    ] == (4, 3, 1)
    branches = list(response.context["filters"].fields["branch"].queryset)
    assert branches == [world.branch_a]


@pytest.mark.django_db
def test_the_evaluator_counts_everything_and_sees_no_names(client, small_table):
    world = small_table
    login(client, world.users["evaluator"])
    response = client.get(reverse("survey_rates"))
    assert response.status_code == 200
    rows = rows_of(response.context["tables"])
    assert rows[("parents", "pre", "Total participants, pre")] == (6, 4, 1, 67)
    html = response.content.decode()
    assert world.family_a.name not in html
    assert "Mette" not in html
    assert len(response.context["filters"].fields["branch"].queryset) == 2


@pytest.mark.django_db
def test_only_leaders_the_central_corps_administrators_and_evaluators(client, world):
    for name, expected in [
        ("leader", 200),
        ("central", 200),
        ("admin", 200),
        ("evaluator", 200),
        ("followup", 403),
        ("volunteer", 403),
    ]:
        login(client, world.users[name])
        assert client.get(reverse("survey_rates")).status_code == expected, name
        assert client.get(reverse("survey_rates_csv")).status_code == expected, name


@pytest.mark.django_db
def test_the_csv_has_the_same_rows_with_danish_headers(client, small_table):
    login(client, small_table.users["evaluator"])
    response = client.get(reverse("survey_rates_csv"), {"programme": Programme.FAMILY_FRIEND})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="svarprocenter.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "Tabel",
        "Skema",
        "Gruppe",
        "Udsendt",
        "Besvaret",
        "Heraf delvist besvaret",
        "Opnåelse i procent",
    ]
    assert ["Forældre", "Førskema", "Forældre med familieven", "4", "3", "1", "75"] in rows
    # The job mentor's row is there, empty under the programme filter.
    assert ["Forældre", "Førskema", "Forældre med jobmentor", "0", "0", "0", ""] in rows
    assert ["Frivillige", "Frivilligskema", "I alt", "3", "2", "0", "67"] in rows
    page = client.get(reverse("survey_rates"), {"programme": Programme.FAMILY_FRIEND})
    assert (
        reverse("survey_rates_csv") + f"?programme={Programme.FAMILY_FRIEND}"
        in page.content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 60])
def test_the_page_and_csv_take_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, size
):
    match = MatchFactory(family=world.family_a)
    for number in range(size):
        sent_invitation(match, answered="full" if number % 2 else None)
        sent_invitation(
            match, kind=SurveyKind.VOLUNTEER, volunteer=VolunteerFactory(branch=world.branch_a)
        )
    login(client, world.users["leader"])
    for name in ("survey_rates", "survey_rates_csv"):
        client.get(reverse(name))
        with django_assert_max_num_queries(15) as captured:
            assert client.get(reverse(name)).status_code == 200
        assert len(captured.captured_queries) == RATE_QUERIES.setdefault(
            name, len(captured.captured_queries)
        )


RATE_QUERIES = {}
