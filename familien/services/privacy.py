"""Retention and the data subject's rights (GDPR): anonymisation, export and erasure.

Storage limitation (GDPR Art. 5(1)(e)): a closed family and a volunteer who left are kept
for FAMILIEN_RETENTION_DAYS and then anonymised in place by a daily job. Erasure on
request (Art. 17) is the same anonymisation, now. Subject access (Art. 15) is a JSON
export of everything stored about the person, including the audit trail, which since
CJEU C-579/21 belongs to the answer (background/reliability-security-performance.md
§1.5). DOMAIN.md §29 asks that reports keep their counts, so anonymisation keeps the rows:

* kept: branch, status and dates, programmes, matches, the report's categories (reasons,
  how the family came, education, employment, gender, age band, languages, sector),
  consents' answers and dates, pipeline steps, courses and certificate assessments;
* removed: names (the family's becomes "Anonymiseret familie #<pk>"), phones, e-mails,
  addresses and postcodes, school classes, occupations, every free text (sensitive
  notes, consent and contact notes, self-descriptions, agreement scopes, the match's
  agreed focus), search_text, a volunteer's login;
* birth years become their decade (1987 → 1980). A child's birth year cannot be dropped
  (the column is required) and the reports count children and people by age group, which
  a decade still supports; an exact year beside a family's make-up re-identifies people
  in a small town, a decade much less so.

The audit trail keeps that something changed, when and by whom (accountability, Art.
5(2)), but not the old values: each entry about the person keeps its action, actor, time
and the names of the changed fields, while the values, the object's name and any
serialised copy are replaced. Deleting the entries would also erase who did what, which
the organisation must be able to show; keeping the values would keep the identity.

The anonymising writes use queryset updates, which django-auditlog does not see, so no
new entry ever carries the old name; one entry per record then says it was anonymised.
"""

from datetime import timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from familien.models import (
    Child,
    ChildCertificate,
    Consent,
    CourseAttendance,
    Family,
    FrameworkAgreement,
    Parent,
    PipelineEvent,
    PipelineStep,
    RecruitmentContact,
    Role,
    User,
    Volunteer,
)
from matching.models import Match

FAMILY_PLACEHOLDER = "Anonymiseret familie #{pk}"
VOLUNTEER_FIRST_NAME = "Anonymiseret frivillig"
REDACTED = "[anonymiseret]"
# Why the anonymisation happened, in its audit entry.
RETENTION = "retention"
ERASURE = "erasure"
SUBJECT_ACCESS_EXPORT = "subject_access_export"

_DECADE = (F("birth_year") / 10) * 10


def retention_cutoff(now):
    """Records closed (or left) before this date have been kept long enough."""
    return timezone.localdate(now) - timedelta(days=settings.FAMILIEN_RETENTION_DAYS)


def expired_families(now):
    return Family.objects.filter(
        status=Family.Status.CLOSED,
        closed_on__lt=retention_cutoff(now),
        anonymised_at__isnull=True,
    )


def expired_volunteers(now):
    return Volunteer.objects.filter(
        pipeline_step=PipelineStep.LEFT,
        pipeline_step_on__lt=retention_cutoff(now),
        anonymised_at__isnull=True,
    )


def anonymise_expired(*, now, dry_run=False) -> dict:
    """Anonymise every family closed and every volunteer left longer ago than
    FAMILIEN_RETENTION_DAYS before ``now`` (GDPR Art. 5(1)(e)).

    Idempotent: anonymised records are skipped, and each record is claimed with a
    conditional update, so two runs at once anonymise it once. Returns the counts
    ({"families": n, "volunteers": m}); with ``dry_run`` only counts.
    """
    families = list(expired_families(now).values_list("pk", flat=True))
    volunteers = list(expired_volunteers(now).values_list("pk", flat=True))
    if dry_run:
        return {"families": len(families), "volunteers": len(volunteers)}
    counts = {"families": 0, "volunteers": 0}
    for pk in families:
        counts["families"] += anonymise_family(pk, now=now, reason=RETENTION)
    for pk in volunteers:
        counts["volunteers"] += anonymise_volunteer(pk, now=now, reason=RETENTION)
    return counts


