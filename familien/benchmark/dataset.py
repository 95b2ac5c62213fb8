"""A national-scale data set for the performance benchmark (issue 8 item 1).

At scale 1.0: 202 branches, 100,000 families (150,000 parents, 180,000 children), 50,000
volunteers, 200,000 matches (with their support requests and 10,000 waiting ones),
3,000,000 check-ins, follow-up tasks for the running matches, 1,000,000 survey invitations
with 5,000,000 contact attempts and a response for each answered invitation. Every count
but the branches scales linearly with ``scale``; the branches stay 202 at any scale, so a
small set still spreads over the whole country and the branch lists keep their length.

Deterministic: every row comes from ``random.Random`` seeded by the seed, the table and
the row's index, and the dates are counted from ``today``; ids are given explicitly from
the table's current maximum, so the same seed on an empty database gives the same rows.

Fast: on PostgreSQL the big tables are written with COPY (psycopg 3) from generators, one
transaction per table, never a list of all rows in memory; only a few compact arrays per
family, match and invitation are kept to link the tables. On SQLite the same rows go in
with executemany in batches of BATCH, each in its own transaction.

Responses carry their scores but no Answer rows: ten or more answers per response would
add millions of rows the benchmark's pages never read (the report's sample builder,
surveys/report_sample.py, fills answers where a report needs them).
"""

import json
import random
import time
from array import array
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction

from familien.demo.branch_locations import BRANCH_LOCATIONS
from familien.demo.families import MATCH_FOCUS
from familien.management.commands.seed_demo import BRANCHES
from familien.models import (
    ArrivalChannel,
    Availability,
    Branch,
    Child,
    ChildCertificate,
    ConsentState,
    Employment,
    Family,
    Gender,
    Language,
    Parent,
    ParentEducation,
    PipelineStep,
    Programme,
    SupportReason,
    SurveyChannel,
    Volunteer,
    VolunteerEducation,
)
from familien.search import normalise, search_text_for
from followup.models import Activity, CheckIn, CloseReason, FollowUpTask, MeetingPlace
from matching.distances import compute_branch_distances
from matching.models import Match, MeetingMode, SupportRequest
from surveys.models import (
    ContactAttempt,
    Invitation,
    Questionnaire,
    Respondent,
    Response,
    Step,
    SurveyKind,
)
from surveys.scoring import SWEMWBS_METRIC
from surveys.tokens import hash_token, token_for

BRANCH_COUNT = 202
# The national figures at scale 1.0.
NATIONAL = {
    "families": 100_000,
    "volunteers": 50_000,
    "matches": 200_000,
    "waiting_requests": 10_000,
    "check_ins": 3_000_000,
    "invitations": 1_000_000,
    "contact_attempts": 5_000_000,
}
BATCH = 5_000

