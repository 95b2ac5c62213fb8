"""The questionnaire as a form (issue 6 item 7), built from its Question rows: one field
per asked item, drawn for a thumb on a phone (every choice a large button; only free text
is typed). The same form serves the respondent's page and staff keying in paper.

Question texts and choice labels are data in Danish and English (text_da/text_en,
choices' "da"/"en"), chosen by the page's language, not gettext. Every item is optional:
most questions were not mandatory and partial answers count (DOMAIN.md §16); the form
checks each answer's shape and says in the interface language what is wrong beside it.
"""

from dataclasses import dataclass
from html import escape

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from surveys.answers import TEXT_MAX_CHARS
from surveys.models import AnswerType

CHOICE_ERROR = _("Choose one of the answers shown.")
SCALE_ERROR = _("Choose a number from %(min)s to %(max)s.")
TEXT_ERROR = _(
    "Your answer is too long: at most %(limit_value)s characters, and it has %(show_value)s. "
    "Shorten it and try again."
)


def field_name(question):
    return f"q{question.pk}"


def _label(data, language):
    """The English text when the page is in English, else the Danish."""
    english = data.get("en") if isinstance(data, dict) else None
    return english if language == "en" and english else data.get("da", "")


def question_text(question, language):
    return question.text_en if language == "en" and question.text_en else question.text_da


class _Buttons(forms.RadioSelect):
    """Radio buttons drawn as Bootstrap toggle buttons (the label is the touch target)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "btn-check", **(attrs or {})}, choices=choices)


class _Toggles(forms.CheckboxSelectMultiple):
    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "btn-check", **(attrs or {})}, choices=choices)


def _choices(question, language):
    return [(choice["value"], _label(choice, language)) for choice in question.choices]


def _scale_choices(question, language):
    """The scale's points; labelled points (SWEMWBS, PSS: "1 på intet tidspunkt") carry
    their label from ``choices``, bare ones just the number."""
    labels = {str(choice["value"]): _label(choice, language) for choice in question.choices}
    return [
        (str(point), f"{point} {labels[str(point)]}" if labels.get(str(point)) else str(point))
        for point in range(question.scale_min, question.scale_max + 1)
    ]


def _field_for(question, language):
    kind = question.answer_type
    if kind == AnswerType.CHOICE:
        return forms.ChoiceField(
            choices=_choices(question, language),
            required=False,
            widget=_Buttons,
            error_messages={"invalid_choice": CHOICE_ERROR},
        )
    if kind == AnswerType.MULTI:
        return forms.MultipleChoiceField(
            choices=_choices(question, language),
            required=False,
            widget=_Toggles,
            error_messages={"invalid_choice": CHOICE_ERROR, "invalid_list": CHOICE_ERROR},
        )
    if kind == AnswerType.SCALE:
        message = SCALE_ERROR % {"min": question.scale_min, "max": question.scale_max}
        return forms.TypedChoiceField(
            choices=_scale_choices(question, language),
            coerce=int,
            empty_value=None,
            required=False,
            widget=_Buttons,
            error_messages={"invalid_choice": message},
        )
    return forms.CharField(
        max_length=TEXT_MAX_CHARS,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control form-control-lg"}),
        error_messages={"max_length": TEXT_ERROR},
    )


def _columns(question):
    if question.answer_type != AnswerType.SCALE:
        return 1
    points = question.scale_max - question.scale_min + 1
    return points if points <= 6 else -(-points // 2)


# One option as a large toggle button: the input (hidden by Bootstrap's btn-check) and
# the label that is its touch target. A bare scale's points sit in a grid of columns.
OPTION = (
    '<input type="{kind}" name="{name}" value="{value}" class="btn-check" id="{id}"{checked}>'
    '<label class="btn btn-outline-primary btn-lg text-start" for="{id}">{label}</label>\n'
)
GRID_OPTION = (
    '<div class="col"><input type="{kind}" name="{name}" value="{value}" class="btn-check" '
    'id="{id}"{checked}><label class="btn btn-outline-primary btn-lg w-100 px-0" '
    'for="{id}">{label}</label></div>\n'
)


def options_html(bound, *, grid=False):
    """The inputs of a choice, multiple-choice or scale field, written out here: the
    widget templates (three per option), a template loop (seven lookups per option) and
    even format_html (a lazy-aware escape per value) made the longest questionnaire's
    page, some 300 options, miss its 50 ms (issue 8). Names, values, ids and "checked"
    are those Django's RadioSelect and CheckboxSelectMultiple give (id
    ``<auto_id>_<index>``); every value and label is escaped as Django's escape does."""
    field = bound.field
    kind = "checkbox" if isinstance(field.widget, forms.CheckboxSelectMultiple) else "radio"
    value = bound.value()
    if value is None:
        value = []
    elif not isinstance(value, list | tuple):
        value = [value]
    chosen = {str(v) for v in value if v is not None}
    name, auto_id = escape(bound.html_name), escape(bound.auto_id)
    template = GRID_OPTION if grid else OPTION
    return mark_safe(  # noqa: S308 - every value below is escaped
        "".join(
            template.format(
                kind=kind,
                name=name,
                value=escape(str(option)),
                id=f"{auto_id}_{index}",
                checked=" checked" if str(option) in chosen else "",
                label=escape(str(label)),
            )
            for index, (option, label) in enumerate(field.choices)
        )
    )


@dataclass
class Item:
    """One question as the template draws it."""

    number: int
    question: object
    text: str
    field: forms.BoundField
    template: str
    labelled: bool  # a scale whose points carry words: drawn as a list, not a row
    columns: int  # a bare scale's buttons per row: one row up to 6, else two rows
    options: str = ""  # the inputs, written out (options_html); none for free text


class AnswerForm(forms.Form):
    # The messages come from the server beside the question; the browser's own bubbles
    # would point at inputs that are drawn as buttons.
    use_required_attribute = False

    def __init__(self, *args, questions, language, saved=None, **kwargs):
        initial = {}
        for question in questions:
            value = (saved or {}).get(question.pk)
            if value is not None:
                initial[field_name(question)] = (
                    str(value) if question.answer_type == AnswerType.SCALE else value
                )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.language = language
        for question in self.questions:
            self.fields[field_name(question)] = _field_for(question, language)

    def items(self):
        items = []
        for number, question in enumerate(self.questions, start=1):
            bound = self[field_name(question)]
            labelled = question.answer_type == AnswerType.SCALE and bool(question.choices)
            grid = question.answer_type == AnswerType.SCALE and not labelled
            items.append(
                Item(
                    number=number,
                    question=question,
                    text=question_text(question, self.language),
                    field=bound,
                    template=f"surveys/_question_{question.answer_type}.html",
                    labelled=labelled,
                    columns=_columns(question),
                    options=""
                    if question.answer_type == AnswerType.TEXT
                    else options_html(bound, grid=grid),
                )
            )
        return items

    def values(self):
        """{question: value or None} for the items whose input is valid (after
        is_valid()); an item with an error is left out, so what was saved before for it
        stays as it was."""
        values = {}
        for question in self.questions:
            name = field_name(question)
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if question.answer_type == AnswerType.MULTI and value:
                # The questionnaire's order, each value once, whatever the post's order.
                value = [c["value"] for c in question.choices if c["value"] in value]
            values[question] = value if value not in ("", [], None) else None
        return values

    def answer_count(self):
        return sum(value is not None for value in self.values().values())
