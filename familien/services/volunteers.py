"""Volunteers: registration, the recruitment pipeline, contact attempts, courses,
børneattest and individual framework agreements.

The rules come from the report: the pipeline and the unreachable sign-ups from section
7.1, the børneattest from DOMAIN.md §3.3, the framework agreement from section 1.3.
Views call these functions and turn a ``VolunteerError`` into a Danish message.
"""

import calendar
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from familien.models import (
    CertificateState,
    ChildCertificate,
    CourseAttendance,
    FrameworkAgreement,
    Notification,
    PipelineEvent,
    PipelineStep,
    Programme,
    RecruitmentContact,
    Role,
    Tag,
    Volunteer,
)
from familien.search import search_text_for


class VolunteerError(Exception):
    """A change to a volunteer that the rules do not allow; the message is for the user."""


# The way from sign-up to active, in order (report section 7.1).
FORWARD_STEPS = [
    PipelineStep.SIGNED_UP,
    PipelineStep.CONTACTED,
    PipelineStep.INTRO_TALK,
    PipelineStep.COURSE_BOOKED,
    PipelineStep.COURSE_COMPLETED,
    PipelineStep.READY,
    PipelineStep.ACTIVE,
]
# Steps from which a family friend meets children: a valid børneattest is required.
CERTIFICATE_STEPS = {PipelineStep.READY, PipelineStep.ACTIVE}


def add_months(day, months):
    """``day`` plus ``months`` calendar months, on the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


# ---------------------------------------------------------------------------
# Registration and profile


def refresh_search_text(volunteer):
    volunteer.search_text = search_text_for(
        volunteer.first_name, volunteer.last_name, volunteer.phone, volunteer.email
    )


def _tags_with_new(tags, new_tag_names):
    """The chosen tags plus the typed names, reusing a tag that exists in any letter case."""
    chosen = list(tags or [])
    for name in new_tag_names or []:
        existing = Tag.objects.filter(name__iexact=name).first()
        chosen.append(existing or Tag.objects.create(name=name))
    return chosen


def _save_profile(volunteer, *, tags, new_tag_names, served_branches):
    refresh_search_text(volunteer)
    volunteer.save()
    volunteer.tags.set(_tags_with_new(tags, new_tag_names))
    if served_branches is not None:
        volunteer.served_branches.set(served_branches)


def register_volunteer(
    volunteer, *, actor, tags=(), new_tag_names=(), served_branches=None, on=None, notify=True
):
    """Save a new volunteer with their first pipeline step, 'signed up'.

    When the central corps registers a volunteer, the home branch's activity leaders are
    told in the app and by mail, so they need not look for new sign-ups themselves
    (report section 7.1, Boks 7.1). An import passes ``notify=False`` and sends one summary.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        volunteer.registered_by = actor
        volunteer.registered_centrally = actor.role == Role.CENTRAL
        volunteer.pipeline_step = PipelineStep.SIGNED_UP
        volunteer.pipeline_step_on = on
        _save_profile(
            volunteer, tags=tags, new_tag_names=new_tag_names, served_branches=served_branches
        )
        PipelineEvent.objects.create(
            volunteer=volunteer, step=PipelineStep.SIGNED_UP, on=on, by=actor
        )
        if volunteer.registered_centrally and notify:
            from familien.services.notifications import notify_branch_leaders

            notify_branch_leaders(
                volunteer.branch,
                kind=Notification.Kind.CENTRAL_VOLUNTEER,
                link=reverse("volunteer_detail", args=[volunteer.pk]),
            )
    return volunteer


def update_volunteer(volunteer, *, actor, tags=(), new_tag_names=(), served_branches=None):
    """Save an edited profile, keeping its search text in step with names and contacts."""
    with transaction.atomic():
        _save_profile(
            volunteer, tags=tags, new_tag_names=new_tag_names, served_branches=served_branches
        )
    return volunteer


# ---------------------------------------------------------------------------
# Pipeline (report section 7.1)


def _step_before_pause(volunteer):
    last = (
        PipelineEvent.objects.filter(volunteer=volunteer)
        .exclude(step=PipelineStep.PAUSED)
        .order_by("-on", "-pk")
        .values_list("step", flat=True)
        .first()
    )
    return last or PipelineStep.SIGNED_UP


