"""The evaluation's surveys (issue 6; DOMAIN.md §13–§26; report section 2.2, Bilag 2).

* Questionnaire and Question: versioned data. A new version is a new Questionnaire row;
  answers point at the exact Question they answered, so a later version never changes
  what an earlier answer meant.
* Invitation: one questionnaire to one respondent for one match, with its place in the
  reminder chain (``next_step`` at ``next_step_at``). The database is the schedule.
* ContactAttempt: every message and every call, one row each, under a unique key.
* Response and Answer: what came back, with the validated scales' scores.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from familien.models import Parent, Programme, Volunteer
from matching.models import Match


class Respondent(models.TextChoices):
    PARENT = "parent", _("Parent")
    VOLUNTEER = "volunteer", _("Volunteer")


class SurveyKind(models.TextChoices):
    """Which form (DOMAIN.md §13)."""

    PRE = "pre", _("Pre survey")
    FOLLOW_UP = "follow_up", _("Follow-up survey")
    POST = "post", _("Post survey")
    VOLUNTEER = "volunteer", _("Volunteer survey")


class Questionnaire(models.Model):
    """One version of one questionnaire: the parent's for a programme (its items marked
    for the pre, follow-up and post forms) or the volunteer's end-of-course form."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    respondent = models.CharField(_("respondent"), max_length=10, choices=Respondent.choices)
    programme = models.CharField(_("programme"), max_length=20, choices=Programme.choices)
    title_da = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    intro_da = models.TextField(_("introduction (Danish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    # The version invitations use: the newest published one of its code.
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_version")
        ]

    def __str__(self):
        return f"{self.title_da} (v{self.version})"


class AnswerType(models.TextChoices):
    CHOICE = "choice", _("One of the choices")
    MULTI = "multi", _("Several of the choices")
    SCALE = "scale", _("A number on a scale")
    TEXT = "text", _("Free text")


class Instrument(models.TextChoices):
    """Validated scales whose items are scored together (DOMAIN.md §26)."""

    SWEMWBS = "swemwbs", _("Short Warwick-Edinburgh Mental Well-Being Scale")
    PSS_PS = "pss_ps", _("Parental Stress Scale: parental stress")
    PSS_LPS = "pss_lps", _("Parental Stress Scale: lack of parental satisfaction")


class Question(models.Model):
    """One item. ``choices`` is a list of {"value", "da", "en"}; a SCALE item runs from
    ``scale_min`` to ``scale_max``; ``kinds`` lists the forms it is asked in."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    code = models.CharField(_("code"), max_length=20)
    kinds = models.JSONField(_("asked in"), default=list)
    text_da = models.TextField(_("question (Danish)"))
    text_en = models.TextField(_("question (English)"))
    answer_type = models.CharField(max_length=10, choices=AnswerType.choices)
    choices = models.JSONField(default=list, blank=True)
    scale_min = models.SmallIntegerField(null=True, blank=True)
    scale_max = models.SmallIntegerField(null=True, blank=True)
    instrument = models.CharField(max_length=10, choices=Instrument.choices, blank=True)
    # The report's item number within its instrument (PSS items 1–18, SWEMWBS 1–7).
    instrument_item = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code"),
            models.UniqueConstraint(fields=["questionnaire", "position"], name="question_position"),
        ]

    def __str__(self):
        return f"{self.code}: {self.text_da[:60]}"


class Step(models.TextChoices):
    """The reminder chain (DOMAIN.md §14): the invitation, an sms after one week, a mail
    after two, then phone calls by a person until the attempts run out."""

    INVITE = "invite", _("Invitation")
    SMS_REMINDER = "sms_reminder", _("Reminder by sms")
    MAIL_REMINDER = "mail_reminder", _("Reminder by e-mail")
    CALL = "call", _("Phone call")
    DONE = "done", _("No further steps")


class Channel(models.TextChoices):
    SMS = "sms", _("Sms")
    MAIL = "mail", _("E-mail")
    PRINT = "print", _("Letter by post")
    PHONE = "phone", _("Phone call")
    VOICEMAIL = "voicemail", _("Voicemail")


class InvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Invitation.Status.OPEN)


class Invitation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting an answer")
        ANSWERED = "answered", _("Answered")
        NON_RESPONSE = "non_response", _("No answer")
        OPTED_OUT = "opted_out", _("Declined the evaluation")
        CANCELLED = "cancelled", _("Cancelled")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="invitations"
    )
    kind = models.CharField(_("form"), max_length=10, choices=SurveyKind.choices)
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="invitations")
    parent = models.ForeignKey(
        Parent, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    # A random value mixed into the link's token; the token itself is never stored, only
    # its hash (surveys.tokens).
    token_salt = models.CharField(max_length=32)
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.OPEN
    )
    next_step = models.CharField(max_length=14, choices=Step.choices, default=Step.INVITE)
    next_step_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("contact attempts"), default=0)
    # The local day the invitation went out: the reminders count their days from it.
    invited_on = models.DateField(_("invited on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The engine's claim: open invitations whose next step is due.
            models.Index(
                fields=["next_step_at"],
                condition=Q(status="open"),
                name="invitation_due",
            ),
            # The engine's claim (surveys.engine, helper d's request): the automatic
            # steps that are due, in the claim's order, without walking past the open
            # invitations that wait for a person's call.
            models.Index(
                fields=["next_step_at", "id"],
                condition=Q(
                    status="open", next_step__in=["invite", "sms_reminder", "mail_reminder"]
                ),
                name="invitation_due_auto",
            ),
            # The call queue (surveys.call_views.survey_call_queue): the open invitations
            # waiting for a person's call in the page's order; the match is in the index
            # so the queue's count reads the index alone, joining the match for its
            # scope (issue 8).
            models.Index(
                fields=["next_step_at", "id", "match"],
                condition=Q(status="open", next_step="call"),
                name="invitation_calls_due",
            ),
        ]
        constraints = [
            # Never the same form twice to the same person for the same match.
            models.UniqueConstraint(
                fields=["match", "kind", "parent"],
                condition=Q(parent__isnull=False),
                name="invitation_once_parent",
            ),
            models.UniqueConstraint(
                fields=["match", "kind", "volunteer"],
                condition=Q(volunteer__isnull=False),
                name="invitation_once_volunteer",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class ContactAttempt(models.Model):
    """One message or call. The engine creates the automatic ones under ``key`` in the
    same transaction that advances the chain; delivery claims the row before sending, so
    a message goes out once however often its task runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        TO_POST = "to_post", _("Letter to post")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        DONE = "done", _("Done")

    class Outcome(models.TextChoices):
        """What a person's call or message came to (recorded by the caller)."""

        REACHED = "reached", _("Talked to the respondent")
        NO_ANSWER = "no_answer", _("No answer")
        VOICEMAIL = "voicemail", _("Left a voicemail")
        MESSAGE_SENT = "message_sent", _("Sent an sms or e-mail")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="contact_attempts"
    )
    key = models.CharField(max_length=80, unique=True)
    step = models.CharField(max_length=14, choices=Step.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    tries = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    # Never personal data: an error class and the gateway's status, not the message.
    error = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"))
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # Deliveries to hand out again: queued ones whose retry time came, sending
            # ones whose lease ran out (a worker killed mid-send).
            models.Index(
                fields=["status", "retry_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="attempt_pending",
            ),
            # The response rates' "sent" (surveys.rates.rate_counts): whether an
            # invitation has an attempt that went out, answered from this index alone
            # instead of the attempt rows (issue 8). The statuses are rates.WENT_OUT.
            models.Index(
                fields=["invitation"],
                condition=Q(status__in=["sent", "to_post", "done"]),
                name="attempt_went_out",
            ),
            # Letters waiting to be posted (surveys.letters.letters_for, counted on the
            # call queue): a handful among millions of attempts.
            models.Index(
                fields=["invitation"],
                condition=Q(channel="print", status="to_post"),
                name="attempt_letter_to_post",
            ),
        ]

    def __str__(self):
        return self.key


class SurveyOptOut(models.Model):
    """A volunteer who declined the evaluation (parents' choice is the family's evaluation
    consent, familien.Consent)."""

    volunteer = models.OneToOneField(Volunteer, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Opt-out {self.volunteer_id}"


class Response(models.Model):
    """What a respondent answered (or staff keyed in from paper), with the scores of the
    validated scales computed when it was submitted (surveys.scoring)."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("keyed in by"),
    )
    complete = models.BooleanField(default=False)
    swemwbs_raw = models.PositiveSmallIntegerField(null=True, blank=True)
    swemwbs_metric = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    pss_ps = models.PositiveSmallIntegerField(null=True, blank=True)
    pss_lps = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self):
        return f"Response {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self):
        return f"{self.response_id}:{self.question_id}"


def report_file_name(job, filename):
    """A random name under reports/: never the requester, a filter or a person, since
    the name may show in logs and backups. The download sets a readable name."""
    import secrets
    from pathlib import PurePath

    return f"reports/{secrets.token_hex(16)}{PurePath(filename).suffix.lower()}"


class ReportJob(models.Model):
    """A report or an export built in the background (issue 7 item 4): the requester
    watches its progress and downloads the file when it is done. The file lives in the
    private media folder (MEDIA_ROOT, never served by URL); surveys.report_views hands it
    out to the requester and administrators only."""

    class Kind(models.TextChoices):
        REPORT_PDF = "report_pdf", _("Report (PDF)")
        EXPORT_CSV = "export_csv", _("Export for evaluators (CSV and codebook, zip)")
        EXPORT_XLSX = "export_xlsx", _("Export for evaluators (XLSX)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_jobs",
        verbose_name=_("requested by"),
    )
    # The validated filters as JSON: ISO dates, a branch id, a programme value.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=80, blank=True)
    file = models.FileField(upload_to=report_file_name, blank=True)
    filename = models.CharField(max_length=100, blank=True)
    # Never personal data: an error class, not the message.
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="reportjob_user")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
