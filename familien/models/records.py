from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisteredRecord(models.Model):
    """What families and volunteers share: who registered them (and whether the central
    corps did, report section 7.1), their normalised search text (familien/search.py),
    when they were anonymised (familien/services/privacy.py) and their timestamps."""

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_centrally = models.BooleanField(_("registered by the central corps"), default=False)
    # Names, phones and e-mails, normalised for search.
    search_text = models.TextField(editable=False, default="")
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
