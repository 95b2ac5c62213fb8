"""Forms for the follow-up tasks: the queue's filter, completing a follow-up and answering
the end-of-course review (issue 5 items 2 and 4)."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from familien.widgets import DatePicker
from followup.models import CloseReason, FollowUpTask

Kind = FollowUpTask.Kind
Decision = FollowUpTask.Decision


class TaskFilterForm(forms.Form):
    """The task queue's filter (GET). A bad value is ignored, never a 500."""

    OPEN = "open"
    DONE = "done"
    SHOW_CHOICES = [(OPEN, _("Open tasks")), (DONE, _("Recently done"))]

    show = forms.ChoiceField(label=_("Show"), choices=SHOW_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All"))] + Kind.choices, required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("show", "kind"):  # rendered bare in the filter row
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"

    @property
    def valid_filters(self):
        """The valid filters only: an invalid field drops out, the others still apply."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    @property
    def showing_done(self):
        return self.valid_filters.get("show") == self.DONE

    def apply(self, tasks, *, today: date):
        data = self.valid_filters
        if data.get("kind"):
            tasks = tasks.filter(kind=data["kind"])
        if data.get("overdue") and not self.showing_done:
            tasks = tasks.filter(due_on__lt=today)
        return tasks


class CompleteTaskForm(forms.Form):
    """A follow-up, a silent match or a sparring request: how is the match going?"""

    outcome = forms.ChoiceField(
        label=_("How is the match going?"),
        choices=FollowUpTask.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the match is going.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you talked about and what happens next."),
    )


class EndReviewForm(forms.Form):
    """The end-of-course review's answer (report section 7.3, Boks 7.1): extend to a new
    end date, close with a reason, or close and find the family a new volunteer."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    new_end = forms.DateField(
        label=_("New end date"),
        required=False,
        widget=DatePicker(),
        help_text=_("Only when the match is extended."),
    )
    reason = forms.ChoiceField(
        label=_("Why does the match end?"),
        choices=[("", "–")]
        + [choice for choice in CloseReason.choices if choice[0] != CloseReason.NEW_VOLUNTEER],
        required=False,
        help_text=_("Only when the match is closed."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, match, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.match = match
        self.today = today

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == Decision.EXTEND:
            new_end = data.get("new_end")
            planned_end = self.match.planned_end
            if new_end is None:
                if "new_end" not in self.errors:
                    self.add_error("new_end", _("Choose the new end date."))
            elif planned_end and new_end <= planned_end:
                self.add_error(
                    "new_end",
                    _("The new end must be after the planned end (%(date)s).")
                    % {"date": planned_end.strftime("%d.%m.%Y")},
                )
            elif new_end <= self.today:
                self.add_error("new_end", _("The new end date must be in the future."))
        elif decision == Decision.CLOSE and not data.get("reason"):
            self.add_error("reason", _("Choose why the match ends."))
        return data


class FiguresFilterForm(forms.Form):
    """The figures page's filter (GET): one branch of those the user may see."""

    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, required=False, empty_label=_("All")
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["branch"].widget.attrs["class"] = "form-select form-select-sm"

    @property
    def chosen_branch(self):
        """The chosen branch, or None (none chosen, or a bad value, which is ignored)."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("branch")
        return None

    def apply(self, matches):
        """``matches`` narrowed to the chosen branch; a bad value is ignored."""
        if self.chosen_branch:
            return matches.filter(family__branch=self.chosen_branch)
        return matches
