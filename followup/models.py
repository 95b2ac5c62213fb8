"""Follow-up of running matches: the volunteers' check-ins, the rules that plan follow-ups
per programme, and the tasks those rules, silence, sparring and the end of a course raise
(issue 5; DOMAIN.md §9, §10, §11; report sections 3.1.3, 5.1.2, 6.1.2, 7.3)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from familien.models import Branch, Programme
from matching.models import Match


class CloseReason(models.TextChoices):
    """Why a course ended (DOMAIN.md §11)."""

    GOALS_REACHED = "goals_reached", _("Goals reached")
    FAMILY_MOVED = "family_moved", _("The family moved")
    VOLUNTEER_STOPPED = "volunteer_stopped", _("The volunteer stopped")
    FAMILY_WITHDREW = "family_withdrew", _("The family withdrew")
    PRIVATE_FRIENDSHIP = "private_friendship", _("Continues as a private friendship")
    CONTACT_FADED = "contact_faded", _("Contact faded out")
    NEW_VOLUNTEER = "new_volunteer", _("New volunteer wanted")
    OTHER = "other", _("Other")


class MeetingPlace(models.TextChoices):
    HOME = "home", _("At home")
    OUTSIDE = "outside", _("Outside the home")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video")


class Activity(models.TextChoices):
    """What a meeting was about: Figur 3.4's support types and the mentor chapters' themes
    (DOMAIN.md §9)."""

    OWN_CHALLENGES = "own_challenges", _("The parent's own challenges")
    EVERYDAY_STRUCTURE = "everyday_structure", _("Everyday structure")
    CHILDREN_TASKS = "children_tasks", _("Practical tasks with the children")
    HOMEWORK = "homework", _("Homework help")
    OUTING = "outing", _("Outings")
    LEISURE = "leisure", _("Leisure activities")
    ACCOMPANYING = "accompanying", _("Accompanying to meetings")
    JOB_SEARCH = "job_search", _("Job search and applications")
    WORKPLACE = "workplace", _("Becoming secure at a workplace")
    STUDY = "study", _("Study tasks")
    FINANCES = "finances", _("The family's finances")
    CONVERSATION = "conversation", _("Conversation and support")


class CheckIn(models.Model):
    """A meeting (or call) the volunteer logs: when, how long, how, what they did."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="check_ins")
    met_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    place = models.CharField(_("how"), max_length=10, choices=MeetingPlace.choices)
    activities = models.JSONField(_("what we did"), default=list, blank=True)
    note = models.CharField(_("short note"), max_length=500, blank=True)
    wants_sparring = models.BooleanField(_("I would like sparring"), default=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-met_on", "-pk"]
        indexes = [
            # A match's check-ins by date, with the minutes: the figures' sums over a
            # match's first and last 13 weeks (followup.figures.hours_per_month) and the
            # dashboard's last check-in are read from the index alone.
            models.Index(
                fields=["match", "met_on"], include=["minutes"], name="checkin_match_date_minutes"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=5) & Q(minutes__lte=24 * 60), name="checkin_minutes"
            )
        ]

    def __str__(self):
        return f"{self.match_id} {self.met_on}"


class FollowUpRule(models.Model):
    """How a programme's matches are followed up; an administrator edits them. A rule for
    a branch overrides the national one (branches choose monthly or every sixth week,
    DOMAIN.md §10.1)."""

    programme = models.CharField(_("programme"), max_length=20, choices=Programme.choices)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_up_rules",
        verbose_name=_("branch (empty: nationally)"),
    )
    first_after_days = models.PositiveSmallIntegerField(_("first follow-up, days after the start"))
    every_days = models.PositiveSmallIntegerField(_("then every (days)"))
    silent_after_days = models.PositiveSmallIntegerField(_("silent match: days without a check-in"))
    review_before_days = models.PositiveSmallIntegerField(
        _("end-of-course review: days before the planned end")
    )

    class Meta:
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")
        ordering = ["programme", "branch__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(branch__isnull=True),
                name="followup_rule_national",
            ),
            models.UniqueConstraint(fields=["programme", "branch"], name="followup_rule_branch"),
            models.CheckConstraint(
                condition=Q(every_days__gte=7),
                name="followup_rule_every",
                violation_error_code="every_days",
                violation_error_message=_("Follow-ups must be at least 7 days apart."),
            ),
        ]

    def __str__(self):
        return f"{self.get_programme_display()} ({self.branch or _('nationally')})"


class FollowUpTaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_on__isnull=True, cancelled_on__isnull=True)

    def due_by(self, day):
        return self.open().filter(due_on__lte=day)


class FollowUpTask(models.Model):
    """Something the person responsible for a match must do by a date: the branch's
    activity leaders for a locally started match, the central corps (its follow-up
    volunteer, if one is assigned) for a centrally started one (DOMAIN.md §2.2)."""

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Follow-up")
        SILENT = "silent", _("Silent match")
        SPARRING = "sparring", _("Sparring requested")
        END_REVIEW = "end_review", _("End-of-course review")

    class Outcome(models.TextChoices):
        GOING_WELL = "going_well", _("Going well")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")
        ENDING_SOON = "ending_soon", _("Ending soon")

    class Decision(models.TextChoices):
        """The end-of-course review's answer (report section 7.3, Boks 7.1)."""

        EXTEND = "extend", _("Extend")
        CLOSE = "close", _("Close")
        NEW_VOLUNTEER = "new_volunteer", _("New volunteer wanted")

    class Responsible(models.TextChoices):
        BRANCH = "branch", _("The branch's activity leaders")
        CENTRAL = "central", _("The central corps")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="follow_up_tasks")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    due_on = models.DateField(_("due"))
    responsible = models.CharField(max_length=8, choices=Responsible.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_tasks",
        verbose_name=_("assigned to"),
    )
    check_in = models.ForeignKey(
        CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_on = models.DateField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    cancelled_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowUpTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(done_on__isnull=True, cancelled_on__isnull=True),
                name="followup_task_open_due",
            ),
            # The queues of the central corps and the branches (access.task_queue_for):
            # the dashboard's first ten of each kind by due date and its counts
            # (followup.dashboard.task_lists, task_summary), and the queue page's count,
            # read from the index alone; match_id rides along for the per-branch counts.
            models.Index(
                fields=["responsible", "kind", "due_on", "id"],
                include=["match"],
                condition=Q(done_on__isnull=True, cancelled_on__isnull=True),
                name="followup_task_open_queue",
            ),
            # The same for an administrator, whose queue is every open task: the lists
            # in (kind, due_on) order and the counts without a sort or a heap read.
            models.Index(
                fields=["kind", "due_on", "id"],
                include=["responsible", "match"],
                condition=Q(done_on__isnull=True, cancelled_on__isnull=True),
                name="followup_task_open_kind",
            ),
        ]
        constraints = [
            # Planning twice (a retried task, an extension) never doubles a follow-up.
            models.UniqueConstraint(
                fields=["match", "kind", "due_on"],
                condition=Q(kind="follow_up"),
                name="followup_task_once_per_date",
            ),
            # One open alert of each kind per match: a silent match is raised once.
            models.UniqueConstraint(
                fields=["match", "kind"],
                condition=Q(
                    kind__in=["silent", "end_review"],
                    done_on__isnull=True,
                    cancelled_on__isnull=True,
                ),
                name="followup_task_one_open_alert",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.match_id} {self.due_on}"

    @property
    def is_open(self):
        return self.done_on is None and self.cancelled_on is None
