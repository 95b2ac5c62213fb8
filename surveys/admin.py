"""Questionnaires in the Django admin (administrators only, familien.admin_site).

A published version is read-only, questions included: answers point at its questions, so
changing them would change what those answers meant (issue 6 item 1). To change a
questionnaire, an administrator copies it as a new draft version (an action in the list),
edits the draft and publishes it; new invitations then use it (surveys.versions).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from surveys.models import Question, Questionnaire
from surveys.services import SurveyError
from surveys.versions import (
    COPIED_FIELDS,
    ensure_editable,
    new_version,
    publish,
    question_problems,
)


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        # The fields a draft version edits are the ones a new version copies.
        fields = COPIED_FIELDS
        widgets = {
            "text_da": forms.Textarea(attrs={"rows": 2}),
            "text_en": forms.Textarea(attrs={"rows": 2}),
            "choices": forms.Textarea(attrs={"rows": 3}),
            "kinds": forms.Textarea(attrs={"rows": 1}),
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The formset has set the questionnaire on the instance (unsaved when adding).
        respondent = getattr(self.instance.questionnaire, "respondent", None)
        probe = Question(**{name: cleaned.get(name) for name in self.Meta.fields})
        problems = question_problems(probe, respondent)
        if problems:
            raise forms.ValidationError([forms.ValidationError(p) for p in problems])
        return cleaned


class QuestionInline(admin.StackedInline):
    """The questions, editable only while the version is a draft."""

    model = Question
    form = QuestionForm
    extra = 0
    ordering = ["position"]

    def _draft(self, obj):
        return obj is None or obj.published_at is None

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "version",
        "respondent",
        "programme",
        "published_at",
        "question_count",
    ]
    list_filter = ["respondent", "programme"]
    search_fields = ["code", "title_da"]
    # The version number and the publishing date are set by the actions below.
    readonly_fields = ["version", "published_at"]
    inlines = [QuestionInline]
    actions = ["copy_as_new_draft", "publish_draft"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_total=Count("questions"))

    @admin.display(description=_("questions"), ordering="question_total")
    def question_count(self, obj):
        return obj.question_total

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # A copy keeps its code: versions of one questionnaire share it.
            return [*self.readonly_fields, "code"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.published_at is not None and request.method == "GET":
            messages.info(
                request,
                _(
                    "This version is published and cannot be changed. To change the "
                    "questionnaire, choose it in the list and use the action “Copy as a new "
                    "draft version”."
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.published_at is not None:
            messages.error(request, _("A published version cannot be deleted."))
            return redirect(reverse("admin:surveys_questionnaire_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    def _refuse_if_published(self, pk):
        # has_change_permission already refuses the page; this catches a version published
        # while the form was open.
        try:
            ensure_editable(Questionnaire.objects.get(pk=pk))
        except SurveyError as error:
            raise PermissionDenied(str(error)) from None

    def save_model(self, request, obj, form, change):
        if change:
            self._refuse_if_published(obj.pk)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if change:
            self._refuse_if_published(form.instance.pk)
        super().save_formset(request, form, formset, change)

    @admin.action(description=_("Copy as a new draft version"), permissions=["add"])
    def copy_as_new_draft(self, request, queryset):
        for questionnaire in queryset:
            try:
                copy = new_version(questionnaire)
            except SurveyError as error:
                messages.error(request, f"{questionnaire.code}: {error}")
                continue
            messages.success(
                request,
                _("%(code)s: version %(version)s made as a draft; change it and publish it.")
                % {"code": copy.code, "version": copy.version},
            )

    @admin.action(description=_("Publish the draft version"), permissions=["add"])
    def publish_draft(self, request, queryset):
        published = 0
        for questionnaire in queryset:
            try:
                publish(questionnaire)
            except SurveyError as error:
                messages.error(request, f"{questionnaire.code} v{questionnaire.version}: {error}")
                continue
            published += 1
        if published:
            messages.success(
                request,
                ngettext(
                    "%(count)d version published; new invitations use it.",
                    "%(count)d versions published; new invitations use them.",
                    published,
                )
                % {"count": published},
            )
