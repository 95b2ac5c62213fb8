"""Volunteers: create and edit with validation, duplicates, scoping, the pipeline,
unreachable sign-ups, courses, search, list query counts and central registration."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from familien.models import (
    Availability,
    ChildCertificate,
    Course,
    CourseAttendance,
    Notification,
    PipelineEvent,
    Programme,
    RecruitmentContact,
    Role,
    Tag,
    Volunteer,
)
from familien.services import volunteers as services
from familien.services.volunteers import VolunteerError
from tests.conftest import login
from tests.factories import BranchFactory, UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def valid_data(branch, **overrides):
    data = {
        "first_name": "Søren",
        "last_name": "Ærø",
        "phone": "12 34 56 78",
        "email": "Soeren@Example.org",
        "postcode": "5000",
        "gender": "male",
        "birth_year": "1970",
        "education": "medium_higher",
        "employment": "employed",
        "occupation": "Pædagog",
        "sector": "care",
        "branch": str(branch.pk),
        "travel_km": "15",
        "programmes": [Programme.FAMILY_FRIEND],
        "languages": ["da", "en"],
        "availability": [Availability.MON_EVENING, Availability.WEEKEND_DAY],
        "max_matches": "1",
        "preferences": ["small_children"],
        "preferences_note": "",
        "self_description": "Jeg kan lide at lave mad.",
        "new_tags": "",
    }
    data.update(overrides)
    return data


def leader_client(client, world):
    return login(client, world.users["leader"])


# ---------------------------------------------------------------------------
# Create and edit


def test_leader_registers_a_volunteer_with_normalised_phone_tags_and_first_step(client, world):
    leader_client(client, world)
    Tag.objects.create(name="Madlavning")
    response = client.post(
        reverse("volunteer_create"),
        valid_data(world.branch_a, new_tags="madlavning, Fodbold ,  Lektiehjælp"),
    )
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(last_name="Ærø")
    assert response["Location"] == reverse("volunteer_detail", args=[volunteer.pk])
    assert volunteer.phone == "+4512345678"
    assert volunteer.email == "soeren@example.org"
    assert "soeren aeroe" in volunteer.search_text and "12345678" in volunteer.search_text
    assert volunteer.registered_by == world.users["leader"]
    assert not volunteer.registered_centrally
    assert sorted(volunteer.tags.values_list("name", flat=True)) == [
        "Fodbold",
        "Lektiehjælp",
        "Madlavning",
    ]
    assert Tag.objects.filter(name__iexact="madlavning").count() == 1
    assert list(volunteer.pipeline_events.values_list("step", flat=True)) == ["signed_up"]
    assert volunteer.availability == [Availability.MON_EVENING, Availability.WEEKEND_DAY]
    # The leader's own branches only: no notification for a local registration.
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "1234", "8 cifre"),
        ("phone", "12 34 ab 78", "kun"),
        ("email", "ikke-en-mail", "e-mail"),
        ("postcode", "500", "fire cifre"),
        ("postcode", "50a0", "fire cifre"),
        ("birth_year", "1920", "fødselsår"),
        ("birth_year", str(TODAY.year - 10), "fødselsår"),
        ("travel_km", "301", "0 til 300"),
        ("max_matches", "0", "1 til 5"),
        ("max_matches", "6", "1 til 5"),
        ("first_name", "<script>alert(1)</script>", "< og >"),
        ("first_name", "", "udfyldes"),
        ("new_tags", "ok, <b>fed</b>", "< og >"),
        ("programmes", ["astronaut"], "gyldig valgmulighed"),
    ],
)
def test_create_refuses_bad_input_with_a_danish_message_beside_the_field(
    client, world, field, value, message
):
    leader_client(client, world)
    response = client.post(
        reverse("volunteer_create"), valid_data(world.branch_a, **{field: value})
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message.lower() in " ".join(form.errors[field]).lower()
    assert not Volunteer.objects.filter(last_name="Ærø").exists()
    assert not Tag.objects.exists()


def test_leader_cannot_register_in_another_branch(client, world):
    leader_client(client, world)
    response = client.post(reverse("volunteer_create"), valid_data(world.branch_b))
    assert "branch" in response.context["form"].errors
    assert not Volunteer.objects.filter(last_name="Ærø").exists()


def test_duplicate_phone_warns_with_a_link_and_saves_only_when_told(client, world):
    existing = VolunteerFactory(branch=world.branch_a, phone="+4512345678")
    leader_client(client, world)
    response = client.post(reverse("volunteer_create"), valid_data(world.branch_a))
    assert response.status_code == 200
    assert reverse("volunteer_detail", args=[existing.pk]) in response.content.decode()
    assert "allerede registreret" in response.content.decode()
    assert not Volunteer.objects.filter(last_name="Ærø").exists()

    response = client.post(
        reverse("volunteer_create"), valid_data(world.branch_a, save_anyway="on")
    )
    assert response.status_code == 302
    assert Volunteer.objects.filter(last_name="Ærø").exists()


def test_duplicate_in_another_branch_warns_without_a_link(client, world):
    hidden = VolunteerFactory(branch=world.branch_b, email="soeren@example.org")
    leader_client(client, world)
    response = client.post(reverse("volunteer_create"), valid_data(world.branch_a, phone=""))
    body = response.content.decode()
    assert reverse("volunteer_detail", args=[hidden.pk]) not in body
    assert hidden.last_name not in body
    assert response.context["form"].duplicates


def test_duplicate_of_a_parent_links_to_the_family(client, world):
    leader_client(client, world)
    # The world's parent Mette in family A has +45 21 22 23 24.
    response = client.post(
        reverse("volunteer_create"), valid_data(world.branch_a, phone="21222324")
    )
    assert reverse("family_detail", args=[world.family_a.pk]) in response.content.decode()


def test_edit_keeps_search_text_and_is_not_a_duplicate_of_itself(client, world):
    volunteer = world.volunteer_a
    leader_client(client, world)
    url = reverse("volunteer_edit", args=[volunteer.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, valid_data(world.branch_a, first_name="Åse"))
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.first_name == "Åse"
    assert volunteer.search_text.startswith("aase")
    response = client.post(url, valid_data(world.branch_a, first_name="Åse"))
    assert response.status_code == 302


def test_edit_of_another_branchs_volunteer_is_404_and_followup_may_not_edit(client, world):
    other = Volunteer.objects.get(user=world.users["volunteer_other"])
    leader_client(client, world)
    assert client.get(reverse("volunteer_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("volunteer_advance", args=[other.pk])).status_code == 404
    login(client, world.users["followup"])
    assert client.get(reverse("volunteer_edit", args=[world.volunteer_a.pk])).status_code == 403
    response = client.get(reverse("volunteer_detail", args=[world.volunteer_a.pk]))
    assert response.status_code == 200
    assert not response.context["can_edit"]
    assert reverse("volunteer_edit", args=[world.volunteer_a.pk]) not in response.content.decode()


def test_central_registration_notifies_the_branchs_leaders(
    client, world, django_capture_on_commit_callbacks
):
    login(client, world.users["central"])
    with django_capture_on_commit_callbacks():
        response = client.post(reverse("volunteer_create"), valid_data(world.branch_a))
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(last_name="Ærø")
    assert volunteer.registered_centrally
    notes = Notification.objects.filter(kind=Notification.Kind.CENTRAL_VOLUNTEER)
    assert [n.recipient for n in notes] == [world.users["leader"]]
    assert notes[0].link == reverse("volunteer_detail", args=[volunteer.pk])


# ---------------------------------------------------------------------------
# Pipeline


def advance(volunteer, step, on, actor=None):
    return services.advance_volunteer(volunteer, step=step, on=on, actor=actor)


def approve_certificate(volunteer, on):
    certificate = services.order_certificate(volunteer, ordered_on=on, actor=None)
    services.record_certificate_assessment(
        certificate, assessed_on=on, outcome=ChildCertificate.Outcome.APPROVED, actor=None
    )


def test_pipeline_forward_pause_back_and_leave(world):
    volunteer = VolunteerFactory(branch=world.branch_a, pipeline_step_on=date(2026, 1, 1))
    day = date(2026, 1, 2)
    for step in ["contacted", "intro_talk", "course_booked", "course_completed"]:
        advance(volunteer, step, day)
    approve_certificate(volunteer, day)
    advance(volunteer, "ready", day)
    advance(volunteer, "active", day)
    advance(volunteer, "ready", day)
    advance(volunteer, "paused", date(2026, 2, 1))
    assert services.allowed_steps(volunteer) == ["ready", "left"]
    advance(volunteer, "ready", date(2026, 3, 1))
    advance(volunteer, "left", date(2026, 4, 1))
    volunteer.refresh_from_db()
    assert volunteer.pipeline_step == "left"
    assert volunteer.pipeline_step_on == date(2026, 4, 1)
    steps = list(volunteer.pipeline_events.values_list("step", flat=True))
    assert steps[-3:] == ["paused", "ready", "left"]
    assert services.allowed_steps(volunteer) == []


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("contacted", "signed_up"),  # backwards
        ("course_completed", "intro_talk"),
        ("intro_talk", "active"),  # active only from ready
        ("left", "contacted"),  # nothing after leaving
        ("left", "paused"),
        ("paused", "paused"),
    ],
)
def test_pipeline_refuses_moves_that_make_no_sense(world, start, target):
    volunteer = VolunteerFactory(
        branch=world.branch_a, pipeline_step=start, pipeline_step_on=date(2026, 1, 1)
    )
    with pytest.raises(VolunteerError):
        advance(volunteer, target, date(2026, 1, 2))
    volunteer.refresh_from_db()
    assert volunteer.pipeline_step == start
    assert not PipelineEvent.objects.filter(volunteer=volunteer).exists()


def test_pipeline_refuses_a_date_before_the_current_step(world):
    volunteer = VolunteerFactory(branch=world.branch_a, pipeline_step_on=date(2026, 3, 1))
    with pytest.raises(VolunteerError):
        advance(volunteer, "contacted", date(2026, 2, 1))


def test_family_friend_needs_a_valid_certificate_to_be_ready_but_a_mentor_does_not(world):
    friend = VolunteerFactory(
        branch=world.branch_a, pipeline_step="course_completed", pipeline_step_on=date(2026, 1, 1)
    )
    with pytest.raises(VolunteerError, match="børneattest"):
        advance(friend, "ready", date(2026, 1, 5))
    approve_certificate(friend, date(2026, 1, 3))
    advance(friend, "ready", date(2026, 1, 5))

    mentor = VolunteerFactory(
        branch=world.branch_a,
        programmes=[Programme.JOB_MENTOR],
        pipeline_step="course_completed",
        pipeline_step_on=date(2026, 1, 1),
    )
    advance(mentor, "ready", date(2026, 1, 5))


def test_the_step_form_turns_a_refused_move_into_a_danish_message(client, world):
    volunteer = VolunteerFactory(
        branch=world.branch_a, pipeline_step="course_completed", pipeline_step_on=date(2026, 1, 1)
    )
    leader_client(client, world)
    url = reverse("volunteer_advance", args=[volunteer.pk])
    response = client.post(url, {"step": "ready", "on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "børneattest" in response.content.decode()
    response = client.post(url, {"step": "signed_up", "on": TODAY.isoformat()})
    assert "gyldig valgmulighed" in response.content.decode()
    future = (TODAY + timedelta(days=2)).isoformat()
    response = client.post(url, {"step": "paused", "on": future})
    assert "fremtiden" in response.content.decode()
    response = client.post(url, {"step": "paused", "on": TODAY.isoformat(), "note": "Ferie"})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.pipeline_step == "paused"
    assert client.get(url).status_code == 405


# ---------------------------------------------------------------------------
# Contact attempts and the unreachable flag (report section 7.1)


def log(volunteer, outcome, minutes):
    return services.log_recruitment_contact(
        volunteer,
        channel="phone",
        outcome=outcome,
        actor=None,
        at=timezone.now() - timedelta(minutes=minutes),
    )


@override_settings(FAMILIEN_UNREACHABLE_AFTER_ATTEMPTS=3)
def test_unreachable_after_n_attempts_in_a_row(world):
    volunteer = VolunteerFactory(branch=world.branch_a, pipeline_step_on=date(2020, 1, 1))

    def flagged():
        return services.with_unreachable(Volunteer.objects.filter(pk=volunteer.pk)).get()

    log(volunteer, "no_answer", 50)
    log(volunteer, "voicemail", 40)
    assert not flagged().is_unreachable
    assert not services.is_unreachable(volunteer)
    log(volunteer, "no_answer", 30)
    assert flagged().is_unreachable and flagged().failed_attempts == 3
    assert services.is_unreachable(volunteer)


@override_settings(FAMILIEN_UNREACHABLE_AFTER_ATTEMPTS=2)
def test_reaching_a_sign_up_resets_the_count_and_moves_them_to_contacted(world):
    volunteer = VolunteerFactory(branch=world.branch_a, pipeline_step_on=date(2020, 1, 1))
    log(volunteer, "no_answer", 50)
    log(volunteer, "reached", 40)
    volunteer.refresh_from_db()
    assert volunteer.pipeline_step == "contacted"
    row = services.with_unreachable(Volunteer.objects.filter(pk=volunteer.pk)).get()
    assert row.failed_attempts == 0 and not row.is_unreachable


@override_settings(FAMILIEN_UNREACHABLE_AFTER_ATTEMPTS=2)
def test_list_shows_and_filters_the_unreachable(client, world):
    quiet = VolunteerFactory(branch=world.branch_a, first_name="Tavs")
    for minutes in (20, 10):
        log(quiet, "no_answer", minutes)
    leader_client(client, world)
    response = client.get(reverse("volunteer_list"), {"unreachable": "on"})
    assert [v.pk for v in response.context["rows"]] == [quiet.pk]
    assert "Ikke nået" in response.content.decode()
    response = client.get(reverse("volunteer_detail", args=[quiet.pk]))
    assert response.context["unreachable"]


def test_contact_form_records_an_attempt(client, world):
    leader_client(client, world)
    url = reverse("volunteer_contact_add", args=[world.volunteer_a.pk])
    assert client.post(url, {"channel": "sms", "outcome": "nonsense"}).status_code == 200
    assert not RecruitmentContact.objects.exists()
    response = client.post(url, {"channel": "sms", "outcome": "no_answer", "note": "Prøver igen"})
    assert response.status_code == 302
    assert RecruitmentContact.objects.get().by == world.users["leader"]


# ---------------------------------------------------------------------------
# Courses


def test_course_booking_and_attendance_move_the_pipeline(client, world):
    volunteer = VolunteerFactory(branch=world.branch_a, pipeline_step_on=date(2026, 1, 1))
    course = Course.objects.create(
        name="Frivilligkursus", kind="volunteer", on=date(2026, 1, 20), branch=world.branch_a
    )
    leader_client(client, world)
    response = client.post(
        reverse("volunteer_course_book", args=[volunteer.pk]), {"course": course.pk}
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.pipeline_step == "course_booked"
    # Booking twice is refused beside the field.
    response = client.post(
        reverse("volunteer_course_book", args=[volunteer.pk]), {"course": course.pk}
    )
    assert "allerede" in response.content.decode()
    attendance = CourseAttendance.objects.get(volunteer=volunteer)
    url = reverse("volunteer_attendance", args=[volunteer.pk, attendance.pk])
    assert client.post(url, {"status": "attended"}).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.pipeline_step == "course_completed"
    # Dated the course's day, or the booking's if that came later.
    assert volunteer.pipeline_step_on == max(date(2026, 1, 20), TODAY)


def test_no_show_keeps_the_step_and_other_branch_courses_are_not_offered(client, world):
    volunteer = VolunteerFactory(branch=world.branch_a, pipeline_step="course_booked")
    own = Course.objects.create(name="Eget", kind="volunteer", on=TODAY, branch=world.branch_a)
    national = Course.objects.create(name="Landsdækkende", kind="mentor", on=TODAY)
    foreign = Course.objects.create(
        name="Fremmed", kind="volunteer", on=TODAY, branch=world.branch_b
    )
    attendance = CourseAttendance.objects.create(volunteer=volunteer, course=own)
    leader_client(client, world)
    client.post(
        reverse("volunteer_attendance", args=[volunteer.pk, attendance.pk]), {"status": "no_show"}
    )
    volunteer.refresh_from_db()
    assert volunteer.pipeline_step == "course_booked"
    response = client.post(
        reverse("volunteer_course_book", args=[volunteer.pk]), {"course": foreign.pk}
    )
    assert "course" in response.context["book_form"].errors
    listed = client.get(reverse("course_list")).context["rows"]
    assert {c.pk for c in listed} == {own.pk, national.pk}


def test_course_create_validates_and_leaders_need_a_branch(client, world):
    leader_client(client, world)
    url = reverse("course_create")
    response = client.post(url, {"name": "Kursus", "kind": "volunteer", "on": "2026-02-30"})
    assert {"on", "branch"} <= set(response.context["form"].errors)
    response = client.post(
        url,
        {"name": "Kursus", "kind": "volunteer", "on": "2026-03-03", "branch": world.branch_b.pk},
    )
    assert "branch" in response.context["form"].errors
    response = client.post(
        url,
        {"name": "Kursus", "kind": "volunteer", "on": "2026-03-03", "branch": world.branch_a.pk},
    )
    assert response.status_code == 302
    assert Course.objects.get().branch == world.branch_a


# ---------------------------------------------------------------------------
# List: search, filters, scope, query counts


def test_search_with_danish_letters_and_phone_with_spaces(client, world):
    services.register_volunteer(
        VolunteerFactory.build(
            branch=world.branch_a, first_name="Søren", last_name="Ågård", phone="+4587654321"
        ),
        actor=world.users["leader"],
    )
    leader_client(client, world)
    for query in ["Søren", "soeren aagaard", "ÅGÅRD", "87 65 43 21", "+45 8765 4321"]:
        rows = client.get(reverse("volunteer_list"), {"q": query}).context["rows"]
        assert [v.last_name for v in rows] == ["Ågård"], query
    assert client.get(reverse("volunteer_list"), {"q": "Bodil"}).context["rows"] == []


def test_list_filters_and_scope(client, world):
    mentor = VolunteerFactory(
        branch=world.branch_a, programmes=[Programme.JOB_MENTOR], pipeline_step="ready"
    )
    leader_client(client, world)
    url = reverse("volunteer_list")
    rows = client.get(url).context["rows"]
    assert {v.branch_id for v in rows} == {world.branch_a.pk}
    assert [v.pk for v in client.get(url, {"programme": "job_mentor"}).context["rows"]] == [
        mentor.pk
    ]
    assert [v.pk for v in client.get(url, {"step": "ready"}).context["rows"]] == [mentor.pk]
    # Another branch's id in the filter is refused, not obeyed.
    response = client.get(url, {"branch": world.branch_b.pk})
    assert "branch" in response.context["form"].errors
    assert {v.branch_id for v in response.context["rows"]} == {world.branch_a.pk}
    assert client.get(url, {"sort": "-created"}).status_code == 200


def build_volunteers(count, branch):
    for i in range(count):
        volunteer = VolunteerFactory(branch=branch)
        ChildCertificate.objects.create(
            volunteer=volunteer,
            ordered_on=date(2025, 1, 1),
            consent_deadline=date(2025, 1, 15),
            outcome="approved" if i % 2 else "",
            assessed_on=date(2025, 1, 10) if i % 2 else None,
            renewal_due=date(2027, 1, 10) if i % 2 else None,
        )
        RecruitmentContact.objects.create(volunteer=volunteer, channel="phone", outcome="no_answer")
        volunteer.tags.add(Tag.objects.get_or_create(name="Madlavning")[0])


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", [Role.LEADER, Role.CENTRAL])
def test_list_costs_the_same_at_10_and_200_rows(client, role, django_assert_max_num_queries):
    """Session, user, OTP device, the branch choices of the filter, the count, the page
    (with the certificate and unreachable subqueries), and the leader's branches."""
    branch = BranchFactory()
    user = UserFactory(role=role, branches=[branch])
    login(client, user)
    build_volunteers(10, branch)
    url = reverse("volunteer_list") + "?certificate=valid&sort=branch"
    small = count_queries(client, url)
    build_volunteers(190, branch)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert len(response.context["rows"]) == 25
    assert small <= 12  # the same ceiling as tests/test_query_counts.py


