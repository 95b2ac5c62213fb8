"""Partner organisations that refer families (DOMAIN.md §2.3, report section 8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from familien.models.organisation import Branch


class Partner(models.Model):
    class Kind(models.TextChoices):
        JOBCENTER = "jobcenter", _("Jobcenter")
        FAMILY_DEPARTMENT = "family_department", _("Municipal family department")
        PPR = "ppr", _("PPR (educational-psychological service)")
        HEALTH_VISITOR = "health_visitor", _("Health visitor")
        HOUSING = "housing", _("Housing social worker")
        SCHOOL = "school", _("School or educational institution")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # A partner works with one branch; national partners have none.
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("branch"),
    )
    municipality = models.CharField(_("municipality"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name


class PartnerContact(models.Model):
    """The fixed contact person partners ask for (Boks 8.1)."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("partner")
    )
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self):
        return self.name
