"""Ranked, explained volunteer suggestions for a support request (issue 4 item 3).

The report finds that matching rests on the activity leader's memory and judgement
(section 7.2). Familien keeps the leader in charge: it proposes the volunteers who fit
best and says why, in reasons a leader can read and weigh.

How it works, and why it stays fast at 50,000 volunteers:

* A few small queries first read what we know about the family and the request: the
  weights, the children's ages and the parents (for the børneattest rule and the
  volunteers' preferences), the request's wishes and the latest intro meeting's needs and
  wishes, and the tag names (a short table) to find the tags the wishes mention.
* One more reads the distances to the family's branch from the branches within the
  longest travel range anyone states; they are written into the ranking's SQL, so no
  candidate looks its distance up, and a branch outside them is turned away at once.
* Then ONE query filters and ranks the volunteers in the database: ready or active, takes
  the programme, can reach the family (same branch, serves the family's branch, the
  branch distance within their travel range, or online when the family meets online),
  never a pair that declined each other before, not already proposed for this request.
  Every part of the score is an SQL expression, and the database returns only the top N.
* One last query fetches the matching tag names of those N volunteers, to show them.

Availability: the request says when the family can meet; each time slot the volunteer
shares scores MatchingWeights.availability, up to MAX_SHARED_SLOTS.
"""

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext as _

from familien import access
from familien.models import (
    Availability,
    ChildCertificate,
    Family,
    Language,
    Parent,
    PipelineStep,
    Programme,
    Tag,
    Volunteer,
    VolunteerPreference,
)
from familien.search import normalise
from matching.models import BranchDistance, Match, MatchingWeights, MeetingMode

# Danish law: a børneattest before regular contact with children under 15 (DOMAIN.md §3.3).
CERTIFICATE_AGE = 15
READY_STEPS = (PipelineStep.READY, PipelineStep.ACTIVE)
# A volunteer's matches that take up a place: everything from the proposal until it closes.
OCCUPYING_STATUSES = tuple(
    status
    for status in Match.Status.values
    if status not in (Match.Status.CLOSED, Match.Status.DECLINED, Match.Status.WITHDRAWN)
)
# A match already under way for this request: the volunteer is not suggested again.
OPEN_STATUSES = OCCUPYING_STATUSES
# A volunteer whose tags match many words still gets at most this many interest points.
MAX_INTEREST_HITS = 3
MAX_SHARED_SLOTS = 3
# Bits of ranked_lower: shown, but after every volunteer who can take the match.
LOWER_CAPACITY = 1
LOWER_CERTIFICATE = 2
# Tags shorter than this match too much ("it" in "mit"); they never count.
MIN_TAG_LENGTH = 3

Served = Volunteer.served_branches.through
Tagged = Volunteer.tags.through


class Reason(NamedTuple):
    """One line of a suggestion's score: what counts, in Danish, and its points."""

    label: str
    points: int


@dataclass
class Suggestion:
    volunteer: Volunteer
    score: int
    reasons: list
    at_capacity: bool
    needs_certificate: bool
    km: int | None
    # "same_branch", "served", "travel" or "online": how the volunteer reaches the family.
    reach: str
    open_matches: int
    info: list = field(default_factory=list)
    # Whether the user who asked may open the volunteer's record (suggest_volunteers).
    may_open: bool = False

    @property
    def ranked_lower(self):
        return self.at_capacity or self.needs_certificate


@dataclass(frozen=True)
class FamilyFacts:
    """What the family's request tells about who would fit (computed once per request)."""

    child_ages: tuple
    single_provider: bool
    needs_interpreter: bool
    languages: tuple
    children_involved: bool