def test_detail_costs_the_same_with_few_and_many_rows(client, world, django_assert_max_num_queries):
    volunteer = world.volunteer_a
    leader = world.users["leader"]
    leader_client(client, world)

    def add_rows(count):
        for i in range(count):
            course = Course.objects.create(name=f"K{i}", kind="volunteer", on=TODAY)
            CourseAttendance.objects.create(volunteer=volunteer, course=course)
            services.log_recruitment_contact(
                volunteer, channel="phone", outcome="no_answer", actor=leader
            )
            services.order_certificate(volunteer, ordered_on=TODAY, actor=leader)

    add_rows(2)
    url = reverse("volunteer_detail", args=[volunteer.pk])
    small = count_queries(client, url)
    add_rows(20)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert len(response.context["contacts"]) == 22
    assert response.context["history"]


@pytest.mark.parametrize("role", ["leader", "central"])
def test_detail_stays_within_budget_as_the_branch_and_courses_grow(
    client, world, role, django_assert_max_num_queries
):
    """15 queries (issue 8): session, user, OTP device; the volunteer with branch and
    registrant, tags, served branches, certificates, steps, contacts; the courses (the
    volunteer's bookings and those to book, one query), agreements, matches, history;
    the unread notifications; the session save when due (update, in the test's
    transaction a savepoint and its release). No query for the families of an
    agreement: that form is read only when asked for."""
    from familien.models import Family
    from tests.factories import FamilyFactory

    volunteer = world.volunteer_a
    login(client, world.users[role])
    url = reverse("volunteer_detail", args=[volunteer.pk])

    def grow(count):
        for i in range(count):
            FamilyFactory(branch=world.branch_a)
            course = Course.objects.create(
                name=f"Kursus {i}", kind="volunteer", on=TODAY, branch=world.branch_a
            )
            CourseAttendance.objects.create(volunteer=volunteer, course=course)
            Course.objects.create(name=f"Ledig {i}", kind="volunteer", on=TODAY)

    grow(2)
    small = count_queries(client, url)
    grow(30)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    # + the access-log insert; the session save's savepoint and release in the test
    assert small <= 15 + 1 + 2
    assert len(response.context["attendances"]) == 32
    assert Family.objects.filter(branch=world.branch_a).count() > 30
    assert response.context["agreement_form"] is None
    assert 'href="?agreement=new#agreements"' in response.content.decode()


