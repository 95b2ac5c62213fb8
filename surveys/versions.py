"""Questionnaire versions (issue 6 item 1): a published version is frozen; a change is a
copy made as a draft, edited, then published.

Answers point at the exact Question they answered (surveys.models.Answer), so freezing
what is published is what keeps an answer's meaning: a later version has its own rows and
never changes an earlier one. Invitations use the newest published version
(surveys.services.current_questionnaire); one that was sent keeps its version.
"""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import AnswerType, Question, Questionnaire, Respondent, SurveyKind
from surveys.services import SurveyError

# Question fields a copy carries over (everything but the key and the questionnaire).
COPIED_FIELDS = [
    "position",
    "code",
    "kinds",
    "text_da",
    "text_en",
    "answer_type",
    "choices",
    "scale_min",
    "scale_max",
    "instrument",
    "instrument_item",
]


def ensure_editable(questionnaire):
    """Refuse any change to a published version: answers already given must keep meaning
    what they meant."""
    if questionnaire.published_at is not None:
        raise SurveyError(
            _(
                "Version %(version)s is published and cannot be changed. Copy it as a new "
                "draft version and change the copy."
            )
            % {"version": questionnaire.version}
        )


def _choice_problems(choices):
    if not isinstance(choices, list) or not choices:
        return [_("needs a list of choices")]
    problems, seen = [], set()
    for choice in choices:
        if not isinstance(choice, dict) or not all(
            isinstance(choice.get(key), str) and choice.get(key).strip()
            for key in ("value", "da", "en")
        ):
            problems.append(_('every choice needs a "value", a Danish "da" and an English "en"'))
            break
        if choice["value"] in seen:
            problems.append(_("the choice value %(value)s appears twice") % choice)
        seen.add(choice["value"])
    return problems


def question_problems(question, respondent=None):
    """What keeps a question from being asked: missing Danish or English text, choices
    without a value or a translation, a scale without a sensible range, forms that do not
    exist or do not fit the respondent (volunteers answer only the volunteer survey,
    DOMAIN.md §13)."""
    problems = []
    if not (question.text_da or "").strip() or not (question.text_en or "").strip():
        problems.append(_("needs both a Danish and an English text"))
    if question.answer_type in (AnswerType.CHOICE, AnswerType.MULTI):
        problems += _choice_problems(question.choices)
    elif question.answer_type == AnswerType.SCALE:
        if (
            question.scale_min is None
            or question.scale_max is None
            or question.scale_min >= question.scale_max
        ):
            problems.append(_("a scale needs a lowest value below its highest"))
    elif question.answer_type != AnswerType.TEXT:
        problems.append(_("has no known answer type"))
    if bool(question.instrument) != (question.instrument_item is not None):
        problems.append(_("an instrument item needs both its instrument and its item number"))
    kinds = question.kinds if isinstance(question.kinds, list) else None
    if not kinds or any(kind not in SurveyKind.values for kind in kinds):
        problems.append(_("needs the forms it is asked in"))
    elif respondent == Respondent.VOLUNTEER and kinds != [SurveyKind.VOLUNTEER]:
        problems.append(_("a volunteer's questionnaire is asked only in the volunteer survey"))
    elif respondent == Respondent.PARENT and SurveyKind.VOLUNTEER in kinds:
        problems.append(_("a parent's questionnaire is not asked in the volunteer survey"))
    return problems


def questionnaire_problems(questionnaire):
    """Every question's problems, each named by its code."""
    problems = []
    for question in questionnaire.questions.all():
        for problem in question_problems(question, questionnaire.respondent):
            problems.append(f"{question.code}: {problem}")
    return problems


def new_version(questionnaire):
    """Copy a questionnaire and all its questions as a draft of the next version (not
    published, so it can be edited). Only one draft per questionnaire at a time, so the
    newest version is always the one published last."""
    with transaction.atomic():
        versions = Questionnaire.objects.filter(code=questionnaire.code)
        if versions.filter(published_at__isnull=True).exists():
            raise SurveyError(
                _("A draft version of this questionnaire already exists: change that one.")
            )
        latest = versions.aggregate(latest=Max("version"))["latest"] or 0
        copy = Questionnaire(
            code=questionnaire.code,
            version=latest + 1,
            respondent=questionnaire.respondent,
            programme=questionnaire.programme,
            title_da=questionnaire.title_da,
            title_en=questionnaire.title_en,
            intro_da=questionnaire.intro_da,
            intro_en=questionnaire.intro_en,
            published_at=None,
        )
        try:
            with transaction.atomic():
                copy.save()
        except IntegrityError:
            # Someone else copied it at the same moment.
            raise SurveyError(
                _("A draft version of this questionnaire already exists: change that one.")
            ) from None
        Question.objects.bulk_create(
            Question(questionnaire=copy, **{field: getattr(q, field) for field in COPIED_FIELDS})
            for q in questionnaire.questions.all()
        )
    return copy


def publish(questionnaire, *, now=None):
    """Publish a draft: from now on new invitations use it (the newest published version,
    surveys.services.current_questionnaire). Refuses a version without questions, one with
    a question that cannot be asked, and one already published."""
    now = now or timezone.now()
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if questionnaire.published_at is not None:
            raise SurveyError(_("This version is already published."))
        if not questionnaire.questions.exists():
            raise SurveyError(_("A version without questions cannot be published."))
        problems = questionnaire_problems(questionnaire)
        if problems:
            raise SurveyError(
                _("The version cannot be published: %(problems)s")
                % {"problems": "; ".join(problems)}
            )
        newer = Questionnaire.objects.filter(
            code=questionnaire.code, version__gt=questionnaire.version, published_at__isnull=False
        )
        if newer.exists():
            raise SurveyError(_("A newer version is already published."))
        questionnaire.published_at = now
        questionnaire.save(update_fields=["published_at"])
    return questionnaire