def allowed_steps(volunteer):
    """The steps ``volunteer`` may move to from where they are now.

    Forward along the way (a step may be skipped, e.g. no intro talk for a volunteer
    the leader already knows) up to 'ready'; 'active' only from 'ready' and back;
    'paused' from any step but 'left', and from 'paused' back to the step before;
    'left' from any step.
    """
    current = volunteer.pipeline_step
    if current == PipelineStep.LEFT:
        return []
    if current == PipelineStep.PAUSED:
        return [_step_before_pause(volunteer), PipelineStep.LEFT]
    steps = []
    if current in FORWARD_STEPS:
        index = FORWARD_STEPS.index(current)
        steps = [s for s in FORWARD_STEPS[index + 1 :] if s != PipelineStep.ACTIVE]
        if current == PipelineStep.READY:
            steps = [PipelineStep.ACTIVE]
        elif current == PipelineStep.ACTIVE:
            steps = [PipelineStep.READY]
    return [*steps, PipelineStep.PAUSED, PipelineStep.LEFT]


def needs_certificate(volunteer):
    """A family friend meets the family's children at home (DOMAIN.md §3.3)."""
    return Programme.FAMILY_FRIEND in (volunteer.programmes or [])


def advance_volunteer(volunteer, *, step, on, actor, note=""):
    """Move ``volunteer`` to ``step`` on ``on`` and record the dated step.

    Raises VolunteerError for a move the pipeline does not allow, a date before the
    current step's, or 'ready'/'active' for a family friend without a valid børneattest.
    """
    if step not in allowed_steps(volunteer):
        raise VolunteerError(
            _("A volunteer cannot go from “%(current)s” to “%(step)s”.")
            % {
                "current": PipelineStep(volunteer.pipeline_step).label,
                "step": PipelineStep(step).label,
            }
        )
    if on < volunteer.pipeline_step_on:
        raise VolunteerError(
            _("The date cannot be before the current step's date (%(date)s).")
            % {"date": volunteer.pipeline_step_on.strftime("%d.%m.%Y")}
        )
    if (
        step in CERTIFICATE_STEPS
        and needs_certificate(volunteer)
        and not has_valid_certificate(volunteer, on)
    ):
        raise VolunteerError(
            _(
                "A family friend meets children under 15 and needs an approved, "
                "unexpired child-protection certificate (børneattest) before being "
                "ready. Record the assessment first."
            )
        )
    with transaction.atomic():
        volunteer.pipeline_step = step
        volunteer.pipeline_step_on = on
        volunteer.save(update_fields=["pipeline_step", "pipeline_step_on", "updated_at"])
        return PipelineEvent.objects.create(
            volunteer=volunteer, step=step, on=on, by=actor, note=note
        )


# ---------------------------------------------------------------------------
# Contact attempts: many advert sign-ups are never reached (report section 7.1)


def log_recruitment_contact(volunteer, *, channel, outcome, actor, note="", at=None):
    """Record an attempt to reach a volunteer. Reaching a signed-up volunteer moves them
    to 'contacted' on that day."""
    at = at or timezone.now()
    with transaction.atomic():
        contact = RecruitmentContact.objects.create(
            volunteer=volunteer, channel=channel, outcome=outcome, by=actor, note=note, at=at
        )
        if (
            outcome == RecruitmentContact.Outcome.REACHED
            and volunteer.pipeline_step == PipelineStep.SIGNED_UP
        ):
            on = max(timezone.localdate(at), volunteer.pipeline_step_on)
            advance_volunteer(volunteer, step=PipelineStep.CONTACTED, on=on, actor=actor)
    return contact


