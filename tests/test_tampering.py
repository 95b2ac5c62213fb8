"""Id tampering (S4, ASVS 8.2.2 / 8.4.1): people who may use a page for their own records
change the ids in its address or its form to reach branch A's family, volunteer, request,
match, check-ins, follow-up task, invitation (call, paper entry, letter) or report job.
Each attempt gets 404 or 403, never the data, and nothing is saved.

The address part reuses the every-URL table: wherever a role's GET of an object of
branch A is refused, the same address posted (with a plausible form) or asked for as an
htmx partial is refused too. The form part puts A's ids into the forms of pages the
outsider may use; test_tampering_forms.py checks the forms' choice fields themselves.
"""

from django.apps import apps
from django.test import Client
from django.urls import reverse

from tests.access_rules import HIDDEN, NONE
from tests.conftest import login
from tests.test_every_url import full_rules
from tests.url_walk import LOGIN, ROLES, iter_named_patterns, outcome

# Rows that a refused request may legitimately write: who was refused, and when.
NOT_DATA = {"accesslog", "accessattempt", "accessfailurelog", "logentry", "session"}


def fingerprint():
    """Every row of the project's own tables, to prove a refused request saved nothing."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label not in {"familien", "matching", "followup", "surveys"}:
            continue
        if model._meta.model_name in NOT_DATA or "accesslog" in model._meta.model_name:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        rows[model._meta.label] = list(model._default_manager.order_by("pk").values_list(*fields))
    return rows


def tampered_post(world):
    """A form body that would change something if the view let it through: A's own ids
    and plausible values for the fields the project's forms use."""
    family, match, volunteer = world.family_a, world.match_a, world.volunteer_a
    return {
        "family": family.pk,
        "match": match.pk,
        "volunteer": volunteer.pk,
        "branch": world.branch_a.pk,
        "name": "Overtaget",
        "first_name": "Overtaget",
        "note": "Overtaget",
        "reason": "other",
        "outcome": "reached",
        "channel": "phone",
        "confirm": family.name,
        "action": "submit",
        "answer": "yes",
        "happened_on": "2026-11-01",
        "met_on": "2026-11-01",
        "hours": "2",
        "on": "2026-11-01",
        "kind": "report_pdf",
    }


def object_urls(world):
    """(name, url, rule) of every non-admin URL that names a record."""
    rules, url_kwargs = full_rules()
    for name, pattern in iter_named_patterns():
        if name.startswith("admin:") or name not in url_kwargs:
            continue
        if not pattern.pattern.converters and "(?P<" not in str(pattern.pattern):
            continue
        yield name, reverse(name, kwargs=url_kwargs[name](world)), rules[name]


def test_changing_ids_in_the_address_is_refused_for_post_and_htmx_too(world):
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        if role != "anonymous":
            login(clients[role], world.users[role])
    cases = []
    for name, url, rule in object_urls(world):
        for role in ROLES:
            expected = rule(role) if callable(rule) else rule[role]
            if expected in (HIDDEN, NONE, LOGIN):
                cases.append((name, url, role, expected))
    # Every kind of record of branch A is tried by an outsider of each kind.
    tried = {(name, role) for name, _url, role, _e in cases}
    for name in ("family_detail", "volunteer_detail", "request_detail", "match_detail"):
        for role in ("leader_other", "followup_other", "volunteer_other", "evaluator"):
            assert (name, role) in tried, (name, role)
    for name in ("checkin_create", "followup_task", "survey_call", "survey_paper_entry"):
        assert (name, "leader_other") in tried, name
    assert ("report_download", "evaluator") in tried

    before = fingerprint()
    body = tampered_post(world)
    wrong = []
    for name, url, role, expected in cases:
        client = clients[role]
        refused = {expected} if expected == LOGIN else {HIDDEN, NONE}
        posted = outcome(client.post(url, body, headers={"HX-Request": "true"}))
        partial = client.get(url, headers={"HX-Request": "true"})
        # 405: a GET-only confirmation page refuses any POST before looking at anything.
        if posted not in refused | {405}:
            wrong.append(f"POST {name} as {role}: {posted}")
        if outcome(partial) not in refused:
            wrong.append(f"htmx GET {name} as {role}: {outcome(partial)}")
        if partial.status_code == 200 and world.family_a.name in partial.content.decode():
            wrong.append(f"htmx GET {name} as {role} shows family A")
    assert not wrong, "\n".join(wrong)
    assert fingerprint() == before


OUTSIDERS = ("leader_other", "followup_other", "volunteer_other", "evaluator")


def post_only_urls(world):
    """(name, url) of every POST-only URL about a record of branch A (GET answers 405),
    with each step of a match's lifecycle on its own."""
    from matching.match_views import STEPS

    for name, url, rule in object_urls(world):
        expected = {rule(role) if callable(rule) else rule[role] for role in OUTSIDERS}
        if expected != {405}:
            continue
        if name == "match_step":
            for step in STEPS:
                yield f"{name}:{step}", reverse(name, kwargs={"pk": world.match_a.pk, "step": step})
        else:
            yield name, url


def test_post_only_urls_refuse_outsiders_and_save_nothing(world):
    """The walk's GET answers 405 for these before anyone is asked who they are; the POST
    is what counts: another branch's leader, a follow-up volunteer or volunteer not on the
    match and the evaluator all get 404 or 403, and anonymous visitors the login."""
    urls = list(post_only_urls(world))
    names = {name.split(":")[0] for name, _url in urls}
    assert {"match_step", "match_propose", "family_consent", "request_withdraw"} <= names
    assert {"volunteer_advance", "survey_letter_posted", "privacy_family_erase"} <= names
    clients = {"anonymous": Client()}
    for role in OUTSIDERS:
        clients[role] = login(Client(), world.users[role])
    before = fingerprint()
    body = tampered_post(world)
    wrong = []
    for name, url in urls:
        for role, client in clients.items():
            got = outcome(client.post(url, body))
            if got not in ({LOGIN} if role == "anonymous" else {HIDDEN, NONE}):
                wrong.append(f"POST {name} as {role}: {got}")
    assert not wrong, "\n".join(wrong)
    assert fingerprint() == before


def test_a_leader_without_a_branch_sees_nothing(world):
    """Fail closed (S4): a leader whose branches were all taken away sees no record of
    any branch, unlike a fail-open default that shows everything."""
    from familien.models import Role
    from tests.factories import UserFactory

    lonely = UserFactory(role=Role.LEADER, branches=[])
    client = login(Client(), lonely)
    for name in ("family_list", "volunteer_list", "waiting_list", "followup_task_queue"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        page = response.content.decode()
        assert world.family_a.name not in page and world.family_b.name not in page, name
        assert world.volunteer_a.last_name not in page, name
    for name, pk in (
        ("family_detail", world.family_a.pk),
        ("family_detail", world.family_b.pk),
        ("volunteer_detail", world.volunteer_a.pk),
        ("match_detail", world.match_a.pk),
    ):
        assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 404, name
