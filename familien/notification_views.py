"""Notifications (everyone's inbox) and the administrator's personal-data tools (GDPR)."""

import json

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from familien import access, access_log
from familien.access import role_required
from familien.models import Notification, Role
from familien.paging import page_of
from familien.search import apply_search, normalise
from familien.services import notifications as notification_service
from familien.services import privacy

# The personal-data search shows this many families and volunteers at most; an
# administrator looking for one person narrows the query instead of paging.
SEARCH_LIMIT = 50
EVERYONE = tuple(Role.values)


# Notifications ------------------------------------------------------------------------


@role_required(*EVERYONE)
def notification_list(request):
    notifications = Notification.objects.filter(recipient=request.user).only(
        "kind", "text", "link", "created_at", "read_at"
    )
    page = page_of(request, notifications)
    return render(request, "familien/notification_list.html", {"page": page})


@require_POST
@role_required(*EVERYONE)
def notification_read(request, pk):
    # Another person's notification is as good as absent: 404.
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_service.mark_read(notification)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notification_list")


@require_POST
@role_required(*EVERYONE)
def notification_read_all(request):
    notification_service.mark_all_read(request.user)
    return redirect("notification_list")


# Personal data: subject access and erasure (administrators only) -----------------------


@role_required(Role.ADMIN)
def privacy_search(request):
    # The search is posted, never put in the address: a name or phone number in a URL
    # would end up in access logs and the browser's history.
    query = request.POST.get("q", "").strip()[:100] if request.method == "POST" else ""
    families = volunteers = None
    if query:
        families = list(
            apply_search(access.families_for(request.user), query)
            .select_related("branch")
            .prefetch_related("parents")
            .order_by("name", "pk")[:SEARCH_LIMIT]
        )
        volunteers = list(
            apply_search(access.volunteers_for(request.user), query)
            .select_related("branch")
            .order_by("first_name", "last_name", "pk")[:SEARCH_LIMIT]
        )
        # A posted search: the address does not tell the access log what was sought.
        access_log.record(
            request,
            access_log.Action.SEARCH,
            criterion=query,
            families=families,
            volunteers=volunteers,
        )
    return render(
        request,
        "familien/privacy_search.html",
        {"query": query, "families": families, "volunteers": volunteers},
    )


def _download(data, filename):
    body = json.dumps(data, cls=privacy.JSON_ENCODER, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(Role.ADMIN)
def privacy_family_export(request, pk):
    family = access.get_family_for(request.user, pk)
    data = privacy.export_person(family, actor=request.user)
    return _download(data, f"familie-{family.pk}.json")


@role_required(Role.ADMIN)
def privacy_volunteer_export(request, pk):
    volunteer = access.get_volunteer_for(request.user, pk)
    data = privacy.export_person(volunteer, actor=request.user)
    return _download(data, f"frivillig-{volunteer.pk}.json")


class ConfirmNameForm(forms.Form):
    """Erasure cannot be undone: the administrator types the record's name to confirm."""

    name = forms.CharField(label=_("Type the name to confirm"), max_length=200)

    def __init__(self, *args, expected, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_name(self):
        name = self.cleaned_data["name"]
        if normalise(name) != normalise(self.expected):
            raise forms.ValidationError(_("The name does not match. Nothing was erased."))
        return name


ERASE = {
    "family": (access.get_family_for, privacy.erase_family, "privacy_family_erase"),
    "volunteer": (access.get_volunteer_for, privacy.erase_volunteer, "privacy_volunteer_erase"),
}


def _erase(request, pk, kind):
    """The confirmation page (GET) and the erasure itself (POST) for a family or volunteer."""
    get_for, erase, erase_url = ERASE[kind]
    obj = get_for(request.user, pk)
    if obj.anonymised_at is not None:
        messages.info(request, gettext("This record is already anonymised."))
        return redirect("privacy_search")
    form = ConfirmNameForm(request.POST or None, expected=str(obj))
    if request.method == "POST" and form.is_valid():
        erase(obj, actor=request.user)
        messages.success(request, gettext("The record was anonymised."))
        return redirect("privacy_search")
    return render(
        request,
        "familien/privacy_erase_confirm.html",
        {
            "form": form,
            "record": obj,
            "kind": obj._meta.verbose_name,
            "action": reverse(erase_url, kwargs={"pk": obj.pk}),
        },
    )


@require_GET
@role_required(Role.ADMIN)
def privacy_family_erase_confirm(request, pk):
    return _erase(request, pk, "family")


@require_POST
@role_required(Role.ADMIN)
def privacy_family_erase(request, pk):
    return _erase(request, pk, "family")


@require_GET
@role_required(Role.ADMIN)
def privacy_volunteer_erase_confirm(request, pk):
    return _erase(request, pk, "volunteer")


@require_POST
@role_required(Role.ADMIN)
def privacy_volunteer_erase(request, pk):
    return _erase(request, pk, "volunteer")
