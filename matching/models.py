"""Matches (forløb) between a family and a volunteer.

The foundation holds what scoping and the home pages need; the matching issue adds
support requests, intro meetings and the full lifecycle (DOMAIN.md §8).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from familien.models import Family, Programme, Volunteer


class Match(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    class StartedBy(models.TextChoices):
        # The report counts local and central starts separately (section 2.2, 7.1).
        LOCAL = "local", _("Locally")
        CENTRAL = "central", _("Centrally")

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="matches", verbose_name=_("family")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="matches", verbose_name=_("volunteer")
    )
    programme = models.CharField(_("programme"), max_length=20, choices=Programme.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
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
    started_on = models.DateField(_("started on"))
    focus = models.CharField(_("agreed focus"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")

    def __str__(self):
        return f"{self.get_programme_display()} #{self.pk}"
