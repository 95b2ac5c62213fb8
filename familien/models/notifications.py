from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message in a person's in-app inbox; some are also sent by mail.

    The text names no family or person: it says what happened and links to the record,
    which the access rules then guard.
    """

    class Kind(models.TextChoices):
        CENTRAL_FAMILY = "central_family", _("The central corps registered a family")
        CENTRAL_VOLUNTEER = "central_volunteer", _("The central corps registered a volunteer")
        CERTIFICATE = "certificate", _("Child-protection certificate")
        UNREACHABLE = "unreachable", _("Volunteer not reached")
        VOLUNTEER_ANSWERED = "volunteer_answered", _("A volunteer answered a proposed match")
        SPARRING = "sparring", _("A volunteer would like sparring")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The unread badge in the menu: one user's unread rows.
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self):
        return self.text
