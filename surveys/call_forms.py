"""The caller's form (issue 6 item 4; DOMAIN.md §14): how they tried to reach the
respondent and what came of it, each one tap on a large button, and a short note.
surveys.services.record_call_attempt decides the rules (waiting for a call, the limit)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import Channel, ContactAttempt

Outcome = ContactAttempt.Outcome

# DOMAIN.md §14: "contacted personally by phone call, voicemail, sms and mail".
CALL_CHANNELS = [
    (Channel.PHONE, _("Phone call")),
    (Channel.VOICEMAIL, _("Voicemail")),
    (Channel.SMS, _("Sms")),
    (Channel.MAIL, _("E-mail")),
]
# What a voicemail, an sms or a mail came to goes without saying; only a call needs it.
OUTCOME_OF_CHANNEL = {
    Channel.VOICEMAIL: Outcome.VOICEMAIL,
    Channel.SMS: Outcome.MESSAGE_SENT,
    Channel.MAIL: Outcome.MESSAGE_SENT,
}


class _ButtonChoices(forms.RadioSelect):
    """Radio buttons drawn as Bootstrap toggle buttons (the label is the touch target)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "btn-check", **(attrs or {})}, choices=choices)


class CallAttemptForm(forms.Form):
    # Errors come back from the server in Danish beside the buttons.
    use_required_attribute = False

    channel = forms.ChoiceField(
        label=_("How did you try?"),
        choices=CALL_CHANNELS,
        widget=_ButtonChoices,
        error_messages={
            "required": _("Choose how you tried to reach them."),
            "invalid_choice": _("Choose how you tried to reach them."),
        },
    )
    outcome = forms.ChoiceField(
        label=_("What came of it?"),
        choices=Outcome.choices,
        required=False,
        widget=_ButtonChoices,
        help_text=_("For a voicemail, an sms or an e-mail you may leave this out."),
        error_messages={"invalid_choice": _("Choose what came of it.")},
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("For example when they would like to be called. No health details."),
    )

    def clean(self):
        data = super().clean()
        channel = data.get("channel")
        if channel and not data.get("outcome") and "outcome" not in self.errors:
            derived = OUTCOME_OF_CHANNEL.get(channel)
            if derived is None:
                self.add_error("outcome", _("Choose what came of the call."))
            else:
                data["outcome"] = derived
        return data
