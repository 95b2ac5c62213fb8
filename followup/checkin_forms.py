"""The volunteer's check-in form (issue 5 item 1): built for a thumb on a phone. Every
choice is one tap on a large button; only the note is typed. The form checks the input's
shape; followup.services.log_check_in decides the rules (dates, running match)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familien.widgets import DatePicker
from followup.models import Activity, MeetingPlace
from followup.services import MAX_CHECK_IN_MINUTES, MIN_CHECK_IN_MINUTES

# The usual lengths of a visit or a call; a family friend's recommended visit is about
# two hours (DOMAIN.md §9.1), a phone call often half an hour.
DURATIONS = [
    ("30", _("30 min")),
    ("60", _("1 h")),
    ("90", _("1½ h")),
    ("120", _("2 h")),
    ("180", _("3 h")),
    ("240", _("4 h")),
]
DURATION_ERROR = _("The duration must be between %(min)s minutes and %(max)s hours.")


class _ButtonChoices(forms.RadioSelect):
    """Radio buttons drawn as Bootstrap toggle buttons (the input is hidden, the label is
    the touch target)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "btn-check", **(attrs or {})}, choices=choices)


class _ButtonToggles(forms.CheckboxSelectMultiple):
    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "btn-check", **(attrs or {})}, choices=choices)


class CheckInForm(forms.Form):
    # Errors come back from the server in Danish beside the field; the browser's own
    # bubbles would point at inputs that are drawn as buttons.
    use_required_attribute = False

    met_on = forms.DateField(
        label=_("Date"),
        widget=DatePicker(attrs={"class": "form-control form-control-lg"}),
        error_messages={"required": _("Choose the date of the meeting.")},
    )
    duration = forms.TypedChoiceField(
        label=_("How long"),
        choices=DURATIONS,
        coerce=int,
        required=False,
        widget=_ButtonChoices,
    )
    other_minutes = forms.IntegerField(
        label=_("Another length (minutes)"),
        required=False,
        min_value=MIN_CHECK_IN_MINUTES,
        max_value=MAX_CHECK_IN_MINUTES,
        widget=forms.NumberInput(
            attrs={"class": "form-control form-control-lg", "inputmode": "numeric"}
        ),
    )
    place = forms.ChoiceField(
        label=_("How"),
        choices=MeetingPlace.choices,
        widget=_ButtonChoices,
        error_messages={"required": _("Choose how you met.")},
    )
    activities = forms.MultipleChoiceField(
        label=_("What we did"),
        choices=Activity.choices,
        required=False,
        widget=_ButtonToggles,
    )
    note = forms.CharField(
        label=_("Short note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-lg"}),
    )
    wants_sparring = forms.BooleanField(
        label=_("I would like sparring"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "btn-check"}),
    )

    def __init__(self, *args, today=None, **kwargs):
        kwargs.setdefault("initial", {"met_on": today or timezone.localdate()})
        super().__init__(*args, **kwargs)
        # The service's own message, with its limits: the range is written in one place.
        limits = {"min": MIN_CHECK_IN_MINUTES, "max": MAX_CHECK_IN_MINUTES // 60}
        for key in ("min_value", "max_value"):
            self.fields["other_minutes"].error_messages[key] = DURATION_ERROR % limits

    def clean(self):
        data = super().clean()
        # A typed length is the more exact one; otherwise the tapped button.
        minutes = data.get("other_minutes") or data.get("duration")
        if not minutes and not {"duration", "other_minutes"} & set(self.errors):
            self.add_error("duration", _("Choose how long you met."))
        data["minutes"] = minutes
        return data
