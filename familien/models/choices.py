"""The report's own categories, used by families, volunteers and, later, the surveys."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    OTHER = "other", _("Other")
    UNSTATED = "unstated", _("Not stated")


class ParentEducation(models.TextChoices):
    """Highest completed education as the parent tables group it (DOMAIN.md §4.1–4.3)."""

    COMPULSORY = "compulsory", _("Compulsory school (9th–10th grade)")
    UPPER_SECONDARY_VOCATIONAL = "upper_secondary", _("Upper-secondary or vocational")
    HIGHER = "higher", _("Short, medium or long higher education")
    OTHER = "other", _("Other or unknown")


class VolunteerEducation(models.TextChoices):
    """Highest completed education as Tabel 3.1 groups the volunteers (DOMAIN.md §5.1)."""

    COMPULSORY = "compulsory", _("Compulsory school")
    VOCATIONAL = "vocational", _("Vocational")
    SHORT_HIGHER = "short_higher", _("Short higher education")
    MEDIUM_HIGHER = "medium_higher", _("Medium higher education")
    LONG_HIGHER = "long_higher", _("Long higher education")
    OTHER = "other", _("Other")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("Employed or self-employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    STUDENT = "student", _("Student")
    SICK_LEAVE = "sick_leave", _("On sick leave or in a job-centre programme")
    EARLY_RETIREMENT = "early_retirement", _("Early-retirement or disability pension")
    RETIRED = "retired", _("Retired")
    HOME = "home", _("At home")
    OTHER = "other", _("Other")


class Sector(models.TextChoices):
    """Volunteers' sector of work (DOMAIN.md §5.1)."""

    CARE = "care", _("Care, health and pedagogy")
    OFFICE = "office", _("Trade, office and business")
    SERVICE = "service", _("Service")
    TECHNICAL = "technical", _("Technical and crafts")
    OTHER = "other", _("Other")


class SurveyChannel(models.TextChoices):
    """How a parent wants survey invitations: the report sent sms and mail, or letters."""

    SMS = "sms", _("Sms")
    MAIL = "mail", _("E-mail")
    BOTH = "both", _("Sms and e-mail")
    PRINT = "print", _("Letter by post")


class SupportReason(models.TextChoices):
    """Why a family wants a volunteer: the answers of Figur 3.1, several allowed."""

    TALK_DAILY_LIFE = "talk_daily_life", _("Someone to talk with about daily life")
    PRACTICAL_CHILDREN = "practical_children", _("Support with practical tasks with the children")
    TALK_UPBRINGING = "talk_upbringing", _("Someone to talk with about upbringing")
    FINANCES = "finances", _("Help with finances")
    LOCAL_ACTIVITIES = "local_activities", _("Support to take part in local activities")
    COMPANION = "companion", _("A companion (bisidder) at meetings")
    JOB = "job", _("Help towards work")
    EDUCATION = "education", _("Help to start or complete an education")
    OTHER = "other", _("Other")


class ArrivalChannel(models.TextChoices):
    """How the family came to Røde Kors (DOMAIN.md §7)."""

    PARTNER = "partner", _("Referred by a partner")
    OTHER_FAMILY = "other_family", _("Another family")
    ADVERT = "advert", _("Advert or Facebook")
    LOCAL_PAPER = "local_paper", _("Local newspaper")
    CHRISTMAS_HELP = "christmas_help", _("Christmas-help checkbox")
    SHOP = "shop", _("Røde Kors shop")
    DANISH_COURSE = "danish_course", _("Danish course (Lær Dansk)")
    OTHER = "other", _("Other")


class Availability(models.TextChoices):
    """When a volunteer can meet: weekday and part of day."""

    MON_DAY = "mon_day", _("Monday daytime")
    MON_EVENING = "mon_evening", _("Monday evening")
    TUE_DAY = "tue_day", _("Tuesday daytime")
    TUE_EVENING = "tue_evening", _("Tuesday evening")
    WED_DAY = "wed_day", _("Wednesday daytime")
    WED_EVENING = "wed_evening", _("Wednesday evening")
    THU_DAY = "thu_day", _("Thursday daytime")
    THU_EVENING = "thu_evening", _("Thursday evening")
    FRI_DAY = "fri_day", _("Friday daytime")
    FRI_EVENING = "fri_evening", _("Friday evening")
    WEEKEND_DAY = "weekend_day", _("Weekend daytime")
    WEEKEND_EVENING = "weekend_evening", _("Weekend evening")


class VolunteerPreference(models.TextChoices):
    SMALL_CHILDREN = "small_children", _("Families with small children")
    SCHOOL_CHILDREN = "school_children", _("Families with school children")
    TEENAGERS = "teenagers", _("Families with teenagers")
    SINGLE_PROVIDERS = "single_providers", _("Single providers")
    NEW_IN_DENMARK = "new_in_denmark", _("Families new in Denmark")
    NEAR_HOME = "near_home", _("Close to where I live")


class Language(models.TextChoices):
    """Languages spoken, for families (with or without an interpreter) and volunteers."""

    DANISH = "da", _("Danish")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    SOMALI = "so", _("Somali")
    TURKISH = "tr", _("Turkish")
    FARSI = "fa", _("Farsi/Dari")
    URDU = "ur", _("Urdu")
    TIGRINYA = "ti", _("Tigrinya")
    UKRAINIAN = "uk", _("Ukrainian")
    POLISH = "pl", _("Polish")
    KURDISH = "ku", _("Kurdish")
    GERMAN = "de", _("German")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    OTHER = "other", _("Other")
