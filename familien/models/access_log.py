"""The access log: who used which person's data, when and how (familien/access_log.py writes it).

Datatilsynet's catalogue of measures asks for a log of every use of personal data, reads and
searches included, and since CJEU C-579/21 a person may ask for the entries about them. The
rows are append-only: this model refuses updates and deletes, and the database refuses them
too (migration 0007). Only the daily purge of rows past retention may delete.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familien.models.organisation import Role


class AppendOnlyError(Exception):
    """An attempt to change or delete an access-log entry."""


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("access-log entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("access-log entries cannot be deleted")

    def purge_older_than(self, cutoff):
        """Delete the entries written before ``cutoff``: the retention purge, and the one
        delete there is (familien.access_log.purge_expired sets the database up for it)."""
        return models.QuerySet.delete(self.filter(at__lt=cutoff))

    def for_family(self, family_id):
        """Every entry about the family: pages of the family itself, and of its support
        requests, matches, follow-up tasks and survey invitations (those pages name only
        their own object, resolved here so no page pays a query for it)."""
        from followup.models import FollowUpTask
        from matching.models import Match, SupportRequest
        from surveys.models import ContactAttempt, Invitation

        return self.filter(
            models.Q(family_id=family_id)
            | _objects(SupportRequest.objects.filter(family_id=family_id))
            | _objects(Match.objects.filter(family_id=family_id))
            | _objects(FollowUpTask.objects.filter(match__family_id=family_id))
            | _objects(Invitation.objects.filter(match__family_id=family_id))
            | _objects(ContactAttempt.objects.filter(invitation__match__family_id=family_id))
        )

    def for_volunteer(self, volunteer_id):
        """Every entry about the volunteer, with the pages of their matches, follow-up tasks
        and survey invitations."""
        from followup.models import FollowUpTask
        from matching.models import Match
        from surveys.models import ContactAttempt, Invitation

        invitations = Invitation.objects.filter(
            models.Q(volunteer_id=volunteer_id) | models.Q(match__volunteer_id=volunteer_id)
        )
        return self.filter(
            models.Q(volunteer_id=volunteer_id)
            | _objects(Match.objects.filter(volunteer_id=volunteer_id))
            | _objects(FollowUpTask.objects.filter(match__volunteer_id=volunteer_id))
            | _objects(invitations)
            | _objects(ContactAttempt.objects.filter(invitation__in=invitations))
        )


def _objects(queryset):
    return models.Q(
        object_type=queryset.model._meta.label_lower, object_id__in=queryset.values("pk")
    )


class AccessLogEntry(models.Model):
    """One use of personal data. A request writes one entry, plus one per family or
    volunteer a list or search showed; the entries of one request share ``request_id``."""

    class Action(models.TextChoices):
        VIEW = "view", _("view")
        SEARCH = "search", _("search")
        EXPORT = "export", _("export")
        CREATE = "create", _("create")
        CHANGE = "change", _("change")
        DELETE = "delete", _("delete")

    at = models.DateTimeField(_("time"), default=timezone.now)
    request_id = models.UUIDField(_("request"))
    # No database constraint: a user may be deleted one day, and the entry must not
    # follow (nor block that). The e-mail and name are kept as they were.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    user_email = models.CharField(_("e-mail"), max_length=254)
    user_name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=20)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    what = models.CharField(_("page"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.PositiveBigIntegerField(_("object"), null=True, blank=True)
    family_id = models.PositiveBigIntegerField(_("family"), null=True, blank=True)
    volunteer_id = models.PositiveBigIntegerField(_("volunteer"), null=True, blank=True)
    criterion = models.CharField(_("search criterion"), max_length=500, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10)
    status = models.PositiveSmallIntegerField(_("status"))

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access-log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["family_id", "at"], name="accesslog_family"),
            models.Index(fields=["volunteer_id", "at"], name="accesslog_volunteer"),
            models.Index(fields=["object_type", "object_id"], name="accesslog_object"),
            models.Index(fields=["at"], name="accesslog_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_email} {self.action} {self.what}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("access-log entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("access-log entries cannot be deleted")

    @property
    def role_label(self):
        return dict(Role.choices).get(self.role, self.role)
