"""Which answers count in the outcome figures (DOMAIN.md §13, §16; report Bilag 2).

"We use only the latest form a participant has answered": for the after-measure a
parent's post survey wins over their follow-up survey for the same match, and a
follow-up survey counts only while no post survey was answered. Pre and after answers
are compared unpaired (section 2.2, Boks 3.2), so each side is simply a set of responses.
"""

from django.db.models import Exists, OuterRef
from django.db.models.lookups import In

from surveys.models import Respondent, Response, SurveyKind

AFTER_KINDS = (SurveyKind.FOLLOW_UP, SurveyKind.POST)


def parent_responses(responses=None):
    """Submitted responses of parents (the volunteers' forms are reported on their own)."""
    responses = Response.objects.all() if responses is None else responses
    return responses.filter(
        submitted_at__isnull=False,
        invitation__questionnaire__respondent=Respondent.PARENT,
    )


def before_responses(responses=None):
    """The parents' answered pre surveys."""
    return parent_responses(responses).filter(invitation__kind=SurveyKind.PRE)


def _later_after_form(responses):
    """A later answered after-form of the same parent for the same match, among
    ``responses`` (for Exists, relative to the outer response)."""
    return parent_responses(responses).filter(
        invitation__match=OuterRef("invitation__match"),
        invitation__parent=OuterRef("invitation__parent"),
        invitation__kind__in=AFTER_KINDS,
        submitted_at__isnull=False,
        submitted_at__gt=OuterRef("submitted_at"),
    )


def after_responses(responses=None):
    """The parents' latest answered after-form per match: the post survey when there is
    one, otherwise the follow-up survey (Bilag 2: only the latest answered form counts).
    "Later" is looked for among ``responses`` only: a period works as the report's data
    cut-off (1 May 2022), so a follow-up answer counts when the post form came after it."""
    return (
        parent_responses(responses)
        .filter(invitation__kind__in=AFTER_KINDS)
        .exclude(Exists(_later_after_form(responses)))
    )


def counted_responses(responses=None):
    """Both sides at once: before_responses and after_responses in one queryset, read
    in one pass (issue 8). "Later" applies to an after-form only; it is said inside the
    subquery (the outer form's kind) so that the database can still run it as one anti
    join rather than a lookup per response."""
    later = _later_after_form(responses).filter(In(OuterRef("invitation__kind"), list(AFTER_KINDS)))
    return (
        parent_responses(responses)
        .filter(invitation__kind__in=(SurveyKind.PRE, *AFTER_KINDS))
        .exclude(Exists(later))
    )