def family_facts(request, *, today):
    """The family's children's ages, single providers, interpreter need and languages, and
    whether children under 15 are involved: a family friend in a family with a child under
    15, or a request for a child under 15 (DOMAIN.md §3.3). One query: a row per child,
    each carrying whether a parent provides alone."""
    family = request.family
    single_parent = Parent.objects.filter(family=OuterRef("pk"), single_provider=True)
    rows = list(
        Family.objects.filter(pk=family.pk).values_list(
            "children__birth_year", Exists(single_parent)
        )
    )
    ages = tuple(today.year - year for year, _single in rows if year is not None)
    single = bool(rows) and rows[0][1]
    if request.for_child_id:
        target = request.for_child
        involved = today.year - target.birth_year < CERTIFICATE_AGE
    else:
        involved = request.programme == Programme.FAMILY_FRIEND and any(
            age < CERTIFICATE_AGE for age in ages
        )
    return FamilyFacts(
        child_ages=ages,
        single_provider=single,
        needs_interpreter=family.needs_interpreter,
        languages=tuple(family.languages or ()),
        children_involved=involved,
    )


def fitting_preferences(facts):
    """The volunteer preferences (VolunteerPreference) this family fits; "near home" is
    decided per volunteer (same branch) in the query."""
    fits = set()
    ages = facts.child_ages
    if any(age < 6 for age in ages):
        fits.add(VolunteerPreference.SMALL_CHILDREN)
    if any(6 <= age <= 15 for age in ages):
        fits.add(VolunteerPreference.SCHOOL_CHILDREN)
    if any(13 <= age <= 17 for age in ages):
        fits.add(VolunteerPreference.TEENAGERS)
    if facts.single_provider:
        fits.add(VolunteerPreference.SINGLE_PROVIDERS)
    if facts.needs_interpreter:
        fits.add(VolunteerPreference.NEW_IN_DENMARK)
    return fits


def counted_languages(facts):
    """The family's languages that count: Danish says nothing when most volunteers speak
    it, so it counts only when it is the family's only language."""
    languages = [code for code in facts.languages if code in Language.values]
    others = [code for code in languages if code != Language.DANISH]
    return others or languages


def wishes_text(request):
    """The request's wishes and focus and the latest intro meeting's needs and wishes."""
    parts = [request.wishes, request.focus]
    meeting = request.intro_meetings.order_by("-held_on", "-pk").values("needs", "wishes").first()
    if meeting:
        parts += [meeting["needs"], meeting["wishes"]]
    return " ".join(p for p in parts if p)


def _words(text):
    return " " + re.sub(r"[^\w]+", " ", normalise(text)).strip() + " "


def tags_in_text(text):
    """{tag id: name} of the tags whose name begins a word of ``text`` ("lektie" in
    "lektiehjælp"), compared normalised (case, accents, æ/ø/å). The tag table is short
    (leaders' own words), so this reads it whole in one query."""
    words = _words(text)
    if not words.strip():
        return {}
    found = {}
    for pk, name in Tag.objects.values_list("pk", "name"):
        key = _words(name).strip()
        if len(key) >= MIN_TAG_LENGTH and f" {key}" in words:
            found[pk] = name
    return found


