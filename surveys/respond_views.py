"""The respondent's page (issue 6 item 7): the link from the sms, mail or letter opens the
questionnaire on a phone without logging in; answers can be saved and sent once; the
respondent can decline the evaluation from the page (DOMAIN.md §13).

The token in the path is the only credential. So:
* an unknown, malformed or tampered token and an invitation that no longer takes answers
  get the same page with the same status (404): nobody learns whether a link existed;
* every response says ``Cache-Control: no-store`` (no copy on a shared phone or proxy),
  ``Referrer-Policy: no-referrer`` (the link never travels on to another site) and
  ``X-Robots-Tag: noindex``;
* the token is never logged: the expected 404 is kept out of Django's request log,
  which would write the path;
* no CSRF cookie check: there is no session to ride on, and a forger who knew the token
  could post without any browser. It also spares respondents whose phone's in-app
  browser drops cookies.
* guessing is slowed down: every dead link a client address opens is counted, and past
  SURVEY_LINK_GUESS_LIMIT in a window the address gets 429 before any lookup (so a guess
  that happens to hit a live token learns nothing either). Working links are never
  counted, so a respondent saving and sending their answers is never held up.

Thin views: surveys.answers decides and saves; respond_forms checks the input.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage

from familien.client_address import client_address
from surveys import answers, services
from surveys.respond_forms import AnswerForm
from surveys.tokens import looks_like_token

logger = logging.getLogger(__name__)

PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


def _client_address(_group, request):
    # Behind the proxy, the last X-Forwarded-For entry (familien/client_address.py): else
    # every respondent would share the proxy's address, and one guesser block them all.
    return client_address(request) or "unknown"


def _dead_links(request, *, count):
    """This address's dead-link usage in the current window, counting one more when
    ``count``; None when the cache cannot answer. A cache outage must not lock every
    respondent out, and against 256-bit tokens going without the limit for a while risks
    nothing."""
    rate = f"{settings.SURVEY_LINK_GUESS_LIMIT}/{settings.SURVEY_LINK_GUESS_WINDOW_SECONDS}s"
    try:
        return get_usage(
            request, group="survey-link", key=_client_address, rate=rate, increment=count
        )
    except Exception:  # any cache failure (Redis down, a full disk) means "do not limit"
        logger.warning("Survey link guess counter unavailable; not limiting.", exc_info=True)
        return None


def _too_many(request, usage):
    response = render(request, "surveys/respond/too_many.html", status=429)
    response["Retry-After"] = str(max(1, usage["time_left"]))
    # As with the closed page: the path holds a token, and Django would log it.
    response._has_been_logged = True
    return response


def private(view):
    """The token pages' headers on every response, redirects included; an address that
    has opened too many dead links gets 429 without its link being looked up."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        usage = _dead_links(request, count=False)
        if usage is not None and usage["count"] >= settings.SURVEY_LINK_GUESS_LIMIT:
            response = _too_many(request, usage)
        else:
            response = view(request, *args, **kwargs)
        for header, value in PRIVATE_HEADERS.items():
            response[header] = value
        return response

    return csrf_exempt(wrapper)


def _closed(request):
    """The one page for every link that does not open a questionnaire; each one counts
    as a guess against the client address."""
    _dead_links(request, count=True)
    response = render(request, "surveys/respond_closed.html", status=404)
    # Django logs every 4xx answer with its path, and this path holds a token. A dead link
    # is expected here, not an error anyone must read.
    response._has_been_logged = True
    return response


def _done(request):
    return render(request, "surveys/respond_done.html")


def _posted(request):
    """The posted fields, or None when the body is over Django's limits
    (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS)."""
    try:
        return request.POST
    except (RequestDataTooBig, TooManyFieldsSent):
        return None


def _page(request, token, invitation, form, *, problem=""):
    questionnaire = invitation.questionnaire
    english = get_language() == "en"
    return render(
        request,
        "surveys/respond.html",
        {
            "title": (english and questionnaire.title_en) or questionnaire.title_da,
            "intro": (english and questionnaire.intro_en) or questionnaire.intro_da,
            "form": form,
            "items": form.items(),
            "problem": problem,
            "opt_out_url": reverse("survey_opt_out", kwargs={"token": token}),
        },
    )


def _saved_form(invitation, questions):
    _response, saved = answers.saved_answers(invitation)
    return AnswerForm(questions=questions, language=get_language(), saved=saved)


@private
def survey_respond(request, token):
    """GET: the questionnaire with what was saved so far. POST ``action=save`` keeps the
    valid answers; ``action=submit`` sends them (partial or complete, DOMAIN.md §15).
    Invalid answers stay on the page with a message beside them; the valid ones are
    saved either way, so nothing typed is lost."""
    invitation = answers.invitation_for_token(token)
    state = answers.state_of(invitation)
    if state == answers.CLOSED:
        return _closed(request)
    if state == answers.ANSWERED:
        return _done(request)
    questions = answers.asked_questions(invitation)
    if request.method != "POST":
        return _page(request, token, invitation, _saved_form(invitation, questions))

    data = _posted(request)
    if data is None:
        problem = _(
            "We could not receive so much text at once; nothing new was saved. "
            "Shorten the longest answers and try again."
        )
        form = _saved_form(invitation, questions)
        return _page(request, token, invitation, form, problem=problem)

    form = AnswerForm(data, questions=questions, language=get_language())
    valid = form.is_valid()
    values = form.values()
    sending = data.get("action") == "submit"
    given = sum(value is not None for value in values.values())
    try:
        if sending and valid and given:
            answers.submit(invitation, values, questions=questions)
            return redirect("survey_respond", token=token)
        answers.save_progress(invitation, values)
    except answers.AlreadyAnswered:
        return _done(request)
    except answers.NotOpen:
        return _closed(request)
    if valid and not sending:
        messages.success(
            request,
            _("Your answers are saved. Open the same link to go on, and send them when done."),
        )
        return redirect("survey_respond", token=token)
    if valid:
        form.add_error(None, _("Answer at least one question before you send."))
    elif sending:
        form.add_error(
            None,
            _(
                "Your answers are not sent yet: look at the answers marked below and send "
                "again. The other answers are saved."
            ),
        )
    else:
        form.add_error(
            None,
            _(
                "Some answers could not be saved: look at the answers marked below. "
                "The other answers are saved."
            ),
        )
    return _page(request, token, invitation, form)


@private
def survey_opt_out(request, token):
    """Decline the evaluation from the questionnaire's page (DOMAIN.md §13: participants
    may decline): GET asks, POST withdraws the family's evaluation consent or opts the
    volunteer out and stops every open invitation (services.opt_out)."""
    invitation = answers.invitation_for_token(token)
    state = answers.state_of(invitation)
    if state == answers.CLOSED:
        return _closed(request)
    if state == answers.ANSWERED:
        return _done(request)
    if request.method == "POST":
        services.opt_out(invitation)
        return render(request, "surveys/opt_out.html", {"confirmed": True})
    return render(
        request,
        "surveys/opt_out.html",
        {"back_url": reverse("survey_respond", kwargs={"token": token})},
    )


@private
def survey_link_unknown(request, rest):
    """Anything else under /s/: a link cut short of its last slash is sent on; every
    other path (slashes in a tampered token, a path-traversal attempt) gets the same
    closed page as an expired link."""
    candidate, _slash, tail = rest.partition("/")
    if looks_like_token(candidate) and tail in ("", "afmeld"):
        name = "survey_opt_out" if tail else "survey_respond"
        return redirect(name, token=candidate)
    return _closed(request)
