"""The family's meeting times against each volunteer's availability."""

from datetime import date

import pytest
from django.utils import translation

from familien.models import Availability, PipelineStep, Programme
from matching.models import SupportRequest
from matching.suggestions import suggest_volunteers
from tests.factories import BranchFactory, FamilyFactory, ParentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def test_shared_meeting_times_rank_a_volunteer_higher_and_say_so():
    branch = BranchFactory()
    family = FamilyFactory(branch=branch)
    ParentFactory(family=family)
    request = SupportRequest.objects.create(
        family=family,
        programme=Programme.JOB_MENTOR,
        availability=[Availability.TUE_EVENING, Availability.THU_EVENING],
    )
    common = dict(branch=branch, pipeline_step=PipelineStep.READY, programmes=["job_mentor"])
    daytime = VolunteerFactory(first_name="Dagmar", availability=["mon_day", "wed_day"], **common)
    evening = VolunteerFactory(
        first_name="Aftenia", availability=["tue_evening", "thu_evening"], **common
    )
    with translation.override("da"):
        ranked = suggest_volunteers(request, today=date(2026, 11, 27))
    assert [s.volunteer for s in ranked] == [evening, daytime]
    reasons = [str(r.label) for r in ranked[0].reasons]
    assert any(r.startswith("Kan mødes, når familien kan: Tirsdag aften") for r in reasons)
    assert not any(str(r.label).startswith("Kan mødes") for r in ranked[1].reasons)
