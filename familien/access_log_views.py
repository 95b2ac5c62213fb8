"""The administrator's extract of one person's access log (GDPR Art. 15 after CJEU
C-579/21: who used the person's data, when and how). The person is chosen by id, so no
name reaches an address; the extract is itself logged (familien/access_log.py)."""

import csv
from datetime import UTC

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familien.access import role_required
from familien.access_log import record
from familien.converters import LARGEST_ID
from familien.models import AccessLogEntry, Family, Role, Volunteer
from familien.paging import page_of, query_without_page

CSV_COLUMNS = (
    ("at", gettext_lazy("Time (UTC)")),
    ("user_name", gettext_lazy("Name")),
    ("user_email", gettext_lazy("E-mail")),
    ("role", gettext_lazy("Role")),
    ("action", gettext_lazy("Action")),
    ("what", gettext_lazy("Page")),
    ("object", gettext_lazy("Object")),
    ("criterion", gettext_lazy("Search criterion")),
    ("rows", gettext_lazy("Rows")),
    ("method", gettext_lazy("Method")),
    ("status", gettext_lazy("Status")),
)


class PersonForm(forms.Form):
    """One family or one volunteer, by number."""

    family = forms.IntegerField(
        label=gettext_lazy("Family number"), min_value=1, max_value=LARGEST_ID, required=False
    )
    volunteer = forms.IntegerField(
        label=gettext_lazy("Volunteer number"), min_value=1, max_value=LARGEST_ID, required=False
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("family")) == bool(data.get("volunteer")):
            raise forms.ValidationError(_("Give either a family number or a volunteer number."))
        return data

    def entries(self):
        """The person's entries, newest first, and a line naming the person."""
        family_id, volunteer_id = self.cleaned_data["family"], self.cleaned_data["volunteer"]
        if family_id:
            family = Family.objects.filter(pk=family_id).only("name").first()
            label = _("Family %(number)d") % {"number": family_id}
            if family is not None:
                label = f"{label}: {family.name}"
            return AccessLogEntry.objects.for_family(family_id), label
        volunteer = (
            Volunteer.objects.filter(pk=volunteer_id).only("first_name", "last_name").first()
        )
        label = _("Volunteer %(number)d") % {"number": volunteer_id}
        if volunteer is not None:
            label = f"{label}: {volunteer.first_name} {volunteer.last_name}"
        return AccessLogEntry.objects.for_volunteer(volunteer_id), label

    def record_subject(self, request, **kwargs):
        record(
            request,
            families=[self.cleaned_data["family"]] if self.cleaned_data["family"] else [],
            volunteers=[self.cleaned_data["volunteer"]] if self.cleaned_data["volunteer"] else [],
            **kwargs,
        )


@role_required(Role.ADMIN)
def access_log(request):
    form = PersonForm(request.GET or None)
    page = label = None
    if form.is_valid():
        entries, label = form.entries()
        page = page_of(request, entries)
        form.record_subject(request, action=AccessLogEntry.Action.SEARCH)
    return render(
        request,
        "familien/access_log/person.html",
        {
            "form": form,
            "page": page,
            "label": label,
            "query_string": query_without_page(request),
        },
    )


@role_required(Role.ADMIN)
def access_log_csv(request):
    form = PersonForm(request.GET or None)
    if not form.is_valid():
        return access_log(request)
    entries, _label = form.entries()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    number = form.cleaned_data["family"] or form.cleaned_data["volunteer"]
    kind = "familie" if form.cleaned_data["family"] else "frivillig"
    response["Content-Disposition"] = f'attachment; filename="adgangslog-{kind}-{number}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow([str(title) for _field, title in CSV_COLUMNS])
    count = 0
    for entry in entries.iterator(chunk_size=2000):
        writer.writerow(_csv_row(entry))
        count += 1
    form.record_subject(request, action=AccessLogEntry.Action.EXPORT, rows=count)
    return response


def _csv_row(entry):
    computed = {
        "at": entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "object": f"{entry.object_type} {entry.object_id}" if entry.object_id else "",
        "action": entry.get_action_display(),
        "role": entry.role_label,
    }
    return [
        _safe(computed[field] if field in computed else getattr(entry, field))
        for field, _title in CSV_COLUMNS
    ]


def _safe(value):
    """A cell a spreadsheet would read as a formula (=, +, -, @) is kept as text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
