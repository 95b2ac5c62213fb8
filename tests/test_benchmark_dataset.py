"""The national-scale benchmark data set (issue 8 item 1), built small: the counts follow
the scale, the rows hang together, the pages work on them and the seed fixes the rows."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.urls import reverse

from familien.benchmark.dataset import BRANCH_COUNT, NATIONAL, build_dataset, scaled
from familien.models import Branch, Child, Family, Parent, Role, Volunteer
from followup.models import CheckIn, FollowUpTask
from matching.models import Match, SupportRequest
from surveys.models import ContactAttempt, Invitation, Response
from surveys.tokens import hash_token, token_for
from tests.conftest import login
from tests.factories import FamilyFactory, UserFactory

SCALE = 0.0005
TODAY = date(2025, 6, 2)


@pytest.fixture
def built(db):
    return build_dataset(scale=SCALE, seed=8, today=TODAY)


def test_counts_follow_the_scale(built):
    families = scaled(NATIONAL["families"], SCALE)
    matches = scaled(NATIONAL["matches"], SCALE)
    assert built["branches"] == Branch.objects.count() == BRANCH_COUNT
    assert built["families"] == Family.objects.count() == families
    assert built["parents"] == Parent.objects.count() == families * 3 // 2
    assert built["children"] == Child.objects.count() == families * 9 // 5
    assert built["volunteers"] == Volunteer.objects.count() == scaled(NATIONAL["volunteers"], SCALE)
    assert built["matches"] == Match.objects.count() == matches
    waiting = scaled(NATIONAL["waiting_requests"], SCALE)
    assert built["support requests"] == SupportRequest.objects.count() == matches + waiting
    assert built["check-ins"] == CheckIn.objects.count() == scaled(NATIONAL["check_ins"], SCALE)
    invitations = scaled(NATIONAL["invitations"], SCALE)
    assert built["invitations"] == Invitation.objects.count() == invitations
    attempts = scaled(NATIONAL["contact_attempts"], SCALE)
    assert built["contact attempts"] == ContactAttempt.objects.count() == attempts
    answered = Invitation.objects.filter(status=Invitation.Status.ANSWERED).count()
    assert built["responses"] == Response.objects.count() == answered > 0
    assert built["follow-up tasks"] == FollowUpTask.objects.count() > 0
    # Every state of a match is there.
    assert set(Match.objects.values_list("status", flat=True)) >= {
        Match.Status.ACTIVE,
        Match.Status.CLOSED,
    }


def test_rows_hang_together(built):
    started = Match.objects.filter(status__in=["active", "ending", "closed"])
    assert not CheckIn.objects.exclude(match__in=started).exists()
    assert not CheckIn.objects.filter(met_on__lt=F("match__started_on")).exists()
    assert not Match.objects.filter(ended_on__lt=F("started_on")).exists()
    assert not Match.objects.filter(status="closed", ended_on__isnull=True).exists()
    assert not Match.objects.filter(status="active", ended_on__isnull=False).exists()
    assert not Match.objects.filter(status="proposed", started_on__isnull=False).exists()
    assert not Match.objects.exclude(request__family=F("family")).exists()
    assert not FollowUpTask.objects.exclude(match__status__in=["active", "ending"]).exists()
    assert not Invitation.objects.exclude(match__in=started).exists()
    # A parent's invitation goes to a parent of the match's family.
    parents = Invitation.objects.filter(parent__isnull=False)
    assert not parents.exclude(parent__family=F("match__family")).exists()
    assert (
        not Invitation.objects.filter(volunteer__isnull=False)
        .exclude(volunteer=F("match__volunteer"))
        .exists()
    )
    assert not Response.objects.exclude(invitation__status="answered").exists()
    assert ContactAttempt.objects.values("invitation").distinct().count() > 0
    # Each family's search text and each link's token work as the app makes them.
    family = Family.objects.order_by("pk").first()
    assert family.name.lower().split()[-1][:3] in family.search_text
    invitation = Invitation.objects.order_by("pk").first()
    assert invitation.token_hash == hash_token(token_for(invitation.token_salt))


def test_the_pages_work_on_the_set(built, client):
    central = UserFactory(role=Role.CENTRAL)
    login(client, central)
    family = Family.objects.filter(matches__status="active").order_by("pk").first()
    for url in (
        reverse("family_list"),
        reverse("family_list") + "?q=jensen",
        reverse("family_detail", args=[family.pk]),
        reverse("followup_dashboard"),
        reverse("followup_task_queue"),
    ):
        assert client.get(url).status_code == 200, url


def test_the_seed_fixes_the_rows(db):
    first = build_dataset(scale=SCALE, seed=8, today=TODAY)
    start = Family.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    names = list(Family.objects.order_by("pk").values_list("name", "search_text")[:20])
    second = build_dataset(scale=SCALE, seed=8, today=TODAY)
    again = list(
        Family.objects.filter(pk__gte=start).order_by("pk").values_list("name", "search_text")[:20]
    )
    # The distances cover every pair of branches in the database, the earlier ones too.
    first.pop("branch distances"), second.pop("branch distances")
    assert first == second
    assert names == again
    other = build_dataset(scale=SCALE, seed=9, today=TODAY)
    assert other["families"] == first["families"]


def test_the_command_refuses_a_database_with_families(db):
    FamilyFactory()
    with pytest.raises(CommandError):
        call_command("build_benchmark_data", "--scale", "0.0001")
