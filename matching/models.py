"""Support requests, intro meetings and matches (forløb) with their lifecycle (DOMAIN.md §8).

The lifecycle rules live in matching/lifecycle.py; this module holds the rows.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familien.models import Branch, Child, Family, Parent, Programme, Volunteer


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    EITHER = "either", _("In person or online")


class SupportRequestQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=SupportRequest.Status.WAITING)

    def waiting_list_order(self):
        """Re-requests after a match ended first (report section 7.3), then oldest first."""
        return self.order_by("-priority", "waiting_since", "pk")


class SupportRequest(models.Model):
    """A family's wish for a volunteer in one programme, for a parent or a child.

    A family may hold several at once: a family friend and a mentor, or two family
    friends, one for a parent and one for a child (DOMAIN.md §1, 2020 changes).
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        MATCHING = "matching", _("Being matched")
        MATCHED = "matched", _("Matched")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, related_name="support_requests", verbose_name=_("family")
    )
    programme = models.CharField(_("programme"), max_length=20, choices=Programme.choices)
    for_parent = models.ForeignKey(
        Parent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for the parent"),
    )
    for_child = models.ForeignKey(
        Child,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for the child"),
    )
    wishes = models.TextField(_("wishes"), blank=True)
    focus = models.CharField(_("focus"), max_length=300, blank=True)
    mode = models.CharField(
        _("meetings"), max_length=10, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON
    )
    # When the family can meet (familien.models.Availability values); suggestions score
    # the overlap with each volunteer's availability.
    availability = models.JSONField(_("when the family can meet"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    waiting_since = models.DateField(_("waiting since"), default=date.today)
    # A family that asked for a new volunteer when a match ended goes to the top.
    priority = models.BooleanField(_("first on the list"), default=False)
    previous_match = models.ForeignKey(
        "Match",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_requests",
        verbose_name=_("after the match"),
    )
    handled_centrally = models.BooleanField(_("handled by the central corps"), default=False)
    taken_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken over by"),
    )
    taken_over_at = models.DateTimeField(_("taken over"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "waiting_since", "pk"]
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        indexes = [
            # The waiting list: one status, oldest first.
            models.Index(fields=["status", "waiting_since"], name="request_waiting"),
            # The waiting list's page (matching.requests.waiting_list): the open requests
            # in the list's order, so a page is 25 index entries from either end
            # (familien/paging.py), not a sort of every open request. The statuses are
            # matching.requests.OPEN_STATUSES, in that order, so the planner proves the
            # list's WHERE implies the index's.
            models.Index(
                fields=["-priority", "waiting_since", "id"],
                name="request_open_order",
                condition=models.Q(status__in=["waiting", "matching"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_programme_display()} · {self.family}"


class IntroMeeting(models.Model):
    """The introduction meeting with the family: needs, wishes, expectations (section 7.2)."""

    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="intro_meetings"
    )
    held_on = models.DateField(_("held on"))
    attendees = models.CharField(_("who attended"), max_length=300)
    needs = models.TextField(_("needs"), blank=True)
    wishes = models.TextField(_("wishes"), blank=True)
    expectations_aligned = models.BooleanField(_("expectations aligned"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("intro meeting")
        verbose_name_plural = _("intro meetings")

    def __str__(self):
        return f"{self.held_on:%d.%m.%Y}"


class VolunteerTalk(models.Model):
    """A leader's talk with a volunteer about competences and what they can offer."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="talks")
    request = models.ForeignKey(
        SupportRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer_talks",
    )
    held_on = models.DateField(_("held on"))
    notes = models.TextField(_("notes"), blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("talk with the volunteer")
        verbose_name_plural = _("talks with volunteers")

    def __str__(self):
        return f"{self.held_on:%d.%m.%Y}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Not answered")
    YES = "yes", _("Yes")
    NO = "no", _("No")


class Match(models.Model):
    """A course (forløb) between a family and a volunteer, from proposal to close."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        VOLUNTEER_ASKED = "volunteer_asked", _("Volunteer asked")
        MEETING_PLANNED = "meeting_planned", _("Match meeting planned")
        DECIDED = "decided", _("Both said yes")
        AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
        ACTIVE = "active", _("Active")
        ENDING = "ending", _("Ending")
        CLOSED = "closed", _("Closed")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class StartedBy(models.TextChoices):
        # The report counts local and central starts separately (section 2.2, 7.1).
        LOCAL = "local", _("Locally")
        CENTRAL = "central", _("Centrally")

    request = models.ForeignKey(
        SupportRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matches",
        verbose_name=_("support request"),
    )
    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="matches", verbose_name=_("family")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="matches", verbose_name=_("volunteer")
    )
    programme = models.CharField(_("programme"), max_length=20, choices=Programme.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    started_by = models.CharField(
        _("started"), max_length=10, choices=StartedBy.choices, default=StartedBy.LOCAL
    )
    followup_volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followup_matches",
        verbose_name=_("follow-up volunteer"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    meeting_on = models.DateField(_("match meeting"), null=True, blank=True)
    family_decision = models.CharField(
        _("the family's answer"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    volunteer_decision = models.CharField(
        _("the volunteer's answer"),
        max_length=10,
        choices=Decision.choices,
        default=Decision.PENDING,
    )
    end_reason = models.CharField(_("reason"), max_length=300, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    focus = models.CharField(_("agreed focus"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        indexes = [
            models.Index(fields=["status", "family"], name="match_status_family"),
            models.Index(fields=["volunteer", "status"], name="match_volunteer_status"),
            # The dashboard's "matches ending soon" (followup/dashboard.py): running matches
            # by planned end, 10 at a time, with the family for the per-branch count.
            models.Index(
                fields=["planned_end", "id"],
                include=["family"],
                condition=models.Q(status__in=["active", "ending"]),
                name="match_running_planned_end",
            ),
            # A match's family without reading the match row: the national per-branch
            # counts join tasks and matches to their families' branches.
            models.Index(fields=["id"], include=["family"], name="match_family_of"),
            # The central corps' work lists (surveys.scoping.call_queue_for, the follow-up
            # task queue) keep the centrally started matches: read from the index alone.
            models.Index(
                fields=["id"],
                condition=models.Q(started_by="central"),
                name="match_started_centrally",
            ),
        ]

    def __str__(self):
        return f"{self.get_programme_display()} #{self.pk}"


class MatchEvent(models.Model):
    """One step of a match's lifecycle: dated and attributed (issue 4 item 4)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Match.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Match.Status.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class Agreement(models.Model):
    """The aftalepapir (family friend) or mentoraftale (mentor), DOMAIN.md §3.4."""

    match = models.OneToOneField(Match, on_delete=models.CASCADE, related_name="agreement")
    focus = models.TextField(_("agreed focus"))
    meeting_frequency = models.CharField(
        _("how often we meet"), max_length=150, default="ca. 2 timer hver anden uge"
    )
    planned_end = models.DateField(_("planned end"))
    family_signed_on = models.DateField(_("signed by the family"), null=True, blank=True)
    volunteer_signed_on = models.DateField(_("signed by the volunteer"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return str(self.match)


class MatchingWeights(models.Model):
    """How much each reason counts in a suggestion's score; administrators change them.

    One row (pk 1); matching/suggestions.py reads it.
    """

    programme = models.PositiveSmallIntegerField(_("takes the programme"), default=30)
    same_branch = models.PositiveSmallIntegerField(_("same branch"), default=20)
    within_travel = models.PositiveSmallIntegerField(_("within travel range"), default=10)
    availability = models.PositiveSmallIntegerField(_("per shared time slot"), default=3)
    language = models.PositiveSmallIntegerField(_("shares a language"), default=10)
    interests = models.PositiveSmallIntegerField(_("per matching interest"), default=5)
    preferences = models.PositiveSmallIntegerField(_("fits stated preferences"), default=8)
    capacity = models.PositiveSmallIntegerField(_("has room for another match"), default=10)

    class Meta:
        verbose_name = _("matching weights")
        verbose_name_plural = _("matching weights")

    def __str__(self):
        return str(_("Matching weights"))

    @classmethod
    def current(cls):
        weights, _created = cls.objects.get_or_create(pk=1)
        return weights


class BranchDistance(models.Model):
    """Road-free distance in km between two branches, for cross-branch matching within
    a volunteer's travel range (report section 7.1). Filled from branch coordinates."""

    from_branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    to_branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    km = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_branch", "to_branch"], name="distance_once")
        ]

    def __str__(self):
        return f"{self.km} km"
