"""Families, their consents, and partners with their referrals (issue 3 items 1, 2, 6, 8).

Thin views: the access module scopes every queryset, the forms validate, and
familien.services.families saves.
"""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from familien import access
from familien.access import CASEWORK_ROLES, role_required
from familien.access_log import record
from familien.family_forms import (
    ChildFormSetFactory,
    ConsentForm,
    ConsentOnCreateForm,
    DuplicateConfirmForm,
    FamilyFilterForm,
    FamilyForm,
    ParentFormSetFactory,
    PartnerContactForm,
    PartnerFilterForm,
    PartnerForm,
)
from familien.history import change_history
from familien.models import Child, Consent, ConsentState, Family, Language, Parent, Role
from familien.paging import page_of, query_without_page
from familien.phone import display_phone
from familien.services import families as family_services

# Who registers and edits families, records consents and reads the sensitive notes.
CASEWORKERS = (Role.LEADER, Role.CENTRAL, Role.ADMIN)


# --- families --------------------------------------------------------------------------


@role_required(Role.LEADER, Role.CENTRAL, Role.FOLLOWUP, Role.ADMIN)
def family_list(request):
    filters = FamilyFilterForm(request.GET or None, user=request.user)
    families = filters.apply(access.families_for(request.user).for_list())
    page = page_of(request, families, count_with_rows=filters.searches)
    record(request, families=page)
    return render(
        request,
        "familien/family_list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": query_without_page(request),
            "may_create": request.user.role in CASEWORKERS,
        },
    )


def _family_forms(request, family):
    data = request.POST if request.method == "POST" else None
    form = FamilyForm(data, instance=family, user=request.user, prefix="family")
    parents = ParentFormSetFactory(data, instance=family, prefix="parents")
    children = ChildFormSetFactory(data, instance=family, prefix="children")
    return form, parents, children


def _changed_contacts(formset):
    """Parents whose phone or e-mail is new in this submission: those are checked for
    duplicates, so an unchanged parent does not warn on every edit."""
    return [
        f.instance
        for f in formset.forms
        if f.has_changed()
        and not formset._should_delete_form(f)
        and {"phone", "email"} & set(f.changed_data)
    ]


def _family_form_page(request, family, *, consent_form=None):
    """The one page for create and edit: family, parents, children, (consents), and the
    duplicate warning with its "save anyway" box. Returns (response, saved family)."""
    form, parents, children = _family_forms(request, family)
    confirm = DuplicateConfirmForm(request.POST or None)
    duplicates = []
    if request.method == "POST":
        valid = all(
            [
                form.is_valid(),
                parents.is_valid(),
                children.is_valid(),
                consent_form is None or consent_form.is_valid(),
                confirm.is_valid(),
            ]
        )
        if valid:
            family = form.save(commit=False)
            family.reasons = form.cleaned_data["reasons"]
            family.languages = form.cleaned_data["languages"]
            kept_parents, removed_parents = parents.saved_and_removed()
            kept_children, removed_children = children.saved_and_removed()
            duplicates = family_services.find_duplicates(
                request.user, _changed_contacts(parents), family=family
            )
            if not duplicates or confirm.cleaned_data["save_anyway"]:
                if consent_form is not None:
                    family = family_services.register_family(
                        family,
                        kept_parents,
                        kept_children,
                        actor=request.user,
                        data_consent=consent_form.cleaned_data["data_consent"],
                        evaluation_consent=consent_form.cleaned_data["evaluation_consent"],
                    )
                else:
                    family = family_services.update_family(
                        family,
                        kept_parents,
                        kept_children,
                        actor=request.user,
                        removed=removed_parents + removed_children,
                    )
                return None, family
    context = {
        "form": form,
        "parents": parents,
        "children": children,
        "consent_form": consent_form,
        "confirm": confirm,
        "duplicates": duplicates,
        "family": family if family.pk else None,
    }
    return render(request, "familien/family_form.html", context), None


@role_required(*CASEWORKERS)
def family_create(request):
    consent_form = ConsentOnCreateForm(request.POST or None)
    response, family = _family_form_page(request, Family(), consent_form=consent_form)
    if family is None:
        return response
    messages.success(request, _("The family is registered."))
    return redirect("family_detail", pk=family.pk)


@role_required(*CASEWORKERS)
def family_edit(request, pk):
    family = access.get_family_for(request.user, pk)
    response, saved = _family_form_page(request, family)
    if saved is None:
        return response
    messages.success(request, _("The changes are saved."))
    return redirect("family_detail", pk=saved.pk)


def _history(family, parents, children, consents):
    """The audit trail of the family and its members, newest first, in one query.

    Parents and children are found by their current ids and, for removed ones, by the
    family id the trail recorded when they were created or deleted.
    """
    types = ContentType.objects.get_for_models(Family, Parent, Child, Consent)
    fk = str(family.pk)
    where = Q(content_type=types[Family], object_pk=fk)
    for model, members in ((Parent, parents), (Child, children), (Consent, consents)):
        where |= Q(content_type=types[model], object_pk__in=[str(m.pk) for m in members])
        where |= Q(content_type=types[model]) & (
            Q(changes__family__0=fk) | Q(changes__family__1=fk)
        )
    return change_history(where, masked={"sensitive_notes"})