def _json_list_has(field_name, value):
    """A portable "this JSON list holds ``value``": jsonb containment on PostgreSQL, and a
    search for the quoted value in the JSON text on SQLite (no JSON containment there)."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{field_name}__contains": [value]})
    return Q(**{f"{field_name}__icontains": f'"{value}"'})


def _any_of(field_name, values):
    condition = Q()
    for value in values:
        condition |= _json_list_has(field_name, value)
    return condition


def travel_distances(home):
    """{branch id: km} of the branches within travel range of the family's branch
    ``home`` for at least one volunteer (no farther than the longest travel range
    anyone states). One small query; the ranking then reads the distance from this map
    written into its SQL instead of looking it up once per candidate volunteer, and a
    volunteer of a branch outside it can reach the family only by serving its branch or
    online."""
    farthest = (
        Volunteer.objects.filter(travel_km__isnull=False)
        .order_by("-travel_km")
        .values("travel_km")[:1]
    )
    return dict(
        BranchDistance.objects.filter(to_branch=home, km__lte=Subquery(farthest))
        .exclude(from_branch=home)
        .values_list("from_branch", "km")
    )


def _distance_from(distances):
    """The SQL expression of the distance from a volunteer's branch to the family's:
    the km of ``distances`` by branch, NULL (never within range) for any other branch."""
    if not distances:
        return Value(None, output_field=BranchDistance._meta.get_field("km"))
    return Case(
        *(When(branch_id=branch, then=Value(km)) for branch, km in sorted(distances.items())),
        default=None,
        output_field=BranchDistance._meta.get_field("km"),
    )


def ranked_volunteers(request, *, today, weights, facts, tag_ids, distances=None):
    """The queryset of suggestable volunteers for ``request`` with their score parts
    annotated, best first (ranked lower: at capacity or missing a needed børneattest).

    ``score`` leaves out the capacity points, which ``explain`` adds: they follow from
    ``ranked_lower`` (room for another match or not), so within one ``ranked_lower`` they
    are the same for every row and the order is the same without them, and the count of
    open matches runs once per candidate instead of twice. ``distances`` is
    ``travel_distances(home)`` when the caller has it already."""
    family = request.family
    home = family.branch_id
    w = weights
    if distances is None:
        distances = travel_distances(home)
    # Selected for the top rows only (PostgreSQL computes an expensive output column
    # after the sort and limit), so it may look the distance up: an online volunteer
    # farther away than anyone travels still shows how far.
    distance = BranchDistance.objects.filter(from_branch=OuterRef("branch"), to_branch=home)
    near_km = _distance_from(distances)
    # COUNT(*), not COUNT(id): an index on (volunteer, status) answers it alone.
    occupying = (
        Match.objects.filter(volunteer=OuterRef("pk"), status__in=OCCUPYING_STATUSES)
        .order_by()
        .values("volunteer")
        .annotate(n=Count("*"))
        .values("n")
    )
    declined = Match.objects.filter(
        family=family, volunteer=OuterRef("pk"), status=Match.Status.DECLINED
    )
    already = Match.objects.filter(
        request=request, volunteer=OuterRef("pk"), status__in=OPEN_STATUSES
    )

    volunteers = Volunteer.objects.filter(
        _json_list_has("programmes", request.programme),
        pipeline_step__in=READY_STEPS,
        anonymised_at__isnull=True,
    ).annotate(
        km=Subquery(distance.values("km")[:1]),
        serves=Exists(Served.objects.filter(volunteer=OuterRef("pk"), branch=home)),
    )
    volunteers = volunteers.alias(near_km=near_km)
    # Cheapest test first (PostgreSQL stops at the first true one): the branch list,
    # hashed, turns most volunteers away before their distance or served branches are read.
    in_person = (
        Q(branch=home)
        | (Q(branch__in=sorted(distances)) & Q(near_km__lte=F("travel_km")))
        | Q(serves=True)
    )
    if request.mode == MeetingMode.ONLINE:
        volunteers = volunteers.filter(online=True)
    elif request.mode == MeetingMode.EITHER:
        volunteers = volunteers.filter(in_person | Q(online=True))
    else:
        volunteers = volunteers.filter(in_person)
    volunteers = volunteers.exclude(Exists(declined)).exclude(Exists(already))

    if facts.children_involved:
        valid = ChildCertificate.objects.filter(
            volunteer=OuterRef("pk"),
            outcome=ChildCertificate.Outcome.APPROVED,
            assessed_on__lte=today,
        ).filter(Q(renewal_due__isnull=True) | Q(renewal_due__gte=today))
        has_certificate = Exists(valid)
    else:
        has_certificate = Value(True)

    zero = Value(0)
    languages = counted_languages(facts)
    preferences = fitting_preferences(facts)
    preference_fit = _any_of("preferences", sorted(preferences)) | (
        _json_list_has("preferences", VolunteerPreference.NEAR_HOME) & Q(branch=home)
    )
    if tag_ids:
        hits = (
            Tagged.objects.filter(volunteer=OuterRef("pk"), tag_id__in=list(tag_ids))
            .order_by()
            .values("volunteer")
            .annotate(n=Count("pk"))
            .values("n")
        )
        interest_hits = Coalesce(Subquery(hits), zero)
    else:
        interest_hits = zero

    if request.mode == MeetingMode.IN_PERSON:
        # Every row passed the reach filter: not the same or a served branch means within
        # travel range, so the distance is not looked up again for every candidate.
        beyond = Value(w.within_travel)
    else:
        beyond = Case(When(near_km__lte=F("travel_km"), then=Value(w.within_travel)), default=zero)
    # Not selected: only needed inside ranked_lower (PostgreSQL would build its hash twice).
    volunteers = volunteers.alias(has_certificate=has_certificate).annotate(
        open_matches=Coalesce(Subquery(occupying), zero),
        interest_hits=interest_hits,
    )
    needs_certificate = (
        Case(When(has_certificate=False, then=Value(LOWER_CERTIFICATE)), default=zero)
        if facts.children_involved
        else zero
    )
    slots = [slot for slot in request.availability or [] if slot in Availability.values]
    shared_slots = sum(
        (
            Case(When(_json_list_has("availability", slot), then=Value(1)), default=zero)
            for slot in slots
        ),
        start=zero,
    )
    volunteers = volunteers.annotate(
        availability_points=Least(shared_slots, Value(MAX_SHARED_SLOTS)) * w.availability,
        reach_points=Case(
            When(branch=home, then=Value(w.same_branch)),
            When(serves=True, then=Value(w.same_branch)),
            default=beyond,
        ),
        language_points=(
            Case(When(_any_of("languages", languages), then=Value(w.language)), default=zero)
            if languages
            else zero
        ),
        preference_points=Case(When(preference_fit, then=Value(w.preferences)), default=zero),
        interest_points=Least(F("interest_hits"), Value(MAX_INTEREST_HITS)) * w.interests,
        # 0: can take the match; 1: at capacity; 2: needs a børneattest; 3: both.
        ranked_lower=Case(
            When(open_matches__gte=F("max_matches"), then=Value(LOWER_CAPACITY)), default=zero
        )
        + needs_certificate,
    )
    return (
        volunteers.annotate(
            score=Value(w.programme)
            + F("availability_points")
            + F("reach_points")
            + F("language_points")
            + F("preference_points")
            + F("interest_points"),
        )
        .select_related("branch")
        .order_by("ranked_lower", "-score", "pk")
    )


def _labels(choices, values):
    return ", ".join(str(choices(v).label) for v in values if v in choices.values)


def explain(volunteer, *, request, weights, facts, tag_names, may_open=False):
    """The Suggestion for one ranked volunteer: its score broken into Danish reasons."""
    home = request.family.branch_id
    reasons = [Reason(_("Takes this programme"), weights.programme)]
    if volunteer.branch_id == home:
        reach = "same_branch"
        reasons.append(Reason(_("Same branch as the family"), volunteer.reach_points))
    elif volunteer.serves:
        reach = "served"
        reasons.append(Reason(_("Also serves the family's branch"), volunteer.reach_points))
    elif (
        volunteer.km is not None
        and volunteer.travel_km is not None
        and (volunteer.km <= volunteer.travel_km)
    ):
        reach = "travel"
        reasons.append(
            Reason(
                _("Within travel range: %(km)s km (will travel %(max)s km)")
                % {"km": volunteer.km, "max": volunteer.travel_km},
                volunteer.reach_points,
            )
        )
    else:
        reach = "online"
        reasons.append(Reason(_("Meets online"), 0))
    if volunteer.language_points:
        shared = [c for c in counted_languages(facts) if c in (volunteer.languages or [])]
        reasons.append(
            Reason(
                _("Shares a language: %(languages)s") % {"languages": _labels(Language, shared)},
                volunteer.language_points,
            )
        )
    if volunteer.interest_points:
        reasons.append(
            Reason(
                _("Interests match the wishes: %(tags)s") % {"tags": ", ".join(tag_names)},
                volunteer.interest_points,
            )
        )
    if volunteer.preference_points:
        fits = fitting_preferences(facts)
        if volunteer.branch_id == home:
            fits.add(VolunteerPreference.NEAR_HOME)
        stated = [p for p in volunteer.preferences or [] if p in fits]
        reasons.append(
            Reason(
                _("Fits the volunteer's wishes: %(preferences)s")
                % {"preferences": _labels(VolunteerPreference, stated)},
                volunteer.preference_points,
            )
        )
    at_capacity = volunteer.open_matches >= volunteer.max_matches
    capacity_points = 0 if at_capacity else weights.capacity
    if not at_capacity:
        reasons.append(
            Reason(
                _("Room for another match (%(open)s of %(max)s taken)")
                % {"open": volunteer.open_matches, "max": volunteer.max_matches},
                capacity_points,
            )
        )
    if volunteer.availability_points:
        shared = [s for s in request.availability or [] if s in (volunteer.availability or [])]
        reasons.append(
            Reason(
                _("Can meet when the family can: %(slots)s")
                % {"slots": _labels(Availability, shared)},
                volunteer.availability_points,
            )
        )
    info = [_("Availability: %(count)s time slots") % {"count": len(volunteer.availability or [])}]
    return Suggestion(
        volunteer=volunteer,
        score=volunteer.score + capacity_points,
        reasons=reasons,
        at_capacity=at_capacity,
        needs_certificate=bool(volunteer.ranked_lower & LOWER_CERTIFICATE),
        km=volunteer.km,
        reach=reach,
        open_matches=volunteer.open_matches,
        info=info,
        may_open=may_open,
    )


def suggest_volunteers(request, *, today, limit=10, viewer=None):
    """The top ``limit`` volunteers for the support request ``request``, ranked in the
    database, each with its score, its reasons and its flags (issue 4 item 3; report
    section 7.1 for cross-branch matching within travel range, section 7.2 for the
    leader's judgement). A fixed number of queries, whatever the number of volunteers.

    With ``viewer``, each suggestion also says whether that user may open the
    volunteer's record (``may_open``, from familien.access), read in the same query."""
    weights = MatchingWeights.current()
    facts = family_facts(request, today=today)
    tags = tags_in_text(wishes_text(request))
    ranked = ranked_volunteers(request, today=today, weights=weights, facts=facts, tag_ids=tags)
    if viewer is not None:
        ranked = ranked.annotate(
            may_open=Exists(access.volunteers_for(viewer).filter(pk=OuterRef("pk")))
        )
    rows = list(ranked[:limit])
    names = {}
    if tags and rows:
        pairs = Tagged.objects.filter(
            volunteer_id__in=[v.pk for v in rows], tag_id__in=list(tags)
        ).values_list("volunteer_id", "tag_id")
        for volunteer_id, tag_id in pairs:
            names.setdefault(volunteer_id, []).append(tags[tag_id])
    return [
        explain(
            volunteer,
            request=request,
            weights=weights,
            facts=facts,
            tag_names=sorted(names.get(volunteer.pk, [])),
            may_open=getattr(volunteer, "may_open", False),
        )
        for volunteer in rows
    ]


def suggestable_volunteer(request, volunteer_pk, *, today):
    """The volunteer ``volunteer_pk`` if the suggestions could offer them for ``request``,
    else None. A leader may propose a volunteer from another branch within travel range
    (report section 7.1) without being able to open that volunteer's records."""
    return (
        ranked_volunteers(
            request,
            today=today,
            weights=MatchingWeights.current(),
            facts=family_facts(request, today=today),
            tag_ids=[],
        )
        .filter(pk=volunteer_pk)
        .first()
    )
