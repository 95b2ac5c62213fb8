"""Volunteers: list, profile, recruitment pipeline, courses and børneattest.

Views are thin: forms validate, familien/services/volunteers.py saves, and a
VolunteerError becomes a Danish message beside the form that caused it.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Prefetch,
    Q,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from familien import access
from familien.access import role_required
from familien.access_log import record
from familien.history import change_history
from familien.models import (
    CertificateState,
    ChildCertificate,
    Course,
    CourseAttendance,
    FrameworkAgreement,
    PipelineEvent,
    Programme,
    RecruitmentContact,
    Role,
    Volunteer,
)
from familien.paging import page_of, query_without_page
from familien.phone import display_phone
from familien.search import apply_search, search_ordering
from familien.services import volunteers as services
from familien.services.volunteers import VolunteerError
from familien.volunteer_forms import (
    AttendanceForm,
    BookCourseForm,
    CertificateAssessmentForm,
    CertificateOrderForm,
    ContactForm,
    CourseForm,
    FrameworkAgreementForm,
    PipelineForm,
    VolunteerFilterForm,
    VolunteerForm,
    bookable_by,
    courses_for,
)

# Who registers and edits volunteers; the follow-up volunteer only reads.
EDITORS = (Role.LEADER, Role.CENTRAL, Role.ADMIN)


def _programme_labels(values):
    return [Programme(v).label for v in values or [] if v in Programme.values]


# ---------------------------------------------------------------------------
# List


@role_required(*EDITORS)
def volunteer_list(request):
    today = timezone.localdate()
    form = VolunteerFilterForm(request.GET or None, user=request.user)
    volunteers = access.volunteers_for(request.user).select_related("branch")
    volunteers = services.with_unreachable(services.with_certificate_state(volunteers, today))
    order = VolunteerFilterForm.SORTS["name"]
    searches = False
    if form.is_valid():
        data = form.cleaned_data
        if data["branch"]:
            volunteers = volunteers.filter(branch=data["branch"])
        if data["step"]:
            volunteers = volunteers.filter(pipeline_step=data["step"])
        if data["programme"]:
            # A JSON list: its text holds the quoted value (portable to SQLite).
            volunteers = volunteers.filter(programmes__icontains=f'"{data["programme"]}"')
        if data["certificate"]:
            volunteers = volunteers.filter(certificate_state=data["certificate"])
        if data["unreachable"]:
            volunteers = volunteers.filter(is_unreachable=True)
        order = form.order_by()
        if data["q"]:
            volunteers = apply_search(volunteers, data["q"])
            order = search_ordering(order)
            searches = True
    page = page_of(request, volunteers.order_by(*order), count_with_rows=searches)
    rows = list(page.object_list)
    record(request, volunteers=rows)
    for volunteer in rows:
        volunteer.certificate_label = CertificateState(volunteer.certificate_state).label
        volunteer.programme_labels = _programme_labels(volunteer.programmes)
    return render(
        request,
        "familien/volunteer_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": query_without_page(request),
            "can_create": True,
        },
    )


# ---------------------------------------------------------------------------
# Create and edit


def _save_profile(request, form, *, create):
    tags = form.cleaned_data.get("tags") or []
    new_tag_names = form.cleaned_data.get("new_tags") or []
    served = form.cleaned_data.get("served_branches")
    volunteer = form.save(commit=False)
    if create:
        services.register_volunteer(
            volunteer,
            actor=request.user,
            tags=tags,
            new_tag_names=new_tag_names,
            served_branches=served,
        )
    else:
        services.update_volunteer(
            volunteer,
            actor=request.user,
            tags=tags,
            new_tag_names=new_tag_names,
            served_branches=served,
        )
    return volunteer


@role_required(*EDITORS)
def volunteer_create(request):
    form = VolunteerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        volunteer = _save_profile(request, form, create=True)
        messages.success(request, _("The volunteer is registered."))
        return redirect("volunteer_detail", pk=volunteer.pk)
    return render(request, "familien/volunteer_form.html", {"form": form, "volunteer": None})


@role_required(*EDITORS)
def volunteer_edit(request, pk):
    volunteer = access.get_volunteer_for(request.user, pk)
    form = VolunteerForm(request.POST or None, instance=volunteer, user=request.user)
    if request.method == "POST" and form.is_valid():
        _save_profile(request, form, create=False)
        messages.success(request, _("The changes are saved."))
        return redirect("volunteer_detail", pk=volunteer.pk)
    return render(request, "familien/volunteer_form.html", {"form": form, "volunteer": volunteer})


# ---------------------------------------------------------------------------
# Detail


def _load_volunteer(user, pk):
    """The volunteer with what the page shows, in a fixed number of queries."""
    queryset = access.volunteers_for(user).select_related("branch", "registered_by")
    queryset = queryset.prefetch_related(
        "tags",
        "served_branches",
        Prefetch(
            "certificates",
            queryset=ChildCertificate.objects.select_related("assessed_by").order_by(
                "-ordered_on", "-pk"
            ),
        ),
        Prefetch("pipeline_events", queryset=PipelineEvent.objects.select_related("by")),
        Prefetch(
            "recruitment_contacts",
            queryset=RecruitmentContact.objects.select_related("by").order_by("-at", "-pk"),
        ),
    )
    return get_object_or_404(queryset, pk=pk)


# The booking field offers the courses of the last weeks and to come: a national role
# may book on every branch's courses, which add up to thousands over the years. The form
# itself still accepts any course the user may book.
BOOKING_OFFERED_DAYS = 90


def _courses(user, volunteer):
    """The volunteer's bookings, newest course first, and the recent and coming courses
    the user may book them on, from one query over courses (the volunteer's own booking
    joined in)."""
    since = timezone.localdate() - timedelta(days=BOOKING_OFFERED_DAYS)
    bookable = bookable_by(user) & Q(on__gte=since)
    rows = list(
        Course.objects.annotate(
            own=FilteredRelation("attendances", condition=Q(attendances__volunteer=volunteer))
        )
        .filter(bookable | Q(own__isnull=False))
        .annotate(
            attendance_pk=F("own__pk"),
            attendance_status=F("own__status"),
            bookable=ExpressionWrapper(bookable, output_field=BooleanField()),
        )
        .order_by("-on", "name", "pk")
    )
    attendances = [
        CourseAttendance(
            pk=course.attendance_pk,
            volunteer=volunteer,
            course=course,
            status=course.attendance_status,
        )
        for course in rows
        if course.attendance_pk is not None
    ]
    return attendances, [course for course in rows if course.bookable]


def _history(volunteer, related):
    """Audit entries for the volunteer and the rows of their record, newest first."""
    condition = Q(
        content_type=ContentType.objects.get_for_model(Volunteer), object_pk=str(volunteer.pk)
    )
    for model, pks in related.items():
        if pks:
            condition |= Q(
                content_type=ContentType.objects.get_for_model(model),
                object_pk__in=[str(pk) for pk in pks],
            )
    return change_history(condition)


def _detail_context(request, volunteer, **bound_forms):
    user = request.user
    today = timezone.localdate()
    can_edit = user.role in EDITORS
    certificates = list(volunteer.certificates.all())
    contacts = list(volunteer.recruitment_contacts.all())
    attendances, bookable_courses = _courses(user, volunteer)
    events = list(volunteer.pipeline_events.all())
    agreements = list(
        FrameworkAgreement.objects.filter(
            volunteer=volunteer, family__in=access.families_for(user)
        ).select_related("family", "approved_by")
    )
    matches = list(access.matches_for(user).filter(volunteer=volunteer).select_related("family"))
    for certificate in certificates:
        certificate.current_state = certificate.state(today)
        certificate.state_label = CertificateState(certificate.current_state).label
        if can_edit and not certificate.outcome:
            certificate.assess_form = bound_forms.get(
                f"assess_{certificate.pk}"
            ) or CertificateAssessmentForm(prefix=f"c{certificate.pk}")
    state = certificates[0].current_state if certificates else CertificateState.NOT_NEEDED
    context = {
        "volunteer": volunteer,
        "phone_display": display_phone(volunteer.phone),
        "can_edit": can_edit,
        "tags": list(volunteer.tags.all()),
        "served_branches": list(volunteer.served_branches.all()),
        "programme_labels": _programme_labels(volunteer.programmes),
        "certificates": certificates,
        "certificate_state": state,
        "certificate_state_label": CertificateState(state).label,
        "needs_certificate": services.needs_certificate(volunteer),
        "events": events,
        "contacts": contacts,
        "unreachable": services.is_unreachable(volunteer, contacts),
        "attendances": attendances,
        "agreements": agreements,
        "matches": matches,
        "history": _history(
            volunteer,
            {
                PipelineEvent: [e.pk for e in events],
                RecruitmentContact: [c.pk for c in contacts],
                CourseAttendance: [a.pk for a in attendances],
                ChildCertificate: [c.pk for c in certificates],
                FrameworkAgreement: [a.pk for a in agreements],
            },
        ),
    }
    context.update(_display_labels(volunteer))
    if can_edit:
        steps = services.allowed_steps(volunteer)
        context.update(
            steps_left=bool(steps),
            pipeline_form=bound_forms.get("pipeline") or PipelineForm(steps=steps),
            contact_form=bound_forms.get("contact") or ContactForm(),
            book_form=bound_forms.get("book")
            or BookCourseForm(user=user, courses=bookable_courses),
            order_form=bound_forms.get("order") or CertificateOrderForm(),
            agreement_form=_agreement_form(request, volunteer, matches, bound_forms),
            attendance_choices=AttendanceForm.base_fields["status"].choices,
        )
    return context


def _agreement_form(request, volunteer, matches, bound_forms):
    """The framework agreement form, only when asked for (?agreement=new) or sent back
    with errors: agreements are a rare exception, and its choice of families (every
    family of the volunteer's branch, hundreds at national scale) is the page's largest
    query and widget. The page links to it otherwise."""
    if "agreement" in bound_forms:
        return bound_forms["agreement"]
    if request.GET.get("agreement") != "new":
        return None
    return FrameworkAgreementForm(
        user=request.user,
        volunteer=volunteer,
        matched_families=sorted({match.family_id for match in matches}),
    )


def _display_labels(volunteer):
    from familien.models import Availability, Language, VolunteerPreference

    def labels(choices, values):
        return [choices(v).label for v in values or [] if v in choices.values]

    return {
        "language_labels": labels(Language, volunteer.languages),
        "availability_labels": labels(Availability, volunteer.availability),
        "preference_labels": labels(VolunteerPreference, volunteer.preferences),
    }


def _render_detail(request, volunteer, status=200, **bound_forms):
    return render(
        request,
        "familien/volunteer_detail.html",
        _detail_context(request, volunteer, **bound_forms),
        status=status,
    )


@role_required(Role.LEADER, Role.CENTRAL, Role.FOLLOWUP, Role.ADMIN)
def volunteer_detail(request, pk):
    return _render_detail(request, _load_volunteer(request.user, pk))


# ---------------------------------------------------------------------------
# Small actions on the volunteer page (POST only)


def _done(request, volunteer, message, anchor):
    messages.success(request, message)
    return redirect(reverse("volunteer_detail", args=[volunteer.pk]) + f"#{anchor}")


@require_POST
@role_required(*EDITORS)
def volunteer_advance(request, pk):
    volunteer = _load_volunteer(request.user, pk)
    form = PipelineForm(request.POST, steps=services.allowed_steps(volunteer))
    if form.is_valid():
        try:
            services.advance_volunteer(
                volunteer,
                step=form.cleaned_data["step"],
                on=form.cleaned_data["on"],
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except VolunteerError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, volunteer, _("The step is recorded."), "pipeline")
    return _render_detail(request, volunteer, pipeline=form)


@require_POST
@role_required(*EDITORS)
def volunteer_contact_add(request, pk):
    volunteer = _load_volunteer(request.user, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        services.log_recruitment_contact(
            volunteer,
            channel=form.cleaned_data["channel"],
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
        return _done(request, volunteer, _("The contact attempt is recorded."), "contacts")
    return _render_detail(request, volunteer, contact=form)


@require_POST
@role_required(*EDITORS)
def volunteer_course_book(request, pk):
    volunteer = _load_volunteer(request.user, pk)
    form = BookCourseForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.book_course(volunteer, course=form.cleaned_data["course"], actor=request.user)
        except VolunteerError as error:
            form.add_error("course", str(error))
        else:
            return _done(request, volunteer, _("The course is booked."), "courses")
    return _render_detail(request, volunteer, book=form)


@require_POST
@role_required(*EDITORS)
def volunteer_attendance(request, pk, attendance_pk):
    volunteer = _load_volunteer(request.user, pk)
    attendance = get_object_or_404(
        CourseAttendance.objects.select_related("course"), pk=attendance_pk, volunteer=volunteer
    )
    attendance.volunteer = volunteer
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose attended or did not come."))
        return redirect(reverse("volunteer_detail", args=[volunteer.pk]) + "#courses")
    services.record_attendance(attendance, status=form.cleaned_data["status"], actor=request.user)
    return _done(request, volunteer, _("The attendance is recorded."), "courses")


@require_POST
@role_required(*EDITORS)
def certificate_order(request, pk):
    volunteer = _load_volunteer(request.user, pk)
    form = CertificateOrderForm(request.POST)
    if form.is_valid():
        services.order_certificate(
            volunteer, ordered_on=form.cleaned_data["ordered_on"], actor=request.user
        )
        return _done(
            request,
            volunteer,
            _("The child-protection certificate order is recorded."),
            "certificates",
        )
    return _render_detail(request, volunteer, order=form)


@require_POST
@role_required(*EDITORS)
def certificate_assess(request, pk, certificate_pk):
    volunteer = _load_volunteer(request.user, pk)
    certificate = get_object_or_404(
        ChildCertificate.objects.all(), pk=certificate_pk, volunteer=volunteer
    )
    form = CertificateAssessmentForm(request.POST, prefix=f"c{certificate.pk}")
    if form.is_valid():
        try:
            services.record_certificate_assessment(
                certificate,
                assessed_on=form.cleaned_data["assessed_on"],
                outcome=form.cleaned_data["outcome"],
                actor=request.user,
            )
        except VolunteerError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, volunteer, _("The assessment is recorded."), "certificates")
    return _render_detail(request, volunteer, **{f"assess_{certificate.pk}": form})


@require_POST
@role_required(*EDITORS)
def framework_agreement_add(request, pk):
    volunteer = _load_volunteer(request.user, pk)
    form = FrameworkAgreementForm(request.POST, user=request.user, volunteer=volunteer)
    if form.is_valid():
        try:
            services.record_framework_agreement(volunteer, actor=request.user, **form.cleaned_data)
        except VolunteerError as error:
            form.add_error(None, str(error))
        else:
            return _done(
                request, volunteer, _("The framework agreement is recorded."), "agreements"
            )
    return _render_detail(request, volunteer, agreement=form)


# ---------------------------------------------------------------------------
# Børneattest warnings and courses


@role_required(*EDITORS)
def certificate_warnings(request):
    today = timezone.localdate()
    consent, renewal = services.certificate_warnings(access.volunteers_for(request.user), today)
    for volunteer in consent + renewal:
        volunteer.certificate_label = CertificateState(volunteer.certificate_state).label
    record(request, volunteers=consent + renewal)
    return render(
        request,
        "familien/volunteer_certificate_warnings.html",
        {"consent": consent, "renewal": renewal, "today": today},
    )


@role_required(*EDITORS)
def course_list(request):
    courses = (
        courses_for(request.user)
        .select_related("branch")
        .annotate(
            booked=Count("attendances"),
            attended=Count(
                "attendances", filter=Q(attendances__status=CourseAttendance.Status.ATTENDED)
            ),
            no_show=Count(
                "attendances", filter=Q(attendances__status=CourseAttendance.Status.NO_SHOW)
            ),
        )
        .order_by("-on", "name", "pk")
    )
    page = page_of(request, courses)
    return render(
        request,
        "familien/course_list.html",
        {"page": page, "rows": list(page.object_list), "querystring": ""},
    )


@role_required(*EDITORS)
def course_create(request):
    form = CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The course is created."))
        return redirect("course_list")
    return render(request, "familien/course_form.html", {"form": form})