def test_detail_courses_show_bookings_and_offer_recent_bookable_courses(client, world):
    volunteer = world.volunteer_a
    own_old = Course.objects.create(
        name="Gammelt", kind="volunteer", on=TODAY - timedelta(days=400), branch=world.branch_a
    )
    CourseAttendance.objects.create(volunteer=volunteer, course=own_old)
    coming = Course.objects.create(
        name="Kommende", kind="volunteer", on=TODAY + timedelta(days=10), branch=world.branch_a
    )
    national = Course.objects.create(name="Landsdækkende", kind="mentor", on=TODAY)
    long_ago = Course.objects.create(
        name="Længe siden", kind="volunteer", on=TODAY - timedelta(days=200)
    )
    Course.objects.create(name="Fremmed", kind="volunteer", on=TODAY, branch=world.branch_b)
    leader_client(client, world)
    response = client.get(reverse("volunteer_detail", args=[volunteer.pk]))
    [attendance] = response.context["attendances"]
    assert attendance.course == own_old and attendance.status == "booked"
    offered = [value for value, _label in response.context["book_form"].fields["course"].choices]
    assert offered == ["", coming.pk, national.pk]
    # The form still accepts an older course the leader may book (a late registration).
    response = client.post(
        reverse("volunteer_course_book", args=[volunteer.pk]), {"course": long_ago.pk}
    )
    assert response.status_code == 302
    assert CourseAttendance.objects.filter(volunteer=volunteer, course=long_ago).exists()


