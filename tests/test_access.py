"""The scoping layer itself: each role sees exactly its records."""

from familien import access


def names(queryset):
    return sorted(str(obj) for obj in queryset)


def test_leader_sees_own_branch_only(world):
    leader = world.users["leader"]
    assert list(access.families_for(leader)) == [world.family_a]
    assert list(access.branches_for(leader)) == [world.branch_a]
    assert list(access.matches_for(leader)) == [world.match_a]
    assert world.volunteer_a in access.volunteers_for(leader)
    assert all(v.branch == world.branch_a for v in access.volunteers_for(leader))


def test_central_and_admin_see_everything(world):
    for role in ("central", "admin"):
        user = world.users[role]
        assert access.families_for(user).count() == 2
        assert access.matches_for(user).count() == 2
        assert access.branches_for(user).count() == 2


def test_followup_volunteer_sees_assigned_matches_only(world):
    assert list(access.matches_for(world.users["followup"])) == [world.match_a]
    assert list(access.families_for(world.users["followup"])) == [world.family_a]
    assert list(access.volunteers_for(world.users["followup"])) == [world.volunteer_a]
    assert not access.matches_for(world.users["followup_other"]).exists()
    assert not access.families_for(world.users["followup_other"]).exists()


def test_volunteer_sees_own_matches_and_self(world):
    volunteer = world.users["volunteer"]
    assert list(access.matches_for(volunteer)) == [world.match_a]
    assert list(access.families_for(volunteer)) == [world.family_a]
    assert list(access.volunteers_for(volunteer)) == [world.volunteer_a]
    other = world.users["volunteer_other"]
    assert not access.families_for(other).exists()


def test_evaluator_sees_no_named_records(world):
    evaluator = world.users["evaluator"]
    for queryset in (
        access.families_for(evaluator),
        access.volunteers_for(evaluator),
        access.matches_for(evaluator),
        access.branches_for(evaluator),
    ):
        assert not queryset.exists()


def test_another_branch_family_is_404_not_403(world, client):
    from tests.conftest import login

    login(client, world.users["leader"])
    response = client.get(f"/familier/{world.family_b.pk}/")
    assert response.status_code == 404
    assert world.family_b.name not in response.content.decode()
