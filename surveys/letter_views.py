"""Letters to post (issue 6 items 4 and 6; DOMAIN.md §14): the print attempts waiting for
staff, each as a Danish PDF with the questionnaire, and "posted" once it is in the post.

Thin views: surveys.letters scopes (through surveys.scoping.invitations_for), renders and
marks; a letter outside the user's matches is a 404.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from familien.access import role_required
from familien.access_log import record
from familien.paging import page_of, query_without_page
from surveys.letters import (
    has_full_address,
    letters_for,
    mark_letter_posted,
    printed_letters_for,
    render_letter_pdf,
)
from surveys.scoping import CALLERS


@role_required(*CALLERS)
def survey_letters(request):
    """The letters waiting to be posted, the oldest first. Queries: the count and one page
    of rows with the respondent and the match: the same at any number of letters."""
    letters = (
        letters_for(request.user)
        .select_related("invitation__parent__family", "invitation__volunteer", "invitation__match")
        .order_by("created_at", "pk")
    )
    page = page_of(request, letters)
    for letter in page:
        invitation = letter.invitation
        letter.respondent = invitation.parent or invitation.volunteer
        letter.address_missing = not has_full_address(invitation)
    record(
        request,
        families=[letter.invitation.match.family_id for letter in page],
        volunteers=[letter.invitation.volunteer_id for letter in page],
    )
    return render(
        request,
        "surveys/letters.html",
        {"page": page, "query_string": query_without_page(request)},
    )


@role_required(*CALLERS)
def survey_letter_pdf(request, pk):
    """One letter as a PDF download. The file name carries the letter's number only,
    never a person's name; the browser keeps no copy."""
    letter = get_object_or_404(printed_letters_for(request.user), pk=pk)
    response = HttpResponse(render_letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="brev-{letter.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required(*CALLERS)
def survey_letter_posted(request, pk):
    """Mark a letter as posted; a second click changes nothing and says so."""
    letter = get_object_or_404(printed_letters_for(request.user), pk=pk)
    if mark_letter_posted(letter, actor=request.user):
        messages.success(request, _("The letter is marked as posted."))
    else:
        messages.info(request, _("The letter was already marked as posted."))
    return redirect("survey_letters")