SURNAMES = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
    "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Ahmed",
    "Hussein", "Ali", "Yilmaz", "Nguyen", "Kowalski", "Østergaard", "Lund", "Holm", "Berg",
]  # fmt: skip
FIRST_NAMES = [
    "Mette", "Anne", "Louise", "Camilla", "Sara", "Fatima", "Amina", "Lene", "Maria",
    "Søren", "Lars", "Jens", "Mohammed", "Ahmad", "Peter", "Michael", "Thomas", "Henrik",
    "Rasmus", "Jørgen", "Birgitte", "Hanne", "Zeynep", "Aisha", "Bo", "Åse", "Ole",
]  # fmt: skip
CHILD_NAMES = [
    "Emma", "Ida", "Clara", "Alma", "Freja", "Noah", "William", "Oscar", "Lucas", "Karl",
    "Malik", "Yasmin", "Aya", "Omar", "Sofie", "Liva", "Ella", "Viggo", "Alfred", "Asta",
]  # fmt: skip
# Match states per 1,000: most matches are running or closed, a few in each early step.
MATCH_STATUS_MIX = [
    (Match.Status.PROPOSED, 10),
    (Match.Status.VOLUNTEER_ASKED, 10),
    (Match.Status.MEETING_PLANNED, 10),
    (Match.Status.DECIDED, 5),
    (Match.Status.AGREEMENT_SIGNED, 5),
    (Match.Status.ACTIVE, 300),
    (Match.Status.ENDING, 40),
    (Match.Status.CLOSED, 580),
    (Match.Status.DECLINED, 25),
    (Match.Status.WITHDRAWN, 15),
]
STATUSES = [status for status, _weight in MATCH_STATUS_MIX]
STATUS_WEIGHTS = [weight for _status, weight in MATCH_STATUS_MIX]
STARTED = {Match.Status.ACTIVE, Match.Status.ENDING, Match.Status.CLOSED}
RUNNING = {Match.Status.ACTIVE, Match.Status.ENDING}
# Family friends are most matches; workplace mentors, who have no survey, are rare.
PROGRAMME_WEIGHTS = {
    Programme.FAMILY_FRIEND: 70,
    Programme.JOB_MENTOR: 14,
    Programme.EDUCATION_MENTOR: 12,
    Programme.WORKPLACE_MENTOR: 4,
}
VOLUNTEER_STEPS = [
    (PipelineStep.SIGNED_UP, 6),
    (PipelineStep.CONTACTED, 4),
    (PipelineStep.INTRO_TALK, 3),
    (PipelineStep.COURSE_BOOKED, 3),
    (PipelineStep.COURSE_COMPLETED, 3),
    (PipelineStep.READY, 25),
    (PipelineStep.ACTIVE, 40),
    (PipelineStep.PAUSED, 6),
    (PipelineStep.LEFT, 10),
]
MATCHABLE_STEPS = {PipelineStep.READY, PipelineStep.ACTIVE, PipelineStep.PAUSED, PipelineStep.LEFT}
INVITATION_STATUS_MIX = [
    (Invitation.Status.ANSWERED, 55),
    (Invitation.Status.NON_RESPONSE, 22),
    (Invitation.Status.OPEN, 15),
    (Invitation.Status.OPTED_OUT, 3),
    (Invitation.Status.CANCELLED, 5),
]
INVITATION_STATUSES = [status for status, _weight in INVITATION_STATUS_MIX]
INVITATION_STATUS_WEIGHTS = [weight for _status, weight in INVITATION_STATUS_MIX]
KIND_CODES = [SurveyKind.PRE, SurveyKind.FOLLOW_UP, SurveyKind.POST, SurveyKind.VOLUNTEER]
# The reminder chain of DOMAIN.md §14, one attempt per step, then more calls.
ATTEMPT_STEPS = [Step.INVITE, Step.SMS_REMINDER, Step.MAIL_REMINDER]
MAX_ATTEMPTS = 12


def scaled(count, scale):
    return max(1, round(count * scale))


def share(total, parts, index):
    """Part ``index`` of ``total`` cut into ``parts`` near-equal whole pieces (they sum to
    ``total`` exactly)."""
    return total * (index + 1) // parts - total * index // parts


def row_rng(seed, table, index):
    """A generator for one row (or one parent row's children): any pass over a table
    can rebuild the same row without keeping it."""
    return random.Random(f"{seed}:{table}:{index}")  # noqa: S311 - synthetic data


def at(day, hour=10, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def next_id(model):
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


# --- writing -----------------------------------------------------------------------


def check_columns(model, names):
    """Every NOT NULL column must be written: COPY knows no Django defaults."""
    missing = [
        field.name
        for field in model._meta.concrete_fields
        if not field.null and field.name not in names and field.attname not in names
    ]
    if missing:
        raise ValueError(f"{model.__name__}: columns not written: {missing}")


def sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def write_rows(model, names, rows):
    """Write ``rows`` (tuples in the order of the field ``names``) into the model's table;
    returns the number written."""
    check_columns(model, names)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    count = 0
    if connection.vendor == "postgresql":
        copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        with transaction.atomic(), connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    # Table and column names come from the models, never from input.
    placeholders = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    batch = []
    for row in rows:
        batch.append([sqlite_value(value) for value in row])
        if len(batch) >= BATCH:
            count += flush(sql, batch)
    return count + flush(sql, batch)


def flush(sql, batch):
    if not batch:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, batch)
    written = len(batch)
    batch.clear()
    return written


