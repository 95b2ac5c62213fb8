"""Staff key in a questionnaire that came back on paper (issue 6 item 7; DOMAIN.md §14: a
letter for those who asked for print). The same questions and checks as the
respondent's page; the response records who keyed it in. Refused, with a message and no
change, once the invitation is answered or no longer open.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from familien.access import role_required
from surveys import answers
from surveys.models import Response
from surveys.respond_forms import AnswerForm
from surveys.scoping import CALLERS, invitations_for


def _invitation_for(user, pk):
    invitations = invitations_for(user).select_related(
        "questionnaire", "match__family", "parent__family", "volunteer"
    )
    return get_object_or_404(invitations, pk=pk)


def _refusal(state):
    if state == answers.ANSWERED:
        return _("This questionnaire is answered already; nothing was changed.")
    return _("This questionnaire no longer takes answers; nothing was changed.")


@role_required(*CALLERS)
def survey_paper_entry(request, pk):
    """The paper answers typed in as they stand: sent at once, partial or complete
    (DOMAIN.md §15), with Response.entered_by the person who typed them. Only for the
    invitations of matches the user may see (surveys.scoping.invitations_for)."""
    invitation = _invitation_for(request.user, pk)
    state = answers.state_of(invitation)
    questions = answers.asked_questions(invitation)
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        language=get_language(),
    )
    if request.method == "POST":
        if state != answers.OPEN:
            messages.error(request, _refusal(state))
            return redirect("survey_paper_entry", pk=invitation.pk)
        if form.is_valid():
            values = form.values()
            if not any(value is not None for value in values.values()):
                form.add_error(None, _("Key in at least one answer before you save."))
            else:
                try:
                    answers.submit(invitation, values, questions=questions, entered_by=request.user)
                except answers.SurveyError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(request, _("The paper answers are saved."))
                return redirect("survey_paper_entry", pk=invitation.pk)
        else:
            form.add_error(None, _("Nothing is saved yet: look at the answers marked below."))
    response = Response.objects.filter(invitation=invitation).select_related("entered_by").first()
    questionnaire = invitation.questionnaire
    english = get_language() == "en"
    return render(
        request,
        "surveys/paper_entry.html",
        {
            "invitation": invitation,
            "respondent": invitation.parent or invitation.volunteer,
            "title": (english and questionnaire.title_en) or questionnaire.title_da,
            "state": state,
            "is_open": state == answers.OPEN,
            "response": response,
            "form": form,
            "items": form.items(),
            "match_url": reverse("followup_match", kwargs={"pk": invitation.match_id}),
        },
    )
