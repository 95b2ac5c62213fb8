"""Letters with the questionnaire for staff to print and post (issue 6 items 4 and 6;
DOMAIN.md §14: "if the participant has asked for it, it can be sent in print").

surveys.delivery leaves a print attempt in status TO_POST; the letters page lists them,
this module renders one as a Danish PDF, and "posted" moves it to SENT. The letter carries
the respondent's name and postal address, a short explanation, their link and every
question of their form with its answer options, so they can answer on paper or online.
Nothing else about the family: no other names, no programme details, no case facts.

A print template with a plain block layout (WeasyPrint paginates blocks reliably); the
style sheet lives here because the page is never served to a browser.
"""

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from surveys.delivery import survey_link
from surveys.models import AnswerType, Channel, ContactAttempt, Invitation
from surveys.scoping import invitations_for

PRINT_CSS = """
@page { size: A4; margin: 2cm 2cm 2.2cm 2.5cm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.4; }
h1 { font-size: 15pt; margin: .8cm 0 .3cm 0; }
h2 { font-size: 12pt; margin: .6cm 0 .2cm 0; }
p { margin: 0 0 .25cm 0; }
.recipient { margin: 1.2cm 0 1cm 0; min-height: 2.5cm; }
.recipient p { margin: 0; }
.date { text-align: right; }
.link { font-family: "DejaVu Sans Mono", monospace; font-size: 9.5pt; word-break: break-all; }
.reference { font-size: 9pt; color: #444; }
.questions { page-break-before: always; }
.question { margin: 0 0 .5cm 0; page-break-inside: avoid; }
.question-text { font-weight: bold; margin: 0 0 .15cm 0; }
.hint { font-size: 9pt; color: #444; font-style: italic; margin: 0 0 .15cm 0; }
.option { margin: 0 0 .1cm .4cm; }
.box { display: inline-block; width: .35cm; height: .35cm; border: 1px solid #000;
       margin: 0 .2cm -.05cm 0; }
.scale { margin: 0 0 .1cm .4cm; }
.scale-step { display: inline-block; margin: 0 .35cm .1cm 0; }
.write-line { border-bottom: 1px solid #000; height: .7cm; margin: 0 0 .1cm .4cm; }
"""
# Lines to write on for a free-text question.
TEXT_LINES = 3


def letters_for(user):
    """Letters waiting to be posted for the invitations ``user`` may see. Only open
    invitations: a respondent who answered or declined in the meantime gets no letter."""
    return ContactAttempt.objects.filter(
        channel=Channel.PRINT,
        status=ContactAttempt.Status.TO_POST,
        invitation__status=Invitation.Status.OPEN,
        invitation__in=invitations_for(user),
    )


def printed_letters_for(user):
    """Every letter the user may download: waiting to be posted or posted already."""
    return ContactAttempt.objects.filter(
        Q(status=ContactAttempt.Status.TO_POST) | Q(status=ContactAttempt.Status.SENT),
        channel=Channel.PRINT,
        invitation__in=invitations_for(user),
    )


def postal_lines(invitation):
    """The respondent's name and postal address as lines: a parent's own postal address
    when given, else the family's; a volunteer's postcode (no address is kept for them)."""
    if invitation.parent_id:
        parent = invitation.parent
        name = f"{parent.first_name} {parent.last_name}".strip()
        if parent.postal_address:
            street, postcode, city = (
                parent.postal_address,
                parent.postal_postcode,
                parent.postal_city,
            )
        else:
            family = parent.family
            street, postcode, city = family.address, family.postcode, family.city
    elif invitation.volunteer_id:
        volunteer = invitation.volunteer
        name = f"{volunteer.first_name} {volunteer.last_name}".strip()
        street, postcode, city = "", volunteer.postcode, ""
    else:
        return []
    town = f"{postcode} {city}".strip()
    return [line for line in (name, street, town) if line]


def has_full_address(invitation):
    """Whether the letter can go in the post as it is: a street and a postcode."""
    lines = postal_lines(invitation)
    return len(lines) >= 3


def _layout(question):
    """How the paper form shows one question: ("lines", []) to write on, ("scale",
    numbers) in a row, or ("choices", labels) one per line, each with a box to tick."""
    if question.answer_type == AnswerType.TEXT:
        return "lines", []
    labels = [choice.get("da") or str(choice.get("value", "")) for choice in question.choices]
    if question.answer_type == AnswerType.SCALE and not labels:
        low = question.scale_min if question.scale_min is not None else 1
        high = question.scale_max if question.scale_max is not None else 5
        return "scale", [str(number) for number in range(low, high + 1)]
    return "choices", labels


def questions_for(invitation):
    """The questions of the invitation's form, in order, with their options. ``kinds``
    says which forms an item is asked in (a JSON list, filtered here: SQLite cannot)."""
    questions = [
        question
        for question in invitation.questionnaire.questions.order_by("position")
        if invitation.kind in (question.kinds or [])
    ]
    rows = []
    for number, question in enumerate(questions, start=1):
        layout, options = _layout(question)
        rows.append(
            {
                "number": number,
                "text": question.text_da,
                "layout": layout,
                "several": question.answer_type == AnswerType.MULTI,
                "options": options,
            }
        )
    return rows


def letter_context(attempt):
    invitation = attempt.invitation
    questionnaire = invitation.questionnaire
    person = invitation.parent or invitation.volunteer
    return {
        "invitation": invitation,
        "recipient": postal_lines(invitation),
        "first_name": person.first_name if person else "",
        "title": questionnaire.title_da,
        "intro": questionnaire.intro_da,
        "link": survey_link(invitation),
        "questions": questions_for(invitation),
        "text_lines": range(TEXT_LINES),
        "today": timezone.localdate(),
    }


def _with_relations(attempt):
    """The attempt with what the letter needs, loaded in one query."""
    return ContactAttempt.objects.select_related(
        "invitation__parent__family", "invitation__volunteer", "invitation__questionnaire"
    ).get(pk=attempt.pk)


def render_letter_html(attempt):
    """The letter as HTML, in Danish whatever the user's language."""
    with translation.override("da"):
        return render_to_string("surveys/letter_pdf.html", letter_context(_with_relations(attempt)))


def render_letter_pdf(attempt):
    """The letter as PDF bytes."""
    from weasyprint import CSS, HTML

    html = render_letter_html(attempt)
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=PRINT_CSS)])


def mark_letter_posted(letter, *, actor, now=None) -> bool:
    """Staff have posted the letter: TO_POST becomes SENT, with when and by whom. A
    conditional update, so a double click (or two people at once) changes it once;
    returns whether this call did."""
    now = now or timezone.now()
    changed = ContactAttempt.objects.filter(
        pk=letter.pk, channel=Channel.PRINT, status=ContactAttempt.Status.TO_POST
    ).update(status=ContactAttempt.Status.SENT, sent_at=now, by=actor)
    return bool(changed)