@role_required(*CASEWORK_ROLES)
def family_detail(request, pk):
    # get_family_for's scope, with what the header shows in the same query.
    family = get_object_or_404(
        access.families_for(request.user).select_related(
            "branch", "referral_partner", "referral_contact", "registered_by"
        ),
        pk=pk,
    )
    parents = list(family.parents.all())
    for parent in parents:
        parent.phone_display = display_phone(parent.phone)
    children = list(family.children.all())
    this_year = timezone.localdate().year
    for child in children:
        child.age = this_year - child.birth_year
    is_caseworker = request.user.role in CASEWORKERS
    consents = list(family.consents.select_related("recorded_by"))
    return render(
        request,
        "familien/family_detail.html",
        {
            "family": family,
            "parents": parents,
            "children": children,
            "languages": [Language(c).label for c in family.languages if c in Language.values],
            "consents": consents,
            "matches": list(
                access.matches_for(request.user).filter(family=family).select_related("volunteer")
            ),
            "is_caseworker": is_caseworker,
            "consent_form": ConsentForm() if is_caseworker else None,
            "may_withdraw": is_caseworker and family.evaluation_consent == ConsentState.GIVEN,
            "history": _history(family, parents, children, consents) if is_caseworker else [],
            "support_requests": list(
                access.requests_for(request.user)
                .filter(family=family)
                .select_related("for_parent", "for_child")
            )
            if is_caseworker
            else None,
        },
    )


@require_POST
@role_required(*CASEWORKERS)
def family_consent(request, pk):
    """Record an answer to a consent question, or withdraw one (issue 3 item 2)."""
    family = access.get_family_for(request.user, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        family_services.record_consent(
            family,
            kind=form.cleaned_data["kind"],
            state=form.cleaned_data["state"],
            actor=request.user,
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("The consent is recorded."))
    else:
        messages.error(request, _("The consent was not recorded: choose a question and an answer."))
    return redirect("family_detail", pk=family.pk)


# --- partners --------------------------------------------------------------------------


@role_required(*family_services.PARTNER_ROLES)
def partner_list(request):
    filters = PartnerFilterForm(request.GET or None)
    partners = family_services.partners_with_referrals(request.user)
    if filters.is_valid():
        if filters.cleaned_data["q"]:
            term = filters.cleaned_data["q"]
            partners = partners.filter(Q(name__icontains=term) | Q(municipality__icontains=term))
        if filters.cleaned_data["kind"]:
            partners = partners.filter(kind=filters.cleaned_data["kind"])
    page = page_of(request, partners.order_by("name", "pk"))
    return render(
        request,
        "familien/partner_list.html",
        {"page": page, "filters": filters, "query_string": query_without_page(request)},
    )


@role_required(*family_services.PARTNER_ROLES)
def partner_create(request):
    form = PartnerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        partner = form.save()
        messages.success(request, _("The partner is saved."))
        return redirect("partner_detail", pk=partner.pk)
    return render(request, "familien/partner_form.html", {"form": form, "partner": None})


@role_required(*family_services.PARTNER_ROLES)
def partner_detail(request, pk):
    partner = access.get_partner_for(request.user, pk)
    referred = access.families_for(request.user).filter(referral_partner=partner)
    contacts = list(partner.contacts.all())
    for contact in contacts:
        contact.phone_display = display_phone(contact.phone)
    return render(
        request,
        "familien/partner_detail.html",
        {
            "partner": partner,
            "partner_phone": display_phone(partner.phone),
            "contacts": contacts,
            "families": list(referred.for_list().order_by("-created_at", "-pk")[:100]),
            "per_year": family_services.referrals_per_year(referred),
            "may_edit": family_services.may_edit_partner(request.user, partner),
        },
    )


def _editable_partner(request, pk):
    partner = access.get_partner_for(request.user, pk)
    if not family_services.may_edit_partner(request.user, partner):
        raise PermissionDenied
    return partner


@role_required(*family_services.PARTNER_ROLES)
def partner_edit(request, pk):
    partner = _editable_partner(request, pk)
    form = PartnerForm(request.POST or None, instance=partner, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes are saved."))
        return redirect("partner_detail", pk=partner.pk)
    return render(request, "familien/partner_form.html", {"form": form, "partner": partner})


@role_required(*family_services.PARTNER_ROLES)
def partner_contact_create(request, pk):
    partner = _editable_partner(request, pk)
    form = PartnerContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        family_services.add_partner_contact(partner, **form.cleaned_data)
        messages.success(request, _("The contact person is saved."))
        return redirect("partner_detail", pk=partner.pk)
    return render(request, "familien/partner_contact_form.html", {"form": form, "partner": partner})