def anonymise_family(family_pk: int, *, now, actor=None, reason=RETENTION) -> bool:
    """Anonymise family ``family_pk`` in place with its parents and children; returns
    False if it already was. The rows, their categories and the matches stay."""
    with transaction.atomic():
        claimed = Family.objects.filter(pk=family_pk, anonymised_at__isnull=True).update(
            name=FAMILY_PLACEHOLDER.format(pk=family_pk),
            address="",
            postcode="",
            city="",
            sensitive_notes="",
            search_text="",
            anonymised_at=now,
            updated_at=now,
        )
        if not claimed:
            return False
        parents = Parent.objects.filter(family_id=family_pk)
        children = Child.objects.filter(family_id=family_pk)
        consents = Consent.objects.filter(family_id=family_pk)
        agreements = FrameworkAgreement.objects.filter(family_id=family_pk)
        matches = Match.objects.filter(family_id=family_pk)
        parents.update(
            first_name="",
            last_name="",
            phone="",
            email="",
            postal_address="",
            postal_postcode="",
            postal_city="",
            birth_year=_DECADE,
        )
        children.update(first_name="", school_class="", birth_year=_DECADE)
        consents.update(note="")
        agreements.update(scope="")
        matches.update(focus="")

        placeholder = FAMILY_PLACEHOLDER.format(pk=family_pk)
        scrub_audit_trail(Family, [family_pk], object_repr=placeholder)
        for model, queryset in (
            (Parent, parents),
            (Child, children),
            (Consent, consents),
            (FrameworkAgreement, agreements),
        ):
            scrub_audit_trail(
                model, list(queryset.values_list("pk", flat=True)), family_pk=family_pk
            )
        scrub_audit_trail(Match, list(matches.values_list("pk", flat=True)), fields={"focus"})
        family = Family.objects.get(pk=family_pk)
        log_privacy_event(
            family,
            action=LogEntry.Action.UPDATE,
            actor=actor,
            reason=reason,
            changes={"anonymised_at": ["None", now.isoformat()]},
        )
    return True


def anonymise_volunteer(volunteer_pk: int, *, now, actor=None, reason=RETENTION) -> bool:
    """Anonymise volunteer ``volunteer_pk`` in place and close their login; returns False
    if already done. Pipeline, courses, assessments and matches stay for the reports."""
    with transaction.atomic():
        user_pk = (
            Volunteer.objects.filter(pk=volunteer_pk).values_list("user_id", flat=True).first()
        )
        claimed = Volunteer.objects.filter(pk=volunteer_pk, anonymised_at__isnull=True).update(
            first_name=VOLUNTEER_FIRST_NAME,
            last_name=f"#{volunteer_pk}",
            phone="",
            email="",
            postcode="",
            occupation="",
            preferences_note="",
            self_description="",
            birth_year=_DECADE,
            search_text="",
            user=None,
            anonymised_at=now,
            updated_at=now,
        )
        if not claimed:
            return False
        events = PipelineEvent.objects.filter(volunteer_id=volunteer_pk)
        contacts = RecruitmentContact.objects.filter(volunteer_id=volunteer_pk)
        agreements = FrameworkAgreement.objects.filter(volunteer_id=volunteer_pk)
        events.update(note="")
        contacts.update(note="")
        agreements.update(scope="")
        placeholder = f"{VOLUNTEER_FIRST_NAME} #{volunteer_pk}"
        scrub_audit_trail(Volunteer, [volunteer_pk], object_repr=placeholder)
        for model, queryset in (
            (PipelineEvent, events),
            (RecruitmentContact, contacts),
            (FrameworkAgreement, agreements),
            (CourseAttendance, CourseAttendance.objects.filter(volunteer_id=volunteer_pk)),
            (ChildCertificate, ChildCertificate.objects.filter(volunteer_id=volunteer_pk)),
        ):
            scrub_audit_trail(model, list(queryset.values_list("pk", flat=True)))
        if user_pk is not None:
            _close_volunteer_login(user_pk, placeholder)
        volunteer = Volunteer.objects.get(pk=volunteer_pk)
        log_privacy_event(
            volunteer,
            action=LogEntry.Action.UPDATE,
            actor=actor,
            reason=reason,
            changes={"anonymised_at": ["None", now.isoformat()]},
        )
    return True


