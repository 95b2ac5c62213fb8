"""Where matching meets the access rules: proposing across branches, and what a volunteer
learns before both sides have said yes."""

import pytest
from django.urls import reverse

from familien import access
from familien.models import PipelineStep, Programme
from matching.distances import compute_branch_distances
from matching.models import Match, SupportRequest
from tests.conftest import login
from tests.factories import (
    BranchFactory,
    FamilyFactory,
    ParentFactory,
    UserFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_towns():
    """Odense and Svendborg, about 40 km apart; a leader of Odense only."""
    odense = BranchFactory(name="RK Odense", latitude=55.4038, longitude=10.4024)
    svendborg = BranchFactory(name="RK Svendborg", latitude=55.0598, longitude=10.6068)
    compute_branch_distances()
    family = FamilyFactory(branch=odense)
    ParentFactory(family=family)
    request = SupportRequest.objects.create(family=family, programme=Programme.JOB_MENTOR)
    leader = UserFactory(role="leader", branches=[odense])
    return odense, svendborg, family, request, leader


def test_a_leader_may_propose_a_volunteer_of_another_branch_within_travel_range(client, two_towns):
    odense, svendborg, family, request, leader = two_towns
    near = VolunteerFactory(
        branch=svendborg,
        pipeline_step=PipelineStep.READY,
        programmes=[Programme.JOB_MENTOR],
        travel_km=60,
    )
    login(client, leader)
    assert not access.volunteers_for(leader).filter(pk=near.pk).exists()
    response = client.post(reverse("match_propose", args=[request.pk, near.pk]))
    assert response.status_code == 302
    assert Match.objects.filter(request=request, volunteer=near).exists()


def test_but_not_one_out_of_range_or_not_suggestable(client, two_towns):
    odense, svendborg, family, request, leader = two_towns
    far = VolunteerFactory(
        branch=svendborg,
        pipeline_step=PipelineStep.READY,
        programmes=[Programme.JOB_MENTOR],
        travel_km=10,
    )
    login(client, leader)
    response = client.post(reverse("match_propose", args=[request.pk, far.pk]))
    assert response.status_code == 404
    assert not Match.objects.filter(volunteer=far).exists()


def test_a_proposed_volunteer_does_not_see_the_family_until_both_say_yes(client, two_towns):
    odense, svendborg, family, request, leader = two_towns
    user = UserFactory(role="volunteer")
    volunteer = VolunteerFactory(branch=odense, user=user, programmes=[Programme.JOB_MENTOR])
    match = Match.objects.create(
        request=request,
        family=family,
        volunteer=volunteer,
        programme=Programme.JOB_MENTOR,
        status=Match.Status.PROPOSED,
    )
    login(client, user)
    assert client.get(reverse("family_detail", args=[family.pk])).status_code == 404
    assert match in access.matches_for(user)

    match.status = Match.Status.DECIDED
    match.save()
    assert client.get(reverse("family_detail", args=[family.pk])).status_code == 200
