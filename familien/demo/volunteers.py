"""Invented volunteers for the demo, shaped like the report's numbers (DOMAIN.md §5.1)
and its recruitment story (§6: many advert sign-ups are never reached, some volunteers
do not turn up to the course)."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from familien.models import (
    Availability,
    ChildCertificate,
    Course,
    CourseAttendance,
    Employment,
    Gender,
    Language,
    PipelineEvent,
    PipelineStep,
    Programme,
    RecruitmentContact,
    Sector,
    Tag,
    Volunteer,
    VolunteerEducation,
    VolunteerPreference,
)
from familien.services.volunteers import FORWARD_STEPS, add_months, refresh_search_text

# Share of the volunteers per programme (family friends are most of them).
PROGRAMME_WEIGHTS = [
    (Programme.FAMILY_FRIEND, 0.62),
    (Programme.JOB_MENTOR, 0.2),
    (Programme.EDUCATION_MENTOR, 0.16),
    (Programme.WORKPLACE_MENTOR, 0.02),
]
# DOMAIN.md §5.1, per programme: share of women; age bands as (share, youngest, oldest).
WOMEN = {
    Programme.FAMILY_FRIEND: 0.78,
    Programme.JOB_MENTOR: 0.43,
    Programme.EDUCATION_MENTOR: 0.72,
    Programme.WORKPLACE_MENTOR: 0.5,
}
AGES = {
    Programme.FAMILY_FRIEND: [(0.59, 51, 78), (0.21, 40, 49), (0.20, 22, 39)],
    Programme.JOB_MENTOR: [(0.07, 60, 72), (0.39, 50, 59), (0.24, 40, 49), (0.30, 25, 39)],
    Programme.EDUCATION_MENTOR: [(0.20, 60, 75), (0.38, 50, 59), (0.33, 30, 49), (0.09, 20, 29)],
    Programme.WORKPLACE_MENTOR: [(1.0, 30, 62)],
}
# Tabel 3.1 (family friends) and §5.1 for the mentors.
EDUCATION = {
    Programme.FAMILY_FRIEND: [
        (VolunteerEducation.COMPULSORY, 11),
        (VolunteerEducation.SHORT_HIGHER, 19),
        (VolunteerEducation.MEDIUM_HIGHER, 36),
        (VolunteerEducation.LONG_HIGHER, 14),
        (VolunteerEducation.VOCATIONAL, 14),
        (VolunteerEducation.OTHER, 6),
    ],
    Programme.JOB_MENTOR: [
        (VolunteerEducation.LONG_HIGHER, 35),
        (VolunteerEducation.VOCATIONAL, 17),
        (VolunteerEducation.SHORT_HIGHER, 16),
        (VolunteerEducation.MEDIUM_HIGHER, 22),
        (VolunteerEducation.OTHER, 7),
    ],
    Programme.EDUCATION_MENTOR: [
        (VolunteerEducation.VOCATIONAL, 9),
        (VolunteerEducation.SHORT_HIGHER, 13),
        (VolunteerEducation.MEDIUM_HIGHER, 40),
        (VolunteerEducation.LONG_HIGHER, 29),
        (VolunteerEducation.OTHER, 9),
    ],
}
# Family friends: 60 % employed, 21 % retired, 7 % students, the rest other.
EMPLOYMENT = [
    (Employment.EMPLOYED, 60),
    (Employment.RETIRED, 21),
    (Employment.STUDENT, 7),
    (Employment.EARLY_RETIREMENT, 5),
    (Employment.UNEMPLOYED, 4),
    (Employment.OTHER, 3),
]
SECTORS = [
    (Sector.CARE, 40),
    (Sector.OFFICE, 31),
    (Sector.SERVICE, 10),
    (Sector.TECHNICAL, 4),
    (Sector.OTHER, 15),
]
OCCUPATIONS = {
    Sector.CARE: ["Pædagog", "Sygeplejerske", "Social- og sundhedsassistent", "Lærer"],
    Sector.OFFICE: ["Kontorassistent", "Bogholder", "Projektleder", "Sælger"],
    Sector.SERVICE: ["Butiksassistent", "Kok", "Frisør"],
    Sector.TECHNICAL: ["Elektriker", "Tømrer", "Ingeniør"],
    Sector.OTHER: ["Selvstændig", "Landmand", "Præst"],
}
TAGS = [
    "Lektiehjælp",
    "Madlavning",
    "Fodbold",
    "Budget og økonomi",
    "Jobsøgning",
    "CV og ansøgninger",
    "Friluftsliv",
    "Kreative aktiviteter",
    "Sprogtræning",
    "Bisidder",
]
# Where the demo volunteers stand: a fifth are fresh sign-ups (several never reached).
STEP_WEIGHTS = [
    (PipelineStep.SIGNED_UP, 18),
    (PipelineStep.CONTACTED, 8),
    (PipelineStep.INTRO_TALK, 7),
    (PipelineStep.COURSE_BOOKED, 7),
    (PipelineStep.COURSE_COMPLETED, 8),
    (PipelineStep.READY, 18),
    (PipelineStep.ACTIVE, 24),
    (PipelineStep.PAUSED, 5),
    (PipelineStep.LEFT, 5),
]
DESCRIPTIONS = [
    "Jeg har selv børn og ved, hvor travl en hverdag kan være. Jeg vil gerne være en "
    "ekstra voksen at tale med.",
    "Jeg er god til struktur og budgetter og hjælper gerne med at få styr på papirerne.",
    "Jeg har arbejdet mange år i erhvervslivet og vil gerne dele min erfaring med jobsøgning.",
    "Jeg elsker at være ude i naturen og at lave mad sammen med andre.",
    "Jeg har taget en lang uddannelse og hjælper gerne med studieteknik og motivation.",
]


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _tags():
    return {name: Tag.objects.get_or_create(name=name)[0] for name in TAGS}


def make_courses(branch, today):
    """Two courses for ``branch``: a volunteer course a month ago and one next month, and
    a national mentor course shared by every branch (created once). Call it once per
    branch before make_volunteer and pass the result as ``courses``."""
    national, _ = Course.objects.get_or_create(
        name="Mentorkursus (landsdækkende)",
        branch=None,
        defaults={"kind": Course.Kind.MENTOR, "on": today - timedelta(days=45)},
    )
    courses = [
        Course.objects.get_or_create(
            name=f"Frivilligkursus {branch.municipality}",
            branch=branch,
            on=on,
            defaults={"kind": Course.Kind.VOLUNTEER},
        )[0]
        for on in (today - timedelta(days=30), today + timedelta(days=30))
    ]
    return [*courses, national]


def make_volunteer(fake, rng, branch, today=None, courses=None):
    """An invented volunteer with a profile, the dated steps to where they stand,
    contact attempts, a course and, for family friends, a børneattest in some state."""
    today = today or timezone.localdate()
    programme = _weighted(rng, PROGRAMME_WEIGHTS)
    programmes = [programme]
    if programme != Programme.FAMILY_FRIEND and rng.random() < 0.25:
        programmes.append(Programme.FAMILY_FRIEND)
    female = rng.random() < WOMEN[programme]
    share, youngest, oldest = _weighted(rng, [(band, band[0]) for band in AGES[programme]])
    employment = _weighted(rng, EMPLOYMENT)
    sector = _weighted(rng, SECTORS) if employment == Employment.EMPLOYED else ""
    step = _weighted(rng, STEP_WEIGHTS)
    signed_up = today - timedelta(days=rng.randint(20, 700))
    first_name = fake.first_name_female() if female else fake.first_name_male()
    last_name = fake.last_name()
    days = sorted(rng.sample(Availability.values, k=rng.randint(2, 5)))
    volunteer = Volunteer(
        branch=branch,
        first_name=first_name,
        last_name=last_name,
        phone=f"+45{rng.randint(20000000, 99999999)}",
        email=f"{first_name}.{last_name}{rng.randint(1, 99)}@example.dk".lower().replace(" ", ""),
        postcode=branch.postcode,
        gender=Gender.FEMALE if female else Gender.MALE,
        birth_year=today.year - rng.randint(youngest, oldest),
        education=_weighted(rng, EDUCATION.get(programme, EDUCATION[Programme.FAMILY_FRIEND])),
        employment=employment,
        occupation=rng.choice(OCCUPATIONS[sector]) if sector else "",
        sector=sector,
        travel_km=rng.choice([5, 10, 15, 20, 30, 50]),
        programmes=programmes,
        online=rng.random() < 0.3,
        languages=[Language.DANISH]
        + rng.sample(
            [Language.ENGLISH, Language.ARABIC, Language.GERMAN, Language.TURKISH],
            k=rng.randint(0, 2),
        ),
        availability=days,
        max_matches=1 if rng.random() < 0.85 else 2,
        preferences=rng.sample(VolunteerPreference.values, k=rng.randint(0, 2)),
        self_description=rng.choice(DESCRIPTIONS),
        pipeline_step=step,
        pipeline_step_on=signed_up,
    )
    refresh_search_text(volunteer)
    volunteer.save()
    tags = _tags()
    volunteer.tags.set(rng.sample(list(tags.values()), k=rng.randint(1, 3)))
    _make_history(rng, volunteer, step, signed_up, today, courses or [])
    return volunteer


def _make_history(rng, volunteer, step, signed_up, today, courses):
    """Dated steps from sign-up to ``step``, with the attempts, course and certificate
    each step implies."""
    if step in (PipelineStep.PAUSED, PipelineStep.LEFT):
        reached = rng.choice(FORWARD_STEPS[1:])
    else:
        reached = step
    path = FORWARD_STEPS[: FORWARD_STEPS.index(reached) + 1]
    span = max(len(path), (today - signed_up).days)
    day = signed_up
    events = []
    for index, forward in enumerate(path):
        if index:
            day = min(today, day + timedelta(days=rng.randint(1, max(1, span // len(path)))))
        events.append((forward, day))
    if step in (PipelineStep.PAUSED, PipelineStep.LEFT):
        day = min(today, day + timedelta(days=rng.randint(1, 60)))
        events.append((step, day))
    PipelineEvent.objects.bulk_create(
        [PipelineEvent(volunteer=volunteer, step=s, on=on) for s, on in events]
    )
    volunteer.pipeline_step, volunteer.pipeline_step_on = events[-1]
    volunteer.save(update_fields=["pipeline_step", "pipeline_step_on"])
    _make_contacts(rng, volunteer, step, signed_up)
    steps = [s for s, _ in events]
    if courses and PipelineStep.COURSE_BOOKED in steps:
        course = rng.choice(courses)
        status = CourseAttendance.Status.BOOKED
        if PipelineStep.COURSE_COMPLETED in steps:
            status = CourseAttendance.Status.ATTENDED
        elif course.on < today and rng.random() < 0.5:
            status = CourseAttendance.Status.NO_SHOW  # "that is how volunteering is"
        CourseAttendance.objects.create(volunteer=volunteer, course=course, status=status)
    if Programme.FAMILY_FRIEND in volunteer.programmes:
        _make_certificate(rng, volunteer, steps, today)


def _make_contacts(rng, volunteer, step, signed_up):
    at = timezone.make_aware(datetime.combine(signed_up, time(10)))
    if step == PipelineStep.SIGNED_UP:
        # Advert sign-ups: some never answer (report section 7.1).
        attempts = rng.choice([0, 1, 2, 3, 4])
        outcomes = [RecruitmentContact.Outcome.NO_ANSWER, RecruitmentContact.Outcome.VOICEMAIL]
        rows = [rng.choice(outcomes) for _ in range(attempts)]
    else:
        rows = [RecruitmentContact.Outcome.NO_ANSWER] * rng.randint(0, 2) + [
            RecruitmentContact.Outcome.REACHED
        ]
    RecruitmentContact.objects.bulk_create(
        [
            RecruitmentContact(
                volunteer=volunteer,
                at=at + timedelta(days=index * 2),
                channel=rng.choice(
                    [RecruitmentContact.Channel.PHONE, RecruitmentContact.Channel.SMS]
                ),
                outcome=outcome,
            )
            for index, outcome in enumerate(rows)
        ]
    )


def _make_certificate(rng, volunteer, steps, today):
    """Ready and active family friends hold an approved certificate (some due for
    renewal, some who left let theirs expire); one booked on a course has one on order
    (some past the consent deadline) or was not approved."""
    months = settings.CERTIFICATE_RENEWAL_MONTHS
    consent_days = settings.CERTIFICATE_CONSENT_DAYS
    if PipelineStep.READY in steps or PipelineStep.ACTIVE in steps:
        if PipelineStep.LEFT in steps and rng.random() < 0.5:
            assessed = add_months(today, -months) - timedelta(days=rng.randint(5, 90))
        elif rng.random() < 0.2:
            assessed = add_months(today, -months) + timedelta(days=rng.randint(1, 25))
        else:
            assessed = today - timedelta(days=rng.randint(10, 500))
        _certificate(volunteer, assessed - timedelta(days=7), assessed, "approved", months)
    elif PipelineStep.COURSE_BOOKED in steps:
        # Not approved: the volunteer stops at the course or leaves.
        if rng.random() < (0.6 if PipelineStep.LEFT in steps else 0.15):
            assessed = today - timedelta(days=rng.randint(10, 200))
            _certificate(volunteer, assessed - timedelta(days=7), assessed, "rejected", months)
        else:
            ordered = today - timedelta(days=rng.randint(1, consent_days + 10))
            _certificate(volunteer, ordered, None, "", months)


def _certificate(volunteer, ordered: date, assessed, outcome, months):
    ChildCertificate.objects.create(
        volunteer=volunteer,
        ordered_on=ordered,
        consent_deadline=ordered + timedelta(days=settings.CERTIFICATE_CONSENT_DAYS),
        assessed_on=assessed,
        outcome=outcome,
        renewal_due=add_months(assessed, months) if outcome == "approved" else None,
    )
