"""Families (households), their parents and children, and their consents (DOMAIN.md §4, §7)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from familien.models.choices import (
    ArrivalChannel,
    Employment,
    Gender,
    ParentEducation,
    SurveyChannel,
)
from familien.models.organisation import Branch
from familien.models.partners import Partner, PartnerContact
from familien.models.records import RegisteredRecord


class ConsentState(models.TextChoices):
    MISSING = "missing", _("Not recorded")
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FamilyQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Family.Status.ACTIVE)

    def for_list(self):
        """What a list row shows, in one query with the branch."""
        return self.select_related("branch").only(
            "name",
            "branch__name",
            "postcode",
            "city",
            "status",
            "evaluation_consent",
            "data_consent",
            "created_at",
            "arrival_channel",
        )


class Family(RegisteredRecord):
    """A household (familie) in a branch's care."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="families", verbose_name=_("branch")
    )
    name = models.CharField(_("family name"), max_length=150)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Figur 3.1: several reasons allowed; values from SupportReason.
    reasons = models.JSONField(_("reasons for wanting support"), default=list, blank=True)
    arrival_channel = models.CharField(
        _("how the family came"), max_length=20, choices=ArrivalChannel.choices, blank=True
    )
    referral_partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_families",
        verbose_name=_("referred by"),
    )
    referral_contact = models.ForeignKey(
        PartnerContact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_families",
        verbose_name=_("referring contact person"),
    )
    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    needs_interpreter = models.BooleanField(_("needs an interpreter"), default=False)
    # Health, social problems and the like: shown to the family's caseworkers only,
    # masked in the audit trail, never in a list or a log.
    sensitive_notes = models.TextField(_("notes (sensitive)"), blank=True)
    # The current state of each consent; the Consent rows are the history.
    data_consent = models.CharField(
        _("consent to data processing"),
        max_length=10,
        choices=ConsentState.choices,
        default=ConsentState.MISSING,
    )
    evaluation_consent = models.CharField(
        _("consent to the evaluation surveys"),
        max_length=10,
        choices=ConsentState.choices,
        default=ConsentState.MISSING,
    )

    objects = FamilyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("family")
        verbose_name_plural = _("families")
        indexes = [
            # The leader's list: one branch, newest first or by name.
            models.Index(fields=["branch", "status", "name"], name="family_branch_status_name"),
            # The national list (central corps: every branch) by name or newest first, 25
            # rows read from either end (familien/paging.py) instead of sorting them all.
            models.Index(fields=["name", "id"], name="family_name"),
            models.Index(fields=["created_at", "id"], name="family_created"),
            # A family's branch without reading the family row: the central corps'
            # waiting list per branch joins 10,000 requests to their families' branches.
            models.Index(fields=["id"], include=["branch"], name="family_branch_lookup"),
            # Search also uses a GIN trigram index on search_text (familien/search.py),
            # created on PostgreSQL only by migration 0006: SQLite has no GIN.
        ]

    def __str__(self):
        return self.name

    @property
    def evaluation_allowed(self):
        """Surveys and reminders go only to families who said yes and have not withdrawn."""
        return self.evaluation_consent == ConsentState.GIVEN

    @property
    def reason_labels(self):
        from familien.models.choices import SupportReason

        return [SupportReason(v).label for v in self.reasons if v in SupportReason.values]


class Parent(models.Model):
    class AgeBand(models.TextChoices):
        UNDER_30 = "under_30", _("Under 30")
        AGE_30_39 = "30_39", _("30–39")
        AGE_40_49 = "40_49", _("40–49")
        AGE_50_PLUS = "50_plus", _("50 or over")

    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, related_name="parents", verbose_name=_("family")
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_channel = models.CharField(
        _("survey invitations by"),
        max_length=10,
        choices=SurveyChannel.choices,
        default=SurveyChannel.SMS,
    )
    # For letters; empty means the family's address.
    postal_address = models.CharField(_("postal address"), max_length=200, blank=True)
    postal_postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    postal_city = models.CharField(_("city"), max_length=80, blank=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNSTATED
    )
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)
    education = models.CharField(
        _("highest completed education"),
        max_length=20,
        choices=ParentEducation.choices,
        blank=True,
    )
    employment = models.CharField(
        _("employment"), max_length=20, choices=Employment.choices, blank=True
    )
    single_provider = models.BooleanField(_("single provider"), default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("parent")
        verbose_name_plural = _("parents")
        indexes = [
            models.Index(fields=["phone"], name="parent_phone"),
            models.Index(fields=["email"], name="parent_email"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class Child(models.Model):
    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, related_name="children", verbose_name=_("family")
    )
    first_name = models.CharField(_("first name"), max_length=80)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    school_class = models.CharField(_("school class"), max_length=20, blank=True)
    support_concerns = models.BooleanField(_("the support concerns this child"), default=False)

    class Meta:
        ordering = ["birth_year", "pk"]
        verbose_name = _("child")
        verbose_name_plural = _("children")

    def __str__(self):
        return self.first_name


class Consent(models.Model):
    """One recorded answer to a consent question; the newest per kind is the one in force."""

    class Kind(models.TextChoices):
        DATA = "data", _("Processing of the family's data")
        EVALUATION = "evaluation", _("Taking part in the evaluation surveys")

    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, related_name="consents", verbose_name=_("family")
    )
    kind = models.CharField(_("consent to"), max_length=12, choices=Kind.choices)
    state = models.CharField(_("answer"), max_length=10, choices=ConsentState.choices)
    recorded_at = models.DateTimeField(_("recorded"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_state_display()}"
