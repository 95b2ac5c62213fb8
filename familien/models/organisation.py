"""The organisation: branches, programmes, and the people who log in with their roles."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    HOVEDSTADEN = "hovedstaden", _("Capital Region of Denmark")
    SJAELLAND = "sjaelland", _("Region Zealand")
    SYDDANMARK = "syddanmark", _("Region of Southern Denmark")
    MIDTJYLLAND = "midtjylland", _("Central Denmark Region")
    NORDJYLLAND = "nordjylland", _("North Denmark Region")


class Programme(models.TextChoices):
    """The course types of DOMAIN.md §3."""

    FAMILY_FRIEND = "family_friend", _("Family friend")
    JOB_MENTOR = "job_mentor", _("Job mentor")
    EDUCATION_MENTOR = "education_mentor", _("Education mentor")
    WORKPLACE_MENTOR = "workplace_mentor", _("Workplace mentor")


class Branch(models.Model):
    """A local branch (lokalafdeling): 202 in Denmark, about 90 run the programme (§1)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    municipality = models.CharField(_("municipality"), max_length=80)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    postcode = models.CharField(_("postcode"), max_length=4)
    # Programme values from Programme; a JSON list keeps this portable to SQLite.
    programmes = models.JSONField(_("programmes run"), default=list, blank=True)
    # Where the branch is, for distances between branches (matching across branches).
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # In one branch only the family may say no after the match meeting, so that no family
    # feels rejected by Røde Kors (report section 7.2).
    only_family_may_decline = models.BooleanField(
        _("only the family may decline a match"), default=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self):
        return self.name

    @property
    def programme_labels(self):
        return [Programme(value).label for value in self.programmes if value in Programme.values]


class Role(models.TextChoices):
    """Who uses Familien (docs/architecture.md, "Who uses it")."""

    LEADER = "leader", _("Activity leader")
    CENTRAL = "central", _("Central corps / consultant")
    FOLLOWUP = "followup", _("Follow-up volunteer")
    VOLUNTEER = "volunteer", _("Volunteer")
    EVALUATOR = "evaluator", _("Evaluator")
    ADMIN = "admin", _("Administrator")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields["role"] = Role.ADMIN
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with e-mail and password. One role; leaders have branches."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    branches = models.ManyToManyField(
        Branch, blank=True, related_name="leaders", verbose_name=_("branches")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False, editable=False)
    date_joined = models.DateTimeField(_("created"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        # The Django admin is the administrators' tool and theirs alone.
        self.is_staff = self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email
