"""Spreadsheet import: upload → preview with every row's errors → commit all or nothing."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from familien import access, imports
from familien.access import role_required
from familien.models import Branch, Role

IMPORT_ROLES = (Role.LEADER, Role.CENTRAL, Role.ADMIN)
SESSION_KEY = "familien_import"
# Room in a post for the form's other fields and the multipart boundaries.
POST_OVERHEAD_BYTES = 64 * 1024


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[
            ("families", gettext_lazy("Families")),
            ("volunteers", gettext_lazy("Volunteers")),
        ],
    )
    branch = forms.ModelChoiceField(
        label=gettext_lazy("Branch"),
        queryset=None,
        error_messages={"invalid_choice": gettext_lazy("Choose one of your own branches.")},
    )
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy("The first row names the columns; see the list below."),
        error_messages={
            "required": gettext_lazy("Choose a file."),
            "empty": gettext_lazy("The file is empty."),
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = access.branches_for(user)


def _declared_size(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# CSRF is checked inside, once the size is known: Django's check reads the whole body to
# find the token, and a body over the cap must be refused before it is read at all.
@csrf_exempt
@role_required(*IMPORT_ROLES)
def import_upload(request):
    """The upload; a post larger than the cap is answered from its declared length,
    without reading it (the WSGI server never passes more than that length on)."""
    limit = settings.FAMILIEN_IMPORT_MAX_BYTES
    if request.method == "POST" and _declared_size(request) > limit + POST_OVERHEAD_BYTES:
        context = {
            "form": ImportForm(user=request.user),
            "columns": imports.COLUMNS,
            "problem": imports.too_large_message(),
        }
        return render(request, "familien/import_upload.html", context, status=413)
    return _import_upload(request)


@csrf_protect
def _import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    context = {"form": form, "columns": imports.COLUMNS}
    if request.method == "POST" and form.is_valid():
        kind, branch = form.cleaned_data["kind"], form.cleaned_data["branch"]
        try:
            rows = imports.check_rows(kind, imports.read_table(form.cleaned_data["file"]))
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
            return render(request, "familien/import_upload.html", context)
        bad = [row for row in rows if row.errors]
        token = None if bad else imports.store_checked(rows, kind=kind, branch_id=branch.pk)
        request.session[SESSION_KEY] = token
        return render(
            request,
            "familien/import_preview.html",
            {"rows": rows, "bad": bad, "kind": kind, "branch": branch, "token": token},
        )
    return render(request, "familien/import_upload.html", context)


@require_POST
@role_required(*IMPORT_ROLES)
def import_commit(request):
    token = request.session.get(SESSION_KEY)
    try:
        _path, payload = imports.load_checked(token)
        branch = access.branches_for(request.user).get(pk=payload["branch"])
        created = imports.commit_import(token, branch=branch, actor=request.user)
    except (imports.ImportFileError, Branch.DoesNotExist) as exc:
        messages.error(request, str(exc) or _("The preview has expired; upload the file again."))
        return redirect("import_upload")
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("%(n)s rows imported.") % {"n": created})
    return redirect("family_list" if payload["kind"] == "families" else "volunteer_list")