def finish_tables(models):
    """Move the id sequences past the explicit ids and refresh the planner's statistics."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# --- the builder -----------------------------------------------------------------------


class Builder:
    def __init__(self, *, scale, seed, today, progress):
        self.scale = scale
        self.seed = seed
        self.today = today
        self.progress = progress
        self.counts = {}
        self.target = {name: scaled(count, scale) for name, count in NATIONAL.items()}

    def step(self, label, function):
        started = time.perf_counter()
        count = function()
        self.counts[label] = count
        if self.progress:
            self.progress(label, count, time.perf_counter() - started)

    def run(self):
        self.step("branches", self.branches)
        self.step("branch distances", compute_branch_distances)
        self.plan_families()
        self.step("families", self.families)
        self.step("parents", self.parents)
        self.step("children", self.children)
        self.step("volunteers", self.volunteers)
        self.step("certificates", self.certificates)
        self.plan_matches()
        self.step("support requests", self.requests)
        self.step("matches", self.matches)
        self.step("check-ins", self.check_ins)
        self.step("follow-up tasks", self.tasks)
        self.plan_invitations()
        self.step("invitations", self.invitations)
        self.step("contact attempts", self.attempts)
        self.step("responses", self.responses)
        started = time.perf_counter()
        finish_tables(
            [
                Branch,
                Family,
                Parent,
                Child,
                Volunteer,
                ChildCertificate,
                SupportRequest,
                Match,
                CheckIn,
                FollowUpTask,
                Invitation,
                ContactAttempt,
                Response,
            ]
        )
        if self.progress:
            self.progress("sequences and ANALYZE", None, time.perf_counter() - started)
        return self.counts

    # --- branches

    def branches(self):
        rng = row_rng(self.seed, "branch", 0)
        start = next_id(Branch)
        rows = []
        for index in range(BRANCH_COUNT):
            municipality, region, postcode = BRANCHES[index % len(BRANCHES)]
            latitude, longitude = BRANCH_LOCATIONS[municipality]
            # About 90 of the 202 branches run the programme (DOMAIN.md §1); all run the
            # family friends here so every branch has families to list.
            programmes = [Programme.FAMILY_FRIEND]
            if rng.random() < 0.45:
                programmes += [Programme.JOB_MENTOR, Programme.EDUCATION_MENTOR]
            rows.append(
                Branch(
                    pk=start + index,
                    name=f"Benchmark {municipality} {start + index:03d}",
                    municipality=municipality,
                    region=region,
                    postcode=postcode,
                    programmes=programmes,
                    latitude=round(latitude + rng.uniform(-0.15, 0.15), 4),
                    longitude=round(longitude + rng.uniform(-0.15, 0.15), 4),
                )
            )
        Branch.objects.bulk_create(rows)
        self.branch_ids = [branch.pk for branch in rows]
        self.branch_postcodes = [branch.postcode for branch in rows]
        self.branch_cities = [branch.municipality for branch in rows]
        return len(rows)

    # --- families, parents, children

    def plan_families(self):
        count = self.target["families"]
        self.family_start = next_id(Family)
        self.parent_start = next_id(Parent)
        self.child_start = next_id(Child)
        # Every other family has two parents (150,000 parents for 100,000 families) and
        # four in five have two children (180,000 children).
        self.family_count = count
        self.family_branch = array("i", (index % BRANCH_COUNT for index in range(count)))

    def parents_of(self, index):
        return 2 if index % 2 == 0 else 1

    def first_parent_id(self, index):
        return self.parent_start + index + (index + 1) // 2

    def children_of(self, index):
        return 1 if index % 5 == 0 else 2

    def first_child_id(self, index):
        return self.child_start + 2 * index - (index + 4) // 5

    def people(self, index):
        """The family's surname and its parents, rebuilt the same way in every pass."""
        rng = row_rng(self.seed, "family", index)
        surname = rng.choice(SURNAMES)
        parents = []
        for number in range(self.parents_of(index)):
            first = rng.choice(FIRST_NAMES)
            parents.append(
                {
                    "first_name": first,
                    "last_name": surname,
                    "phone": f"+45{rng.randrange(20_000_000, 99_999_999)}",
                    "email": f"{normalise(first)}.{normalise(surname)}{index}-{number}@example.dk"
                    if rng.random() < 0.7
                    else "",
                }
            )
        return rng, surname, parents

    def families(self):
        today = self.today

        def rows():
            for index in range(self.family_count):
                rng, surname, parents = self.people(index)
                name = f"Familien {surname}"
                values = [name]
                for parent in parents:
                    values += [
                        parent["first_name"],
                        parent["last_name"],
                        parent["phone"],
                        parent["email"],
                    ]
                branch = self.family_branch[index]
                created = at(today - timedelta(days=rng.randrange(30, 2500)))
                closed = rng.random() < 0.1
                consent = ConsentState.GIVEN if rng.random() < 0.85 else ConsentState.MISSING
                yield (
                    self.family_start + index,
                    self.branch_ids[branch],
                    name,
                    f"Testvej {rng.randrange(1, 200)}",
                    self.branch_postcodes[branch],
                    self.branch_cities[branch],
                    Family.Status.CLOSED if closed else Family.Status.ACTIVE,
                    today - timedelta(days=rng.randrange(1, 400)) if closed else None,
                    json.dumps(rng.sample(SupportReason.values, rng.randint(1, 3))),
                    rng.choice(ArrivalChannel.values),
                    json.dumps([Language.DANISH]),
                    rng.random() < 0.1,
                    "",
                    ConsentState.GIVEN,
                    consent,
                    rng.random() < 0.2,
                    search_text_for(*values),
                    created,
                    created,
                )

        names = [
            "id", "branch", "name", "address", "postcode", "city", "status", "closed_on",
            "reasons", "arrival_channel", "languages", "needs_interpreter", "sensitive_notes",
            "data_consent", "evaluation_consent", "registered_centrally", "search_text",
            "created_at", "updated_at",
        ]  # fmt: skip
        return write_rows(Family, names, rows())

    def parents(self):
        def rows():
            for index in range(self.family_count):
                rng, _surname, parents = self.people(index)
                first = self.first_parent_id(index)
                for number, parent in enumerate(parents):
                    birth_year = self.today.year - rng.randrange(22, 60)
                    yield (
                        first + number,
                        self.family_start + index,
                        parent["first_name"],
                        parent["last_name"],
                        parent["phone"],
                        parent["email"],
                        SurveyChannel.MAIL if parent["email"] else SurveyChannel.SMS,
                        "",
                        "",
                        "",
                        rng.choice([Gender.FEMALE, Gender.FEMALE, Gender.MALE]),
                        birth_year,
                        "",
                        rng.choice(ParentEducation.values),
                        rng.choice(Employment.values),
                        len(parents) == 1,
                    )

        names = [
            "id", "family", "first_name", "last_name", "phone", "email", "preferred_channel",
            "postal_address", "postal_postcode", "postal_city", "gender", "birth_year",
            "age_band", "education", "employment", "single_provider",
        ]  # fmt: skip
        return write_rows(Parent, names, rows())

    def children(self):
        def rows():
            for index in range(self.family_count):
                rng = row_rng(self.seed, "children", index)
                first = self.first_child_id(index)
                for number in range(self.children_of(index)):
                    yield (
                        first + number,
                        self.family_start + index,
                        rng.choice(CHILD_NAMES),
                        self.today.year - rng.randrange(1, 17),
                        "",
                        number == 0,
                    )

        names = ["id", "family", "first_name", "birth_year", "school_class", "support_concerns"]
        return write_rows(Child, names, rows())

    # --- volunteers

    def volunteer_profile(self, index):
        rng = row_rng(self.seed, "volunteer", index)
        programmes = [Programme.FAMILY_FRIEND] if rng.random() < 0.7 else []
        for programme in (
            Programme.JOB_MENTOR,
            Programme.EDUCATION_MENTOR,
            Programme.WORKPLACE_MENTOR,
        ):
            if rng.random() < PROGRAMME_WEIGHTS[programme] / 100:
                programmes.append(programme)
        if not programmes:
            programmes = [Programme.FAMILY_FRIEND]
        step = rng.choices(
            [step for step, _w in VOLUNTEER_STEPS], [w for _s, w in VOLUNTEER_STEPS]
        )[0]
        return rng, programmes, step

    def volunteers(self):
        count = self.target["volunteers"]
        self.volunteer_start = next_id(Volunteer)
        self.volunteer_count = count
        today = self.today
        # Matchable volunteers per branch and each one's programmes, for the matches.
        self.pool = [[] for _ in range(BRANCH_COUNT)]
        self.volunteer_programmes = {}

        def rows():
            for index in range(count):
                rng, programmes, step = self.volunteer_profile(index)
                branch = index % BRANCH_COUNT
                pk = self.volunteer_start + index
                if step in MATCHABLE_STEPS:
                    self.pool[branch].append(pk)
                    self.volunteer_programmes[pk] = programmes
                first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
                phone = f"+45{rng.randrange(20_000_000, 99_999_999)}"
                email = f"{normalise(first)}.{normalise(last)}{index}@example.dk"
                created = at(today - timedelta(days=rng.randrange(30, 2500)))
                yield (
                    pk,
                    self.branch_ids[branch],
                    rng.choice([None, 10, 20, 30, 50]),
                    first,
                    last,
                    phone,
                    email,
                    self.branch_postcodes[branch],
                    rng.choice([Gender.FEMALE, Gender.FEMALE, Gender.MALE]),
                    today.year - rng.randrange(20, 75),
                    rng.choice(VolunteerEducation.values),
                    rng.choice(Employment.values),
                    "",
                    "",
                    json.dumps(programmes),
                    rng.random() < 0.3,
                    json.dumps([Language.DANISH]),
                    json.dumps(rng.sample(Availability.values, rng.randint(1, 5))),
                    rng.choice([1, 1, 1, 2]),
                    json.dumps([]),
                    "",
                    "",
                    step,
                    today - timedelta(days=rng.randrange(0, 700)),
                    rng.random() < 0.1,
                    search_text_for(first, last, phone, email),
                    created,
                    created,
                )

        names = [
            "id", "branch", "travel_km", "first_name", "last_name", "phone", "email",
            "postcode", "gender", "birth_year", "education", "employment", "occupation",
            "sector", "programmes", "online", "languages", "availability", "max_matches",
            "preferences", "preferences_note", "self_description", "pipeline_step",
            "pipeline_step_on", "registered_centrally", "search_text", "created_at",
            "updated_at",
        ]  # fmt: skip
        return write_rows(Volunteer, names, rows())

    def certificates(self):
        """An approved børneattest for every matchable volunteer: suggestions and
        activation ask for one."""
        start = next_id(ChildCertificate)
        today = self.today

        def rows():
            for number, pk in enumerate(sorted(self.volunteer_programmes)):
                rng = row_rng(self.seed, "certificate", pk)
                ordered = today - timedelta(days=rng.randrange(100, 1000))
                yield (
                    start + number,
                    pk,
                    ordered,
                    ordered + timedelta(days=14),
                    ordered + timedelta(days=30),
                    ChildCertificate.Outcome.APPROVED,
                    ordered + timedelta(days=30 + 3 * 365),
                )

        names = [
            "id", "volunteer", "ordered_on", "consent_deadline", "assessed_on", "outcome",
            "renewal_due",
        ]  # fmt: skip
        return write_rows(ChildCertificate, names, rows())

    # --- support requests and matches

    def plan_matches(self):
        """Each match's family, volunteer, programme, state and dates in compact arrays:
        the check-ins, tasks and invitations are built from them."""
        count = self.target["matches"]
        today = self.today.toordinal()
        self.match_start = next_id(Match)
        self.request_start = next_id(SupportRequest)
        self.match_count = count
        self.m_family = array("i")
        self.m_volunteer = array("i")
        self.m_programme = array("b")
        self.m_status = array("b")
        self.m_central = array("b")
        self.m_started = array("i")  # ordinal days, 0: none
        self.m_planned = array("i")
        self.m_ended = array("i")
        programmes = list(Programme.values)
        any_pool = [pk for pool in self.pool for pk in pool] or [self.volunteer_start]
        for index in range(count):
            rng = row_rng(self.seed, "match", index)
            # Two-parent families a little more often, as in the evaluation's sample.
            family = rng.randrange(self.family_count)
            if family % 2 and rng.random() < 0.3:
                family -= 1
            pool = self.pool[self.family_branch[family]] or any_pool
            volunteer = rng.choice(pool)
            offered = self.volunteer_programmes.get(volunteer, [Programme.FAMILY_FRIEND])
            programme = rng.choices(offered, [PROGRAMME_WEIGHTS[p] for p in offered])[0]
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            started = planned = ended = 0
            if status in STARTED:
                if status == Match.Status.CLOSED:
                    started = today - rng.randrange(120, 2200)
                    ended = min(today - 1, started + rng.randrange(60, 500))
                elif status == Match.Status.ENDING:
                    started = today - rng.randrange(330, 400)
                else:
                    started = today - rng.randrange(7, 360)
                planned = started + 365
            self.m_family.append(family)
            self.m_volunteer.append(volunteer)
            self.m_programme.append(programmes.index(programme))
            self.m_status.append(STATUSES.index(status))
            self.m_central.append(1 if rng.random() < 0.2 else 0)
            self.m_started.append(started)
            self.m_planned.append(planned)
            self.m_ended.append(ended)

    def requests(self):
        today = self.today
        programmes = list(Programme.values)
        waiting = self.target["waiting_requests"]

        def rows():
            for index in range(self.match_count):
                rng = row_rng(self.seed, "request", index)
                status = STATUSES[self.m_status[index]]
                if status in STARTED:
                    state = SupportRequest.Status.MATCHED
                elif status in (Match.Status.DECLINED, Match.Status.WITHDRAWN):
                    state = SupportRequest.Status.WITHDRAWN
                else:
                    state = SupportRequest.Status.MATCHING
                since = self.m_started[index] or today.toordinal() - rng.randrange(5, 200)
                yield self.request_row(
                    rng,
                    self.request_start + index,
                    self.m_family[index],
                    programmes[self.m_programme[index]],
                    state,
                    date.fromordinal(since - rng.randrange(20, 200)),
                    self.m_central[index] == 1,
                )
            for number in range(waiting):
                rng = row_rng(self.seed, "waiting", number)
                yield self.request_row(
                    rng,
                    self.request_start + self.match_count + number,
                    rng.randrange(self.family_count),
                    rng.choices(list(PROGRAMME_WEIGHTS), list(PROGRAMME_WEIGHTS.values()))[0],
                    SupportRequest.Status.WAITING,
                    today - timedelta(days=rng.randrange(1, 400)),
                    rng.random() < 0.15,
                    priority=rng.random() < 0.05,
                )

        names = [
            "id", "family", "programme", "for_parent", "wishes", "focus", "mode",
            "availability", "status", "waiting_since", "priority", "handled_centrally",
            "withdrawn_reason", "created_at",
        ]  # fmt: skip
        return write_rows(SupportRequest, names, rows())

    def request_row(self, rng, pk, family, programme, status, since, central, priority=False):
        return (
            pk,
            self.family_start + family,
            programme,
            self.first_parent_id(family),
            "",
            rng.choice(MATCH_FOCUS),
            rng.choice(MeetingMode.values),
            json.dumps(rng.sample(Availability.values, rng.randint(1, 4))),
            status,
            since,
            priority,
            central,
            "",
            at(since),
        )

    def matches(self):
        programmes = list(Programme.values)
        pending = {
            Match.Status.PROPOSED,
            Match.Status.VOLUNTEER_ASKED,
            Match.Status.MEETING_PLANNED,
        }
        yes, no, unanswered = "yes", "no", "pending"

        def rows():
            for index in range(self.match_count):
                rng = row_rng(self.seed, "match-row", index)
                status = STATUSES[self.m_status[index]]
                started, planned, ended = (
                    self.m_started[index],
                    self.m_planned[index],
                    self.m_ended[index],
                )
                created = (started or self.today.toordinal() - rng.randrange(1, 60)) - 30
                early = status in (Match.Status.PROPOSED, Match.Status.VOLUNTEER_ASKED)
                meeting = None if early else created + 14
                if status in pending:
                    family_says = volunteer_says = unanswered
                elif status == Match.Status.DECLINED:
                    family_says, volunteer_says = rng.choice([(no, yes), (yes, no)])
                elif status == Match.Status.WITHDRAWN:
                    family_says = volunteer_says = unanswered
                else:
                    family_says = volunteer_says = yes
                if status == Match.Status.CLOSED:
                    reason = rng.choice(CloseReason.values)
                elif status in (Match.Status.DECLINED, Match.Status.WITHDRAWN):
                    reason = "Benchmark"
                else:
                    reason = ""
                yield (
                    self.match_start + index,
                    self.request_start + index,
                    self.family_start + self.m_family[index],
                    self.m_volunteer[index],
                    programmes[self.m_programme[index]],
                    status,
                    Match.StartedBy.CENTRAL if self.m_central[index] else Match.StartedBy.LOCAL,
                    date.fromordinal(meeting) if meeting else None,
                    family_says,
                    volunteer_says,
                    reason,
                    date.fromordinal(started) if started else None,
                    date.fromordinal(planned) if planned else None,
                    date.fromordinal(ended) if ended else None,
                    rng.choice(MATCH_FOCUS) if started else "",
                    at(date.fromordinal(created)),
                )

        names = [
            "id", "request", "family", "volunteer", "programme", "status", "started_by",
            "meeting_on", "family_decision", "volunteer_decision", "end_reason", "started_on",
            "planned_end", "ended_on", "focus", "created_at",
        ]  # fmt: skip
        return write_rows(Match, names, rows())

    def started_matches(self):
        return [index for index in range(self.match_count) if self.m_started[index]]

    # --- check-ins and follow-up tasks

    def check_ins(self):
        started = self.started_matches()
        total = self.target["check_ins"]
        today = self.today.toordinal()
        start = next_id(CheckIn)
        places = MeetingPlace.values
        activities = Activity.values

        def rows():
            pk = start
            for position, index in enumerate(started):
                rng = row_rng(self.seed, "check-ins", index)
                first = self.m_started[index]
                last = self.m_ended[index] or today
                span = max(1, last - first)
                count = share(total, len(started), position)
                for number in range(count):
                    day = date.fromordinal(first + span * number // max(1, count))
                    yield (
                        pk,
                        self.match_start + index,
                        day,
                        rng.choice((60, 90, 120, 120, 150, 180)),
                        rng.choice(places),
                        json.dumps(rng.sample(activities, rng.randint(1, 3))),
                        "",
                        rng.random() < 0.02,
                        at(day, 18),
                    )
                    pk += 1

        names = [
            "id", "match", "met_on", "minutes", "place", "activities", "note",
            "wants_sparring", "created_at",
        ]  # fmt: skip
        return write_rows(CheckIn, names, rows())

    def tasks(self):
        """For each running match: a done follow-up, an open one (about half overdue),
        the end-of-course review near the planned end, now and then a silent-match alert."""
        today = self.today.toordinal()
        start = next_id(FollowUpTask)
        kind = FollowUpTask.Kind

        def rows():
            pk = start
            for index in range(self.match_count):
                if STATUSES[self.m_status[index]] not in RUNNING:
                    continue
                rng = row_rng(self.seed, "tasks", index)
                responsible = (
                    FollowUpTask.Responsible.CENTRAL
                    if self.m_central[index]
                    else FollowUpTask.Responsible.BRANCH
                )
                match = self.match_start + index
                first_due = self.m_started[index] + 30
                open_due = today + rng.randrange(-30, 30)
                if open_due == first_due:
                    open_due += 1
                planned = [
                    (kind.FOLLOW_UP, first_due, min(today, first_due + 3)),
                    (kind.FOLLOW_UP, open_due, None),
                ]
                if self.m_planned[index] - today < 60:
                    planned.append((kind.END_REVIEW, self.m_planned[index] - 30, None))
                if rng.random() < 0.05:
                    planned.append((kind.SILENT, today - rng.randrange(0, 20), None))
                for task_kind, due, done in planned:
                    yield (
                        pk,
                        match,
                        task_kind,
                        date.fromordinal(due),
                        responsible,
                        date.fromordinal(done) if done else None,
                        FollowUpTask.Outcome.GOING_WELL if done else "",
                        "",
                        "",
                        at(date.fromordinal(self.m_started[index])),
                    )
                    pk += 1

        names = [
            "id", "match", "kind", "due_on", "responsible", "done_on", "outcome", "decision",
            "note", "created_at",
        ]  # fmt: skip
        return write_rows(FollowUpTask, names, rows())

    # --- surveys

    def plan_invitations(self):
        """Which invitations exist: for every started match the parents' pre, follow-up
        and post forms and the volunteer's form, as far as the programme has a
        questionnaire, cut to the target count (a running match's later forms last)."""
        questionnaires = {}
        for pk, respondent, programme in (
            Questionnaire.objects.filter(published_at__isnull=False)
            .order_by("version", "pk")
            .values_list("pk", "respondent", "programme")
        ):
            questionnaires[(respondent, programme)] = pk  # the newest version wins
        programmes = list(Programme.values)
        started = self.started_matches()
        total = self.target["invitations"]
        self.i_match = array("i")
        self.i_kind = array("b")
        self.i_parent = array("i")  # 0: the volunteer's form
        self.i_questionnaire = array("i")
        offers = []
        for index in started:
            programme = programmes[self.m_programme[index]]
            family = self.m_family[index]
            parents = [
                self.first_parent_id(family) + number for number in range(self.parents_of(family))
            ]
            parent_form = questionnaires.get((Respondent.PARENT, programme))
            volunteer_form = questionnaires.get((Respondent.VOLUNTEER, programme))
            slots = []
            if parent_form:
                slots += [(0, parent, parent_form) for parent in parents]
            if volunteer_form:
                slots.append((3, 0, volunteer_form))
            if parent_form:
                slots += [(2, parent, parent_form) for parent in parents]
                slots += [(1, parent, parent_form) for parent in parents]
            offers.append((index, slots))
        # Each match takes its share in proportion to the forms it can have, so the total
        # is exactly the target whenever the matches can hold that many.
        capacity = sum(len(slots) for _index, slots in offers)
        total = min(total, capacity)
        before = 0
        for index, slots in offers:
            wanted = total * (before + len(slots)) // capacity - total * before // capacity
            before += len(slots)
            for kind, parent, questionnaire in slots[:wanted]:
                self.i_match.append(index)
                self.i_kind.append(kind)
                self.i_parent.append(parent)
                self.i_questionnaire.append(questionnaire)
        self.invitation_start = next_id(Invitation)

    def invited_on(self, index, kind):
        started, ended = self.m_started[index], self.m_ended[index]
        today = self.today.toordinal()
        day = {
            0: started,
            1: started + 180,
            2: (ended or started + 365) + 90,
            3: ended or started + 365,
        }[kind]
        return min(day, today - 1)

    def invitation_status(self, number):
        rng = row_rng(self.seed, "invitation", number)
        return rng, rng.choices(INVITATION_STATUSES, INVITATION_STATUS_WEIGHTS)[0]

    def attempt_count(self, number):
        """The invitation's share of the contact attempts: five each at the national
        figures (the invitation, two reminders, two calls), at most MAX_ATTEMPTS."""
        return min(MAX_ATTEMPTS, share(self.target["contact_attempts"], len(self.i_match), number))

    def invitations(self):
        secret_rng = row_rng(self.seed, "salts", 0)

        def rows():
            for number in range(len(self.i_match)):
                rng, status = self.invitation_status(number)
                index = self.i_match[number]
                kind = self.i_kind[number]
                parent = self.i_parent[number]
                invited = date.fromordinal(self.invited_on(index, kind))
                pk = self.invitation_start + number
                salt = f"{secret_rng.getrandbits(64):016x}{pk:016x}"
                if status == Invitation.Status.OPEN:
                    step = rng.choice([Step.SMS_REMINDER, Step.MAIL_REMINDER, Step.CALL, Step.CALL])
                    next_at = at(self.today + timedelta(days=rng.randrange(-3, 14)))
                    closed = None
                else:
                    step, next_at = Step.DONE, None
                    closed = at(invited + timedelta(days=rng.randrange(1, 40)), 12)
                yield (
                    pk,
                    self.i_questionnaire[number],
                    KIND_CODES[kind],
                    self.match_start + index,
                    parent or None,
                    None if parent else self.m_volunteer[index],
                    salt,
                    hash_token(token_for(salt)),
                    status,
                    step,
                    next_at,
                    self.attempt_count(number),
                    invited,
                    at(invited, 9),
                    closed,
                )

        names = [
            "id", "questionnaire", "kind", "match", "parent", "volunteer", "token_salt",
            "token_hash", "status", "next_step", "next_step_at", "attempts", "invited_on",
            "created_at", "closed_at",
        ]  # fmt: skip
        return write_rows(Invitation, names, rows())

    def attempts(self):
        start = next_id(ContactAttempt)
        outcomes = [
            ContactAttempt.Outcome.NO_ANSWER,
            ContactAttempt.Outcome.VOICEMAIL,
            ContactAttempt.Outcome.REACHED,
        ]

        def rows():
            pk = start
            for number in range(len(self.i_match)):
                rng = row_rng(self.seed, "attempts", number)
                invitation = self.invitation_start + number
                invited = date.fromordinal(
                    self.invited_on(self.i_match[number], self.i_kind[number])
                )
                by_sms = self.i_parent[number] and rng.random() < 0.6
                for attempt in range(self.attempt_count(number)):
                    step = ATTEMPT_STEPS[attempt] if attempt < len(ATTEMPT_STEPS) else Step.CALL
                    if step == Step.CALL:
                        channel, state = "phone", ContactAttempt.Status.DONE
                        outcome = rng.choice(outcomes)
                    else:
                        channel = (
                            "sms"
                            if step == Step.SMS_REMINDER or (step == Step.INVITE and by_sms)
                            else "mail"
                        )
                        failed = rng.random() < 0.03
                        state = (
                            ContactAttempt.Status.FAILED if failed else ContactAttempt.Status.SENT
                        )
                        outcome = ""
                    when = at(invited + timedelta(days=7 * attempt), 10, attempt % 60)
                    yield (
                        pk,
                        invitation,
                        f"benchmark:{invitation}:{attempt}",
                        step,
                        channel,
                        state,
                        1,
                        "",
                        "",
                        outcome,
                        "",
                        when,
                        when if state == ContactAttempt.Status.SENT else None,
                    )
                    pk += 1

        names = [
            "id", "invitation", "key", "step", "channel", "status", "tries", "provider_id",
            "error", "outcome", "note", "created_at", "sent_at",
        ]  # fmt: skip
        return write_rows(ContactAttempt, names, rows())

    def responses(self):
        start = next_id(Response)

        def rows():
            pk = start
            for number in range(len(self.i_match)):
                rng, status = self.invitation_status(number)
                if status != Invitation.Status.ANSWERED:
                    continue
                invited = date.fromordinal(
                    self.invited_on(self.i_match[number], self.i_kind[number])
                )
                submitted = at(invited + timedelta(days=rng.randrange(0, 30)), 20)
                parent = bool(self.i_parent[number])
                raw = rng.randint(7, 35) if parent else None
                yield (
                    pk,
                    self.invitation_start + number,
                    submitted,
                    submitted,
                    True,
                    raw,
                    SWEMWBS_METRIC[raw] if raw else None,
                    rng.randint(9, 45) if parent else None,
                    rng.randint(7, 35) if parent else None,
                )
                pk += 1

        names = [
            "id", "invitation", "started_at", "submitted_at", "complete", "swemwbs_raw",
            "swemwbs_metric", "pss_ps", "pss_lps",
        ]  # fmt: skip
        return write_rows(Response, names, rows())


def build_dataset(*, scale=1.0, seed=8, today=None, progress=None):
    """Build the national-scale data set; returns the rows written per table.

    ``progress(label, count, seconds)`` is called after each table."""
    builder = Builder(scale=scale, seed=seed, today=today or date.today(), progress=progress)
    return builder.run()
