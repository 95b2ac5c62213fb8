"""The outcome measures per programme: what the outcome report compares before and after
(issue 7 item 1; DOMAIN.md §27 Boks 2.1 and 2.2, §28 headline results, §16 conventions).

Each ``Measure`` names the parent questionnaire item(s) it reads (question codes of
surveys/migrations/data/questionnaires_v1.json; answers of any later version with the same
code count too), how the answer choices are grouped into the categories the report
prints, and which of those categories make the headline ("always/often"). The groupings
follow the figure notes (*Anm.*) quoted in DOMAIN.md §19, §21, §23: small categories
merged "because of few observations".

Kinds:

* CHOICE: one choice per respondent; the groups partition the choices; ``excluded``
  choices (not applicable, e.g. "I have no partner") are left out of N.
* MULTI: several choices per respondent; each respondent falls into the FIRST group any
  of their choices belong to, so the groups still add up to 100 % (J18: a full-time
  application first, then any other application, then none).
* SCALE: a number; grouped in bands (lo, hi) and also averaged.
* SCORE: a score stored on the Response (surveys.scoring): the mean before and after.

``post_only`` measures are asked in the after-form only (no before side). ``unless``
leaves out respondents whose answer to another item of the same form is one of the given
choices (J18 "If you are not in work": not counted for those who said in J15 they work;
DOMAIN.md §16, section 5.2.2).

What each measure reads (for the seed data set: answers that reproduce the headline of
DOMAIN.md §28 when these items carry the given shares):

Family friend (parent_family_friend)
  ff_swemwbs            F5.1–F5.7 → Response.swemwbs_metric, mean (20.6 → 21.5)
  ff_life_satisfaction  F4   very_satisfied+satisfied
  ff_conflict_partner   F6   several_daily+daily (9 → 5 %); no_partner left out of N
  ff_conflict_child     F7   several_daily (13 → 8 %)
  ff_conflict_resolving F8   agree (40 → 43 %)
  ff_finances           F9   very_good+good (15 → 20 %)
  ff_money_worry        F10  daily+several_weekly (46 → 36 %)
  ff_pss_ps             F11.1–F11.18 → Response.pss_ps, mean (5.3 → 5.1)
  ff_pss_lps            F11.1–F11.18 → Response.pss_lps, mean (1.0 → 1.1)
  ff_routine_morning    F12  always+often (80 → 85 %)
  ff_routine_chores     F13  always+often (34 → 38 %)
  ff_routine_bedtime    F14  always (62 → 66 %)
  ff_routine_same_time  F15  always+often (87 → 89 %)
  ff_routine_meals      F16  always+often (56 → 69 %)
  ff_leisure_parent     F17  yes (17 → 22 %)
  ff_leisure_child      F18  yes (40 → 54 %)
  ff_school_wellbeing   F19  very_good (32 → 36 %)
  ff_home_numbers       F20  daily (23 → 18 %)
  ff_home_words         F21  daily+weekly (52 → 68 %)
  ff_home_reading       F22  less_than_monthly (15 → 10 %)
  ff_home_school_things F23  several_weekly
  ff_school_overview    F24  1–10, band 8–10 and the mean [bands derived]
Job mentor (parent_job_mentor)
  jm_life_satisfaction  J3   very_satisfied+satisfied (37 → 55 %)
  jm_work_after         J15  post only: permanent+fixed_term+other_work = in work (42 %)
  jm_applications       J18  post only, not in work (J15 not permanent/fixed_term/
                             other_work): full_time (52 %), then part_time/internship/
                             education (20 %), then none
Education mentor (parent_education_mentor)
  em_status             E14  post only: still (70 %), completed (22 %), stopped (8 %)
  em_life_satisfaction  E10  very_satisfied+satisfied (65 → 62 %)
  em_knows_what_it_takes E5  0–10, band 10 (21 → 38 %), mean 7.6 → 7.5
  em_contact_strangers  E6   very_easy+mostly_easy (46 → 56 %)
  em_teaching           E8   very_easy+easy (32 → 50 %); dont_know left out of N
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from familien.models import Programme

CHOICE, MULTI, SCALE, SCORE = "choice", "multi", "scale", "score"

# Programmes with a parent questionnaire the report analyses (DOMAIN.md §25: the
# workplace-mentor forms were never reported).
REPORTED_PROGRAMMES = (Programme.FAMILY_FRIEND, Programme.JOB_MENTOR, Programme.EDUCATION_MENTOR)


@dataclass(frozen=True)
class Group:
    """One category of the chart: the choices merged into it, or a band (lo, hi) of a
    scale. ``neutral`` marks "don't know"-like answers (drawn grey)."""

    values: tuple
    neutral: bool = False


def group(*values, neutral=False):
    return Group(tuple(values), neutral)


def band(low, high):
    return Group((low, high))


@dataclass(frozen=True)
class Measure:
    key: str
    programme: str
    title: str
    codes: tuple
    kind: str = CHOICE
    groups: tuple = ()
    # Indices of the groups whose shares add up to the headline figure.
    headline: tuple = (0,)
    excluded: tuple = ()
    score_field: str = ""
    # The range a mean is drawn on (SCORE and SCALE).
    scale: tuple = ()
    post_only: bool = False
    unless: tuple = ()
    criterion: str = ""
    source: str = ""
    description: str = ""

    @property
    def code(self):
        """The one item a CHOICE, MULTI or SCALE measure reads."""
        return self.codes[0]


# Success criteria (Boks 2.1 and 2.2), shown beside each measure.
SELF_ESTEEM = _("Increased self-esteem")
CONFLICT = _("Less conflict in the family")
ECONOMY = _("Less worry about the family's finances")
PARENT_ROLE = _("More belief in themselves as parents")
COMMUNITY = _("More attachment to local communities and associations")
SCHOOL = _("The child thrives better at school")
LEARNING = _("The child has improved academically at school")
WORKPLACE = _("Attached to a workplace or an education after the course")
EQUIPPED = _("Better equipped for education and working life")
CLARITY = _("Clearer about future work or education")

SATISFACTION_GROUPS = (
    group("very_satisfied"),
    group("satisfied"),
    group("neither"),
    group("dissatisfied", "very_dissatisfied"),
)
ROUTINE_MERGED = (
    group("always"),
    group("often"),
    group("sometimes"),
    group("rarely", "never"),
    group("dont_know", neutral=True),
)
ROUTINE_FULL = (
    group("always"),
    group("often"),
    group("sometimes"),
    group("rarely"),
    group("never"),
    group("dont_know", neutral=True),
)
LEISURE = (group("yes"), group("within_6_months"), group("no"))
HOME_LEARNING = (
    group("daily"),
    group("weekly"),
    group("monthly"),
    group("less_than_monthly"),
    group("never"),
    group("dont_know", neutral=True),
)
SWEMWBS_CODES = tuple(f"F5.{item}" for item in range(1, 8))
PSS_CODES = tuple(f"F11.{item}" for item in range(1, 19))

FF, JM, EM = Programme.FAMILY_FRIEND, Programme.JOB_MENTOR, Programme.EDUCATION_MENTOR

MEASURES = (
    # Family friend: Boks 2.1, DOMAIN.md §19 and §28.1.
    Measure(
        "ff_swemwbs",
        FF,
        _("Mental well-being (SWEMWBS)"),
        SWEMWBS_CODES,
        kind=SCORE,
        score_field="swemwbs_metric",
        scale=(7, 35),
        criterion=SELF_ESTEEM,
        source="Bilagstabel 2.3",
        description=_(
            "Seven statements about the last two weeks, from 'none of the time' to 'all of "
            "the time', scored 7 to 35 (metric score). Higher is better well-being. Only "
            "answers to all seven count."
        ),
    ),
    Measure(
        "ff_life_satisfaction",
        FF,
        _("Life satisfaction"),
        ("F4",),
        groups=SATISFACTION_GROUPS,
        headline=(0, 1),
        criterion=SELF_ESTEEM,
        source="Figur 3.7",
    ),
    Measure(
        "ff_conflict_partner",
        FF,
        _("Conflicts with partner"),
        ("F6",),
        groups=(
            group("several_daily", "daily"),
            group("several_weekly"),
            group("weekly"),
            group("few_monthly"),
            group("almost_never"),
        ),
        excluded=("no_partner",),
        criterion=CONFLICT,
        source="Figur 3.8",
    ),
    Measure(
        "ff_conflict_child",
        FF,
        _("Conflicts with the children"),
        ("F7",),
        groups=(
            group("several_daily"),
            group("daily"),
            group("several_weekly"),
            group("weekly"),
            group("few_monthly"),
            group("almost_never"),
        ),
        criterion=CONFLICT,
        source="Figur 3.9",
    ),
    Measure(
        "ff_conflict_resolving",
        FF,
        _("Good at resolving conflicts with the children"),
        ("F8",),
        groups=(
            group("strongly_agree"),
            group("agree"),
            group("neither"),
            group("disagree", "strongly_disagree"),
        ),
        headline=(1,),
        criterion=CONFLICT,
        source="3.2.2",
    ),
    Measure(
        "ff_finances",
        FF,
        _("The family's financial situation"),
        ("F9",),
        groups=(
            group("very_good"),
            group("good"),
            group("neither"),
            group("bad"),
            group("very_bad", "dont_know"),
        ),
        headline=(0, 1),
        criterion=ECONOMY,
        source="Figur 3.10",
    ),
    Measure(
        "ff_money_worry",
        FF,
        _("Worries about the family's finances"),
        ("F10",),
        groups=(
            group("daily"),
            group("several_weekly"),
            group("weekly"),
            group("few_monthly"),
            group("almost_never"),
        ),
        headline=(0, 1),
        criterion=ECONOMY,
        source="3.2.3",
    ),
    Measure(
        "ff_pss_ps",
        FF,
        _("Parental stress (PSS, parental stress subscale)"),
        PSS_CODES,
        kind=SCORE,
        score_field="pss_ps",
        scale=(0, 9),
        criterion=PARENT_ROLE,
        source="Bilagstabel 2.4",
        description=_(
            "Nine statements on the negative sides of being a parent, scored 0 to 9. Higher "
            "is more stress. Only answers to all nine count."
        ),
    ),
    Measure(
        "ff_pss_lps",
        FF,
        _("Parental stress (PSS, lack of parental satisfaction)"),
        PSS_CODES,
        kind=SCORE,
        score_field="pss_lps",
        scale=(0, 7),
        criterion=PARENT_ROLE,
        source="Bilagstabel 2.4",
        description=_(
            "Seven statements on the joys of being a parent, reversed and scored 0 to 7. "
            "Higher is more stress. Only answers to all seven count."
        ),
    ),
    Measure(
        "ff_routine_morning",
        FF,
        _("Morning routine"),
        ("F12",),
        groups=ROUTINE_MERGED,
        headline=(0, 1),
        criterion=PARENT_ROLE,
        source="Figur 3.11",
    ),
    Measure(
        "ff_routine_chores",
        FF,
        _("Regular chores"),
        ("F13",),
        groups=ROUTINE_FULL,
        headline=(0, 1),
        criterion=PARENT_ROLE,
        source="Figur 3.12",
    ),
    Measure(
        "ff_routine_bedtime",
        FF,
        _("Bedtime routine"),
        ("F14",),
        groups=ROUTINE_MERGED,
        headline=(0,),
        criterion=PARENT_ROLE,
        source="Figur 3.13",
    ),
    Measure(
        "ff_routine_same_time",
        FF,
        _("Same bedtime on weekdays"),
        ("F15",),
        groups=ROUTINE_MERGED,
        headline=(0, 1),
        criterion=PARENT_ROLE,
        source="Figur 3.14",
    ),
    Measure(
        "ff_routine_meals",
        FF,
        _("Rules at mealtimes"),
        ("F16",),
        groups=ROUTINE_FULL,
        headline=(0, 1),
        criterion=PARENT_ROLE,
        source="Figur 3.15",
    ),
    Measure(
        "ff_leisure_parent",
        FF,
        _("The parent's leisure activities"),
        ("F17",),
        groups=LEISURE,
        criterion=COMMUNITY,
        source="Figur 3.17",
    ),
    Measure(
        "ff_leisure_child",
        FF,
        _("The children's leisure activities"),
        ("F18",),
        groups=LEISURE,
        criterion=COMMUNITY,
        source="Figur 3.18",
    ),
    Measure(
        "ff_school_wellbeing",
        FF,
        _("The child's well-being at school"),
        ("F19",),
        groups=(
            group("very_good"),
            group("good"),
            group("neither"),
            group("bad"),
            group("very_bad", "dont_know"),
        ),
        criterion=SCHOOL,
        source="Figur 3.20",
    ),
    Measure(
        "ff_home_numbers",
        FF,
        _("Home learning: numbers"),
        ("F20",),
        groups=HOME_LEARNING,
        criterion=LEARNING,
        source="Figur 3.21",
    ),
    Measure(
        "ff_home_words",
        FF,
        _("Home learning: words and letters"),
        ("F21",),
        groups=HOME_LEARNING,
        headline=(0, 1),
        criterion=LEARNING,
        source="Figur 3.22",
    ),
    Measure(
        "ff_home_reading",
        FF,
        _("Home learning: reading aloud"),
        ("F22",),
        groups=HOME_LEARNING,
        headline=(3,),
        criterion=LEARNING,
        source="Figur 3.23",
    ),
    Measure(
        "ff_home_school_things",
        FF,
        _("Home learning: school things together"),
        ("F23",),
        groups=(
            group("several_weekly"),
            group("weekly"),
            group("few_monthly", "monthly"),
            group("rarer"),
            group("never"),
        ),
        criterion=LEARNING,
        source="Figur 3.24",
    ),
    Measure(
        "ff_school_overview",
        FF,
        _("Overview of the children's school life"),
        ("F24",),
        kind=SCALE,
        groups=(band(1, 4), band(5, 7), band(8, 10)),
        headline=(2,),
        scale=(1, 10),
        criterion=LEARNING,
        source="3.2.8",
    ),
    # Job mentor: Boks 2.2, DOMAIN.md §21 and §28.2.
    Measure(
        "jm_life_satisfaction",
        JM,
        _("Life satisfaction"),
        ("J3",),
        groups=SATISFACTION_GROUPS,
        headline=(0, 1),
        criterion=EQUIPPED,
        source="Figur 5.13",
    ),
    Measure(
        "jm_work_after",
        JM,
        _("Work or education after the course"),
        ("J15",),
        groups=(
            group("permanent"),
            group("fixed_term", "other_work"),
            group("education"),
            group("no"),
        ),
        headline=(0, 1),
        post_only=True,
        criterion=WORKPLACE,
        source="Figur 5.4",
    ),
    Measure(
        "jm_applications",
        JM,
        _("Applications out (parents not in work)"),
        ("J18",),
        kind=MULTI,
        groups=(
            group("full_time"),
            group("part_time", "internship", "education"),
            group("none"),
        ),
        post_only=True,
        unless=("J15", ("permanent", "fixed_term", "other_work")),
        criterion=WORKPLACE,
        source="5.2.2",
    ),
    # Education mentor: Boks 2.2, DOMAIN.md §23 and §28.3.
    Measure(
        "em_status",
        EM,
        _("Still studying, completed or stopped"),
        ("E14",),
        groups=(group("still"), group("completed"), group("stopped")),
        post_only=True,
        criterion=WORKPLACE,
        source="Tabel 6.1",
    ),
    Measure(
        "em_life_satisfaction",
        EM,
        _("Life satisfaction"),
        ("E10",),
        groups=SATISFACTION_GROUPS,
        headline=(0, 1),
        criterion=EQUIPPED,
        source="Figur 6.10",
    ),
    Measure(
        "em_knows_what_it_takes",
        EM,
        _("Knows what it takes to complete the education"),
        ("E5",),
        kind=SCALE,
        groups=(band(0, 5), band(6, 9), band(10, 10)),
        headline=(2,),
        scale=(0, 10),
        criterion=CLARITY,
        source="Figur 6.4",
    ),
    Measure(
        "em_contact_strangers",
        EM,
        _("Contacting people they do not know"),
        ("E6",),
        groups=(
            group("very_easy"),
            group("mostly_easy"),
            group("mostly_difficult", "very_difficult"),
        ),
        headline=(0, 1),
        criterion=EQUIPPED,
        source="Figur 6.5",
    ),
    Measure(
        "em_teaching",
        EM,
        _("Being in education and receiving teaching"),
        ("E8",),
        groups=(
            group("very_easy"),
            group("easy"),
            group("neither"),
            group("difficult", "very_difficult"),
        ),
        headline=(0, 1),
        excluded=("dont_know",),
        criterion=EQUIPPED,
        source="Figur 6.7",
    ),
)

BY_KEY = {measure.key: measure for measure in MEASURES}


def measures_for(programme):
    """The measures of ``programme`` in report order, each with its question ``codes``."""
    return [measure for measure in MEASURES if measure.programme == programme]
