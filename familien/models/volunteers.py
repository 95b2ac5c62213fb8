"""Volunteers: profile, recruitment pipeline, courses, børneattest (DOMAIN.md §3.3, §5, §6)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familien.models.choices import Employment, Gender, Sector, VolunteerEducation
from familien.models.organisation import Branch, User
from familien.models.records import RegisteredRecord


class Tag(models.Model):
    """A competence or interest; activity leaders add new ones as they meet them."""

    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("competence or interest")
        verbose_name_plural = _("competences and interests")

    def __str__(self):
        return self.name


class PipelineStep(models.TextChoices):
    """From sign-up to leaving, in order (report section 7.1)."""

    SIGNED_UP = "signed_up", _("Signed up")
    CONTACTED = "contacted", _("Contacted")
    INTRO_TALK = "intro_talk", _("Intro talk")
    COURSE_BOOKED = "course_booked", _("Course booked")
    COURSE_COMPLETED = "course_completed", _("Course completed")
    READY = "ready", _("Ready")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    LEFT = "left", _("Left")


class CertificateState(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not ordered")
    ORDERED = "ordered", _("Ordered, awaiting consent")
    CONSENT_OVERDUE = "consent_overdue", _("Consent deadline passed")
    VALID = "valid", _("Valid")
    RENEWAL_DUE = "renewal_due", _("Renewal due soon")
    EXPIRED = "expired", _("Expired")
    REJECTED = "rejected", _("Not approved")


class VolunteerQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("branch")

    def ready(self):
        return self.filter(pipeline_step__in=[PipelineStep.READY, PipelineStep.ACTIVE])


class Volunteer(RegisteredRecord):
    """A volunteer family friend or mentor (frivillig), with a login once active."""

    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("login"),
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("home branch")
    )
    served_branches = models.ManyToManyField(
        Branch, blank=True, related_name="+", verbose_name=_("also serves branches")
    )
    travel_km = models.PositiveSmallIntegerField(_("will travel (km)"), null=True, blank=True)
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNSTATED
    )
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    education = models.CharField(
        _("highest completed education"),
        max_length=20,
        choices=VolunteerEducation.choices,
        blank=True,
    )
    employment = models.CharField(
        _("employment"), max_length=20, choices=Employment.choices, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    # Programme values (familien.models.Programme).
    programmes = models.JSONField(_("programmes"), default=list, blank=True)
    online = models.BooleanField(_("will also meet online"), default=False)
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="volunteers", verbose_name=_("competences and interests")
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # Availability values (weekday and part of day).
    availability = models.JSONField(_("availability"), default=list, blank=True)
    max_matches = models.PositiveSmallIntegerField(_("matches at once"), default=1)
    preferences = models.JSONField(_("preferences"), default=list, blank=True)
    preferences_note = models.CharField(_("other wishes"), max_length=300, blank=True)
    self_description = models.TextField(_("about me (for the match meeting)"), blank=True)
    pipeline_step = models.CharField(
        _("step"), max_length=20, choices=PipelineStep.choices, default=PipelineStep.SIGNED_UP
    )
    pipeline_step_on = models.DateField(_("step since"), default=timezone.localdate)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        ordering = ["first_name", "last_name", "pk"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [
            models.Index(fields=["branch", "pipeline_step"], name="volunteer_branch_step"),
            models.Index(fields=["phone"], name="volunteer_phone"),
            models.Index(fields=["email"], name="volunteer_email"),
            # The national list by name, 25 rows read from either end (familien/paging.py).
            models.Index(fields=["first_name", "last_name", "id"], name="volunteer_name"),
            # The longest travel range anyone states (matching.suggestions.travel_distances,
            # ORDER BY travel_km DESC LIMIT 1): one index entry, not every volunteer.
            models.Index(fields=["travel_km"], name="volunteer_travel_km"),
            # Search also uses a GIN trigram index on search_text (familien/search.py),
            # created on PostgreSQL only by migration 0006: SQLite has no GIN.
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class PipelineEvent(models.Model):
    """One dated step of a volunteer's way from sign-up to active (or out)."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="pipeline_events"
    )
    step = models.CharField(_("step"), max_length=20, choices=PipelineStep.choices)
    on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self):
        return f"{self.get_step_display()} {self.on:%d.%m.%Y}"


class RecruitmentContact(models.Model):
    """An attempt to reach a signed-up volunteer; many advert sign-ups are never reached
    (report section 7.1)."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        SMS = "sms", _("Sms")
        MAIL = "mail", _("E-mail")
        MEETING = "meeting", _("In person")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        VOICEMAIL = "voicemail", _("Left a message")
        WRONG_NUMBER = "wrong_number", _("Wrong number or address")
        DECLINED = "declined", _("No longer interested")

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="recruitment_contacts"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    channel = models.CharField(_("how"), max_length=10, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")

    def __str__(self):
        return f"{self.get_channel_display()}: {self.get_outcome_display()}"


class Course(models.Model):
    """A volunteer course or mentor course (DOMAIN.md §5.3)."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer course")
        MENTOR = "mentor", _("Mentor course")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("date"))
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("branch (empty: national)"),
    )

    class Meta:
        ordering = ["-on", "name"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return f"{self.name} ({self.on:%d.%m.%Y})"


class CourseAttendance(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="courses")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(
        _("attendance"), max_length=10, choices=Status.choices, default=Status.BOOKED
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "course"], name="attendance_once")
        ]
        verbose_name = _("course attendance")
        verbose_name_plural = _("course attendances")

    def __str__(self):
        return f"{self.course}: {self.get_status_display()}"


class ChildCertificate(models.Model):
    """A børneattest: its order and its assessment, never the certificate itself.

    Danish law requires one before regular contact with children under 15; the police
    answer only after the volunteer consents within 14 days; the organisation deletes
    the certificate once assessed and keeps this note (DOMAIN.md §3.3).
    """

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="certificates")
    ordered_on = models.DateField(_("ordered on"))
    consent_deadline = models.DateField(_("the volunteer's consent deadline"))
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    renewal_due = models.DateField(_("renewal due"), null=True, blank=True)

    class Meta:
        ordering = ["-ordered_on", "-pk"]
        verbose_name = _("child-protection certificate")
        verbose_name_plural = _("child-protection certificates")

    def __str__(self):
        return f"{self.ordered_on:%d.%m.%Y} {self.get_outcome_display()}"

    def state(self, today):
        if self.outcome == self.Outcome.REJECTED:
            return CertificateState.REJECTED
        if self.outcome == self.Outcome.APPROVED:
            if self.renewal_due and today > self.renewal_due:
                return CertificateState.EXPIRED
            warn = timedelta(days=settings.CERTIFICATE_RENEWAL_WARNING_DAYS)
            if self.renewal_due and today >= self.renewal_due - warn:
                return CertificateState.RENEWAL_DUE
            return CertificateState.VALID
        if today > self.consent_deadline:
            return CertificateState.CONSENT_OVERDUE
        return CertificateState.ORDERED


class FrameworkAgreement(models.Model):
    """An individual framework agreement (individuel rammeaftale) letting a volunteer be
    alone with a family's children in agreed situations (report section 1.3)."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="framework_agreements"
    )
    family = models.ForeignKey(
        "familien.Family",
        on_delete=models.CASCADE,
        related_name="framework_agreements",
        verbose_name=_("family"),
    )
    scope = models.TextField(_("what the agreement allows"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("approved by"),
    )

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("individual framework agreement")
        verbose_name_plural = _("individual framework agreements")

    def __str__(self):
        return f"{self.valid_from:%d.%m.%Y}–{self.valid_to:%d.%m.%Y}"
