"""Forms for the steps of a match (issue 4 items 4–5). They validate and normalise; the
views call matching.lifecycle, which decides whether the step is possible now."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familien.widgets import DatePicker
from matching.models import Decision


class _StepForm(forms.Form):
    """Bootstrap classes on every widget (crispy-forms is presentation only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                continue
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"


class NoteForm(_StepForm):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MeetingForm(_StepForm):
    on = forms.DateField(label=_("Date of the match meeting"), widget=DatePicker())


class AnswerForm(_StepForm):
    party = forms.ChoiceField(
        label=_("Whose answer"),
        choices=[("family", _("The family")), ("volunteer", _("The volunteer"))],
    )
    decision = forms.ChoiceField(
        label=_("Answer"), choices=[(Decision.YES, _("Yes")), (Decision.NO, _("No"))]
    )
    reason = forms.CharField(label=_("Reason (for a no)"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == Decision.NO and not data.get("reason", "").strip():
            self.add_error("reason", _("Write the reason for the no."))
        return data


class AgreementForm(_StepForm):
    focus = forms.CharField(
        label=_("Agreed focus"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    meeting_frequency = forms.CharField(label=_("How often we meet"), max_length=150)
    planned_end = forms.DateField(label=_("Planned end"), widget=DatePicker())

    def clean_planned_end(self):
        planned_end = self.cleaned_data["planned_end"]
        if planned_end <= timezone.localdate():
            raise forms.ValidationError(_("The planned end must be in the future."))
        return planned_end


class SignForm(_StepForm):
    family_signed_on = forms.DateField(label=_("Signed by the family on"), widget=DatePicker())
    volunteer_signed_on = forms.DateField(
        label=_("Signed by the volunteer on"), widget=DatePicker()
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("family_signed_on", "volunteer_signed_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("A signature cannot be dated in the future."))
        return data


class ActivateForm(_StepForm):
    on = forms.DateField(label=_("Start date"), widget=DatePicker())


class ExtendForm(_StepForm):
    new_end = forms.DateField(label=_("New planned end"), widget=DatePicker())


class ReasonForm(_StepForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CloseForm(_StepForm):
    on = forms.DateField(label=_("Ended on"), widget=DatePicker())
    reason = forms.CharField(label=_("Why the match ended"), max_length=300)

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("The end date cannot be in the future."))
        return on
