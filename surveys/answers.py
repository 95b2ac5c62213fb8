"""What a respondent answers, from the form to Response and Answer rows (issue 6 item 7;
DOMAIN.md §13, §15, §16).

* ``invitation_for_token``: the invitation behind a link, or None. A malformed token is
  refused before any lookup; only the token's hash is ever compared (surveys.tokens).
* ``state_of``: what the link shows: the questionnaire (open), the thank-you page
  (answered) or the closed page (everything else, told apart from an unknown link by
  nobody).
* ``asked_questions``: the questionnaire's items for the invitation's form, in order.
* ``save_progress``: keep what was answered so far; the page shows it again.
* ``submit``: the answers are final: complete when every asked item is answered, partial
  otherwise; both count as answered in the response rates (DOMAIN.md §15, "both full and
  partial answers count as answered"; §16: most questions are not mandatory). The scales
  are scored and the reminder chain stops.

Values: a CHOICE answer is the choice's value, a MULTI answer the list of chosen values
(in the questionnaire's order), a SCALE answer an integer within the item's range, a
TEXT answer a string of at most TEXT_MAX_CHARS characters. No answer is no row.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import Answer, AnswerType, Invitation, Response
from surveys.services import SurveyError, evaluation_allowed, mark_answered
from surveys.tokens import hash_token, looks_like_token

# A free-text answer's limit: room for a long story, not for a pasted document.
TEXT_MAX_CHARS = 2000

OPEN, ANSWERED, CLOSED = "open", "answered", "closed"


class AlreadyAnswered(SurveyError):
    """The invitation's answers were sent already; nothing is changed."""


class NotOpen(SurveyError):
    """The invitation takes no answers (cancelled, stopped, declined, anonymised)."""


def invitation_for_token(token):
    """The invitation a link's token belongs to, with what its pages need, or None."""
    if not looks_like_token(token):
        return None
    return (
        Invitation.objects.select_related(
            "questionnaire", "match__family", "parent__family", "volunteer"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )


def _anonymised(invitation):
    if invitation.match.family.anonymised_at is not None:
        return True
    return invitation.volunteer_id is not None and invitation.volunteer.anonymised_at is not None


def state_of(invitation):
    """OPEN: the questionnaire takes answers; ANSWERED: it was sent; CLOSED: anything
    else: unknown, cancelled, stopped as non-response, declined, the consent withdrawn
    since, or the family or volunteer anonymised (their record no longer says who they
    were, so neither may the page)."""
    if invitation is None or _anonymised(invitation):
        return CLOSED
    if invitation.status == Invitation.Status.ANSWERED:
        return ANSWERED
    if invitation.status == Invitation.Status.OPEN and evaluation_allowed(invitation):
        return OPEN
    return CLOSED


def asked_questions(invitation):
    """The items of the invitation's questionnaire asked in its form (pre, follow-up,
    post or volunteer; DOMAIN.md §13), in position order. ``kinds`` is a JSON list, so
    the filter runs here rather than in SQL (SQLite has no JSON containment)."""
    questions = invitation.questionnaire.questions.order_by("position")
    return [question for question in questions if invitation.kind in question.kinds]


def saved_answers(invitation):
    """(response or None, {question id: value}) of what was saved or sent so far."""
    response = Response.objects.filter(invitation=invitation).first()
    if response is None:
        return None, {}
    values = dict(response.answers.values_list("question_id", "value"))
    return response, values


def valid_value(question, value) -> bool:
    """Whether ``value`` is a well-formed answer to ``question`` (the form checks the
    input; this guards the rows against any other caller)."""
    if question.answer_type == AnswerType.CHOICE:
        return value in {choice["value"] for choice in question.choices}
    if question.answer_type == AnswerType.MULTI:
        allowed = {choice["value"] for choice in question.choices}
        return isinstance(value, list) and bool(value) and set(value) <= allowed
    if question.answer_type == AnswerType.SCALE:
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and question.scale_min <= value <= question.scale_max
        )
    if question.answer_type == AnswerType.TEXT:
        return isinstance(value, str) and 0 < len(value) <= TEXT_MAX_CHARS
    return False


def _write(response, values):
    """Store ``values`` ({question: value or None}): one upsert for the answers given,
    one delete for the ones taken back. Two queries however many items."""
    for question, value in values.items():
        if value is not None and not valid_value(question, value):
            raise SurveyError(_("An answer does not fit its question."))
    given = [
        Answer(response=response, question=question, value=value)
        for question, value in values.items()
        if value is not None
    ]
    cleared = [question.pk for question, value in values.items() if value is None]
    if given:
        Answer.objects.bulk_create(
            given,
            update_conflicts=True,
            unique_fields=["response", "question"],
            update_fields=["value"],
        )
    if cleared:
        Answer.objects.filter(response=response, question_id__in=cleared).delete()


def _lock_open(invitation):
    """The invitation locked for this transaction, if it still takes answers."""
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("match__family", "parent__family", "volunteer")
        .get(pk=invitation.pk)
    )
    state = state_of(locked)
    if state == ANSWERED:
        raise AlreadyAnswered(_("These answers were sent already."))
    if state != OPEN:
        raise NotOpen(_("This questionnaire no longer takes answers."))
    return locked


def save_progress(invitation, values):
    """Keep the answers given so far (``values``: {question: value or None}) without
    sending them: the link shows them again, the reminders go on. Refused once sent."""
    with transaction.atomic():
        locked = _lock_open(invitation)
        response, _created = Response.objects.get_or_create(invitation=locked)
        if response.submitted_at is not None:
            raise AlreadyAnswered(_("These answers were sent already."))
        _write(response, values)
    return response


def submit(invitation, values, *, questions, entered_by=None, now=None):
    """Send the answers: ``values`` ({question: value or None}) replace what was saved
    for the asked ``questions``; the response is complete when every one of them has an
    answer, partial otherwise (both count as answered, DOMAIN.md §15). The scales are
    scored (surveys.scoring), and the reminder chain stops (services.mark_answered).
    ``entered_by`` is the staff member keying in a paper questionnaire.

    Sent once: the invitation row is locked and the response's ``submitted_at`` set with
    a conditional update, so a second submit, even at the same moment, raises
    AlreadyAnswered and changes nothing."""
    from surveys.scoring import apply_scores

    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_open(invitation)
        response, _created = Response.objects.get_or_create(invitation=locked)
        claimed = Response.objects.filter(pk=response.pk, submitted_at__isnull=True).update(
            submitted_at=now
        )
        if not claimed:
            raise AlreadyAnswered(_("These answers were sent already."))
        _write(response, values)
        asked = {question.pk for question in questions}
        answered = set(
            Answer.objects.filter(response=response, question_id__in=asked).values_list(
                "question_id", flat=True
            )
        )
        response.submitted_at = now
        response.complete = answered == asked
        response.entered_by = entered_by
        response.save(update_fields=["complete", "entered_by"])
        apply_scores(response)
        mark_answered(locked, now=now)
    return response