def with_unreachable(queryset):
    """Annotate ``failed_attempts`` (attempts since the last one that reached the
    volunteer) and ``is_unreachable`` (a signed-up volunteer with at least
    FAMILIEN_UNREACHABLE_AFTER_ATTEMPTS of them). One subquery, not a query per row."""
    last_reached = (
        RecruitmentContact.objects.filter(
            volunteer=OuterRef("volunteer"), outcome=RecruitmentContact.Outcome.REACHED
        )
        .order_by("-at")
        .values("at")[:1]
    )
    failed = (
        RecruitmentContact.objects.filter(volunteer=OuterRef("pk"))
        .exclude(outcome=RecruitmentContact.Outcome.REACHED)
        .annotate(_last_reached=Subquery(last_reached))
        .filter(Q(_last_reached__isnull=True) | Q(at__gt=F("_last_reached")))
        .order_by()
        .values("volunteer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    threshold = settings.FAMILIEN_UNREACHABLE_AFTER_ATTEMPTS
    return queryset.annotate(
        failed_attempts=Coalesce(Subquery(failed, output_field=IntegerField()), 0),
    ).annotate(
        is_unreachable=Case(
            When(
                pipeline_step=PipelineStep.SIGNED_UP,
                failed_attempts__gte=threshold,
                then=Value(True),
            ),
            default=Value(False),
        )
    )


def is_unreachable(volunteer, contacts=None):
    """The same rule as ``with_unreachable`` for one volunteer already loaded;
    ``contacts`` may be their attempts, newest first, if the caller has them."""
    if volunteer.pipeline_step != PipelineStep.SIGNED_UP:
        return False
    if contacts is None:
        contacts = RecruitmentContact.objects.filter(volunteer=volunteer).order_by("-at", "-pk")
    failed = 0
    for contact in contacts:
        if contact.outcome == RecruitmentContact.Outcome.REACHED:
            break
        failed += 1
    return failed >= settings.FAMILIEN_UNREACHABLE_AFTER_ATTEMPTS


# ---------------------------------------------------------------------------
# Courses (DOMAIN.md §5.3)


def book_course(volunteer, *, course, actor, on=None):
    """Book ``volunteer`` on ``course``; a volunteer not yet past the intro talk moves to
    'course booked'."""
    if CourseAttendance.objects.filter(volunteer=volunteer, course=course).exists():
        raise VolunteerError(_("The volunteer is already booked on this course."))
    with transaction.atomic():
        attendance = CourseAttendance.objects.create(volunteer=volunteer, course=course)
        before = FORWARD_STEPS[: FORWARD_STEPS.index(PipelineStep.COURSE_BOOKED)]
        if volunteer.pipeline_step in before:
            on = max(on or timezone.localdate(), volunteer.pipeline_step_on)
            advance_volunteer(volunteer, step=PipelineStep.COURSE_BOOKED, on=on, actor=actor)
    return attendance


def record_attendance(attendance, *, status, actor, advance=True):
    """Record attended or no-show; attending moves a volunteer who is before 'course
    completed' there, dated the course's day (or the current step's, if later)."""
    with transaction.atomic():
        attendance.status = status
        attendance.save(update_fields=["status"])
        volunteer = attendance.volunteer
        before = FORWARD_STEPS[: FORWARD_STEPS.index(PipelineStep.COURSE_COMPLETED)]
        if (
            advance
            and status == CourseAttendance.Status.ATTENDED
            and volunteer.pipeline_step in before
        ):
            on = max(attendance.course.on, volunteer.pipeline_step_on)
            advance_volunteer(volunteer, step=PipelineStep.COURSE_COMPLETED, on=on, actor=actor)
    return attendance


# ---------------------------------------------------------------------------
# Børneattest (DOMAIN.md §3.3): store the assessment, never the certificate or a CPR


def order_certificate(volunteer, *, ordered_on, actor):
    """Record that a børneattest was ordered; the volunteer has CERTIFICATE_CONSENT_DAYS
    to consent in Digital Post before the order lapses."""
    return ChildCertificate.objects.create(
        volunteer=volunteer,
        ordered_on=ordered_on,
        consent_deadline=ordered_on + timedelta(days=settings.CERTIFICATE_CONSENT_DAYS),
    )


def record_certificate_assessment(certificate, *, assessed_on, outcome, actor):
    """Record the leader's assessment of the police answer. An approved certificate is
    renewed CERTIFICATE_RENEWAL_MONTHS later: the police do not report later convictions."""
    if certificate.outcome:
        raise VolunteerError(_("This certificate has already been assessed."))
    if assessed_on < certificate.ordered_on:
        raise VolunteerError(_("The assessment cannot be before the order date."))
    certificate.assessed_on = assessed_on
    certificate.outcome = outcome
    certificate.assessed_by = actor
    certificate.renewal_due = (
        add_months(assessed_on, settings.CERTIFICATE_RENEWAL_MONTHS)
        if outcome == ChildCertificate.Outcome.APPROVED
        else None
    )
    certificate.save()
    return certificate


def certificate_state_for(volunteer, today):
    """The state of the volunteer's newest certificate (NOT_NEEDED when none).

    Uses a prefetched ``certificates`` list when there is one."""
    certificates = sorted(
        volunteer.certificates.all(), key=lambda c: (c.ordered_on, c.pk), reverse=True
    )
    return certificates[0].state(today) if certificates else CertificateState.NOT_NEEDED


def has_valid_certificate(volunteer, on_date):
    """Whether ``volunteer`` holds an approved børneattest, assessed by ``on_date`` and not
    past its renewal date. A renewal on order does not cancel the one still in force."""
    return (
        ChildCertificate.objects.filter(
            volunteer=volunteer,
            outcome=ChildCertificate.Outcome.APPROVED,
            assessed_on__lte=on_date,
        )
        .filter(Q(renewal_due__isnull=True) | Q(renewal_due__gte=on_date))
        .exists()
    )


def with_certificate_state(queryset, today):
    """Annotate each volunteer with the newest certificate's dates and ``certificate_state``
    (a CertificateState value), computed in SQL by the same rule as ChildCertificate.state,
    so lists can filter and show it without a query per row."""
    newest = ChildCertificate.objects.filter(volunteer=OuterRef("pk")).order_by(
        "-ordered_on", "-pk"
    )
    warn = today + timedelta(days=settings.CERTIFICATE_RENEWAL_WARNING_DAYS)
    approved = ChildCertificate.Outcome.APPROVED
    return queryset.annotate(
        cert_pk=Subquery(newest.values("pk")[:1]),
        cert_outcome=Subquery(newest.values("outcome")[:1]),
        cert_consent_deadline=Subquery(newest.values("consent_deadline")[:1]),
        cert_renewal_due=Subquery(newest.values("renewal_due")[:1]),
    ).annotate(
        certificate_state=Case(
            When(cert_pk__isnull=True, then=Value(CertificateState.NOT_NEEDED)),
            When(
                cert_outcome=ChildCertificate.Outcome.REJECTED,
                then=Value(CertificateState.REJECTED),
            ),
            When(
                cert_outcome=approved,
                cert_renewal_due__lt=today,
                then=Value(CertificateState.EXPIRED),
            ),
            When(
                cert_outcome=approved,
                cert_renewal_due__lte=warn,
                then=Value(CertificateState.RENEWAL_DUE),
            ),
            When(cert_outcome=approved, then=Value(CertificateState.VALID)),
            When(cert_consent_deadline__lt=today, then=Value(CertificateState.CONSENT_OVERDUE)),
            default=Value(CertificateState.ORDERED),
            output_field=CharField(),
        )
    )


CONSENT_WARNING_DAYS = 3


def certificate_warnings(queryset, today):
    """Two lists from ``queryset`` (already scoped): volunteers whose consent deadline is
    within CONSENT_WARNING_DAYS or passed, and volunteers whose renewal is due within
    CERTIFICATE_RENEWAL_WARNING_DAYS or passed. Volunteers who left are not listed."""
    annotated = with_certificate_state(
        queryset.exclude(pipeline_step=PipelineStep.LEFT).select_related("branch"), today
    )
    consent = annotated.filter(
        cert_outcome="",
        cert_consent_deadline__lte=today + timedelta(days=CONSENT_WARNING_DAYS),
    ).order_by("cert_consent_deadline", "pk")
    renewal = annotated.filter(
        cert_outcome=ChildCertificate.Outcome.APPROVED,
        cert_renewal_due__lte=today + timedelta(days=settings.CERTIFICATE_RENEWAL_WARNING_DAYS),
    ).order_by("cert_renewal_due", "pk")
    return list(consent), list(renewal)


# ---------------------------------------------------------------------------
# Individual framework agreement (report section 1.3)


def record_framework_agreement(volunteer, *, family, scope, valid_from, valid_to, actor):
    """Record an agreement letting ``volunteer`` be alone with ``family``'s children in
    the situations ``scope`` describes, approved by ``actor``."""
    if valid_to < valid_from:
        raise VolunteerError(_("The agreement must end on or after its first day."))
    return FrameworkAgreement.objects.create(
        volunteer=volunteer,
        family=family,
        scope=scope,
        valid_from=valid_from,
        valid_to=valid_to,
        approved_by=actor,
    )


def warn_leaders_about_certificates(*, today):
    """Tell a branch's activity leaders, once per certificate, when a volunteer's consent
    deadline for a børneattest is near or passed, or when its renewal is due (DOMAIN.md
    §3.3: an order lapses if the volunteer does not consent within 14 days; the police
    report no later convictions, so certificates are renewed). Run daily by beat.

    Returns the number of volunteers warned about.
    """
    from familien.services.notifications import notify_branch_leaders

    consent, renewal = certificate_warnings(Volunteer.objects.all(), today)
    warned = 0
    for volunteers, since_field in ((consent, "ordered_on"), (renewal, "renewal_due")):
        for volunteer in volunteers:
            certificate = ChildCertificate.objects.get(pk=volunteer.cert_pk)
            since = getattr(certificate, since_field)
            if since_field == "renewal_due":
                since -= timedelta(days=settings.CERTIFICATE_RENEWAL_WARNING_DAYS)
            link = reverse("volunteer_detail", args=[volunteer.pk])
            already = Notification.objects.filter(
                kind=Notification.Kind.CERTIFICATE, link=link, created_at__date__gte=since
            ).exists()
            if not already:
                notify_branch_leaders(
                    volunteer.branch, kind=Notification.Kind.CERTIFICATE, link=link
                )
                warned += 1
    return warned