def _close_volunteer_login(user_pk, placeholder):
    """A volunteer's own login goes with them; staff accounts are never touched here."""
    updated = User.objects.filter(pk=user_pk, role=Role.VOLUNTEER).update(
        full_name=placeholder,
        email=f"anonymiseret-{user_pk}@invalid",
        password=make_password(None),  # unusable: no login is possible
        is_active=False,
    )
    if updated:
        scrub_audit_trail(User, [user_pk], object_repr=placeholder)
        # Entries the volunteer wrote themselves carry their e-mail as the actor's.
        LogEntry.objects.filter(actor_id=user_pk).update(actor_email=None)


def scrub_audit_trail(model, pks, *, object_repr=REDACTED, family_pk=None, fields=None):
    """Remove the values from the audit entries of ``model`` rows ``pks``.

    Each entry keeps its action, actor, time and changed field names; the values, the
    object's name, the change text and any serialised copy go. ``family_pk`` also finds
    entries of rows deleted earlier (a parent removed from the family), whose last values
    sit in their delete entry. ``fields`` limits the scrub to those fields' values.
    """
    content_type = ContentType.objects.get_for_model(model)
    match = Q(object_pk__in=[str(pk) for pk in pks])
    if family_pk is not None:
        match |= Q(changes__family__0=str(family_pk)) | Q(changes__family__1=str(family_pk))
        match |= Q(changes__family__0=family_pk) | Q(changes__family__1=family_pk)
    entries = list(LogEntry.objects.filter(match, content_type=content_type))
    for entry in entries:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        if fields is None:
            entry.changes = {name: [REDACTED, REDACTED] for name in changes}
            entry.object_repr = object_repr
            entry.changes_text = ""
            entry.serialized_data = None
            entry.additional_data = None
        else:
            entry.changes = {
                name: ([REDACTED, REDACTED] if name in fields else value)
                for name, value in changes.items()
            }
            entry.serialized_data = None
    LogEntry.objects.bulk_update(
        entries,
        ["changes", "object_repr", "changes_text", "serialized_data", "additional_data"],
    )
    return len(entries)


def log_privacy_event(obj, *, action, actor, reason, changes=None):
    """One audit entry saying what was done to ``obj`` and by whom, without its data."""
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=action,
        actor=actor,
        actor_email=getattr(actor, "email", None),
        changes=changes,
        additional_data={"reason": reason},
        serialized_data=None,
    )


def erase_family(family: Family, *, actor) -> bool:
    """Erase a family on request (GDPR Art. 17): anonymise it now, whatever its status.
    Matches and statistics stay; the audit trail records the administrator."""
    return anonymise_family(family.pk, now=timezone.now(), actor=actor, reason=ERASURE)


def erase_volunteer(volunteer: Volunteer, *, actor) -> bool:
    """Erase a volunteer on request (GDPR Art. 17): anonymise them now."""
    return anonymise_volunteer(volunteer.pk, now=timezone.now(), actor=actor, reason=ERASURE)


# Subject access (GDPR Art. 15) ---------------------------------------------------------


def _row(obj, exclude=()):
    """Every concrete field of ``obj`` by name (foreign keys as ids)."""
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.attname not in exclude
    }


def _audit_entries(model, pks):
    content_type = ContentType.objects.get_for_model(model)
    entries = LogEntry.objects.filter(
        content_type=content_type, object_pk__in=[str(pk) for pk in pks]
    ).select_related("actor")
    return [
        {
            "model": model._meta.model_name,
            "object_id": entry.object_pk,
            "timestamp": entry.timestamp,
            "action": entry.get_action_display(),
            "actor": str(entry.actor) if entry.actor else None,
            "changes": entry.changes,
            "additional_data": entry.additional_data,
        }
        for entry in entries.order_by("timestamp", "pk")
    ]