def test_agreement_form_is_read_only_when_asked_for(client, world):
    from tests.factories import FamilyFactory, MatchFactory

    volunteer = world.volunteer_a
    neighbour = FamilyFactory(branch=world.branch_a)
    elsewhere = FamilyFactory(branch=world.branch_b)
    MatchFactory(family=elsewhere, volunteer=volunteer)  # matched across branches
    FamilyFactory(branch=world.branch_b)  # neither in the branch nor matched
    login(client, world.users["central"])
    url = reverse("volunteer_detail", args=[volunteer.pk])
    assert client.get(url).context["agreement_form"] is None
    response = client.get(url, {"agreement": "new"})
    form = response.context["agreement_form"]
    choices = {value.value for value, _label in form.fields["family"].choices if value}
    assert choices == {world.family_a.pk, neighbour.pk, elsewhere.pk}
    assert 'id="agreement-form"' in response.content.decode()
    # A leader sees only their branches' families, even one matched elsewhere.
    login(client, world.users["leader"])
    form = client.get(url, {"agreement": "new"}).context["agreement_form"]
    choices = {value.value for value, _label in form.fields["family"].choices if value}
    assert choices == {world.family_a.pk, neighbour.pk}


def test_demo_volunteers_cover_every_certificate_state_and_unreachable_sign_ups(world):
    import random

    from faker import Faker

    from familien.demo.volunteers import make_courses, make_volunteer

    fake, rng = Faker("da_DK"), random.Random(3)
    fake.seed_instance(3)
    courses = make_courses(world.branch_a, TODAY)
    assert make_courses(world.branch_a, TODAY) == courses  # a second call adds nothing
    made = [
        make_volunteer(fake, rng, world.branch_a, today=TODAY, courses=courses) for _ in range(150)
    ]
    rows = services.with_unreachable(
        services.with_certificate_state(
            Volunteer.objects.filter(pk__in=[v.pk for v in made]), TODAY
        )
    )
    states = {row.certificate_state for row in rows}
    assert states == set(services.CertificateState.values)
    assert any(row.is_unreachable for row in rows)
    for volunteer in made:
        assert volunteer.phone.startswith("+45") and len(volunteer.phone) == 11
        assert volunteer.search_text
        events = list(volunteer.pipeline_events.order_by("on", "pk"))
        assert events[0].step == "signed_up" and events[-1].step == volunteer.pipeline_step
        if volunteer.pipeline_step in ("ready", "active") and services.needs_certificate(volunteer):
            # Some certificates expired since; all were approved when the volunteer got ready.
            assert volunteer.certificates.filter(outcome="approved").exists()
    assert CourseAttendance.objects.filter(status="no_show").exists()