def family_export(family: Family) -> dict:
    """Everything stored about ``family``: the household, parents, children, consents,
    referral, framework agreements, matches and their audit entries (GDPR Art. 15)."""
    parents = list(family.parents.all())
    children = list(family.children.all())
    consents = list(family.consents.all())
    agreements = list(family.framework_agreements.all())
    matches = list(Match.objects.filter(family=family))
    referral = None
    if family.referral_partner_id:
        partner = family.referral_partner
        referral = {
            "partner": partner.name,
            "partner_kind": partner.get_kind_display(),
            "contact": family.referral_contact.name if family.referral_contact_id else None,
            "referred_on": family.referred_on,
        }
    audit = (
        _audit_entries(Family, [family.pk])
        + _audit_entries(Parent, [p.pk for p in parents])
        + _audit_entries(Child, [c.pk for c in children])
        + _audit_entries(Consent, [c.pk for c in consents])
        + _audit_entries(FrameworkAgreement, [a.pk for a in agreements])
        + _audit_entries(Match, [m.pk for m in matches])
    )
    return {
        "kind": "family",
        "family": _row(family, exclude={"search_text"}),
        "parents": [_row(p) for p in parents],
        "children": [_row(c) for c in children],
        "consents": [_row(c) for c in consents],
        "referral": referral,
        "framework_agreements": [_row(a) for a in agreements],
        "matches": [_row(m) for m in matches],
        "audit_trail": sorted(audit, key=lambda e: e["timestamp"]),
    }


def volunteer_export(volunteer: Volunteer) -> dict:
    """Everything stored about ``volunteer``: profile, pipeline, contact attempts,
    courses, certificate assessments, framework agreements, matches and their audit
    entries (GDPR Art. 15)."""
    events = list(volunteer.pipeline_events.all())
    contacts = list(volunteer.recruitment_contacts.all())
    courses = list(volunteer.courses.select_related("course"))
    certificates = list(volunteer.certificates.all())
    agreements = list(volunteer.framework_agreements.all())
    matches = list(Match.objects.filter(volunteer=volunteer))
    profile = _row(volunteer, exclude={"search_text"})
    profile["tags"] = [tag.name for tag in volunteer.tags.all()]
    profile["served_branches"] = [branch.name for branch in volunteer.served_branches.all()]
    audit = (
        _audit_entries(Volunteer, [volunteer.pk])
        + _audit_entries(PipelineEvent, [e.pk for e in events])
        + _audit_entries(RecruitmentContact, [c.pk for c in contacts])
        + _audit_entries(CourseAttendance, [c.pk for c in courses])
        + _audit_entries(ChildCertificate, [c.pk for c in certificates])
        + _audit_entries(FrameworkAgreement, [a.pk for a in agreements])
        + _audit_entries(Match, [m.pk for m in matches])
    )
    return {
        "kind": "volunteer",
        "volunteer": profile,
        "pipeline": [_row(e) for e in events],
        "contact_attempts": [_row(c) for c in contacts],
        "courses": [
            {**_row(c), "course": c.course.name, "course_on": c.course.on} for c in courses
        ],
        "certificate_assessments": [_row(c) for c in certificates],
        "framework_agreements": [_row(a) for a in agreements],
        "matches": [_row(m) for m in matches],
        "audit_trail": sorted(audit, key=lambda e: e["timestamp"]),
    }


def export_person(obj, *, actor) -> dict:
    """The subject-access export of a family or volunteer, audited with ``actor`` as an
    access entry (reading a person's whole record is itself logged; §1.5)."""
    data = family_export(obj) if isinstance(obj, Family) else volunteer_export(obj)
    log_privacy_event(obj, action=LogEntry.Action.ACCESS, actor=actor, reason=SUBJECT_ACCESS_EXPORT)
    return data


JSON_ENCODER = DjangoJSONEncoder
