"""The national lists' SQL, as the views emit it, read indexes on PostgreSQL (issue 8):
search through the GIN trigram indexes (familien/search.py, migration familien 0006), the
first and last page of the central corps' lists and of the waiting list through the
B-tree indexes in the list's order (familien/paging.py), never a scan of every row.

Each test captures the real view's queries and runs EXPLAIN (FORMAT JSON) on them, after
ANALYZE, over tens of thousands of rows: enough that PostgreSQL prefers the index only
when it serves the query.
"""

import json
import random

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familien.models import Family, Parent, Role, Volunteer
from familien.search import TRIGRAM_THRESHOLD, search_text_for
from matching.models import SupportRequest
from tests.conftest import login
from tests.factories import BranchFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="query plans and trigram indexes are PostgreSQL's; CI runs this on PostgreSQL",
    ),
]

SURNAMES = [
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christiansen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
    "Thomsen", "Poulsen", "Johansen", "Møller", "Mortensen", "Østergaard", "Berg", "Lund",
    "Nguyen", "Ahmed", "Kowalski", "Yilmaz", "Hussein", "Holm", "Dahl", "Bak",
]  # fmt: skip
FIRST_NAMES = ["Anne", "Mette", "Søren", "Ali", "Fatima", "Lars", "Sofie", "Jens", "Aisha"]
FAMILIES = 20_000
VOLUNTEERS = 20_000


def build(rng):
    branches = [BranchFactory() for _ in range(20)]
    families = Family.objects.bulk_create(
        Family(
            branch=branches[i % len(branches)],
            name=f"Familien {rng.choice(SURNAMES)}",
            status="closed" if i % 5 == 0 else "active",
        )
        for i in range(FAMILIES)
    )
    parents = []
    for family in families:
        surname = family.name.split()[-1]
        first = rng.choice(FIRST_NAMES)
        phone = f"+45{rng.randrange(20_000_000, 99_999_999)}"
        family.search_text = search_text_for(family.name, first, surname, phone)
        parents.append(Parent(family=family, first_name=first, last_name=surname, phone=phone))
    Family.objects.bulk_update(families, ["search_text"], batch_size=2000)
    parents = Parent.objects.bulk_create(parents)
    Volunteer.objects.bulk_create(
        Volunteer(
            branch=branches[i % len(branches)],
            first_name=first,
            last_name=last,
            programmes=["family_friend"],
            search_text=search_text_for(first, last),
        )
        for i in range(VOLUNTEERS)
        for first, last in [(rng.choice(FIRST_NAMES), rng.choice(SURNAMES))]
    )
    today = timezone.localdate()
    SupportRequest.objects.bulk_create(
        SupportRequest(
            family_id=parent.family_id,
            for_parent=parent,
            programme="family_friend",
            # Most requests are long matched; a few thousand still wait, as nationally.
            status="waiting" if i % 10 == 0 else "matching" if i % 10 == 1 else "matched",
            priority=i % 97 == 0,
            waiting_since=today - timezone.timedelta(days=i % 400),
        )
        for i, parent in enumerate(parents)
    )
    with connection.cursor() as cursor:
        # As autovacuum leaves a table: the GIN indexes' pending lists merged (a bulk
        # insert parks new entries there) and the statistics fresh.
        for index in ("family_search_trgm", "volunteer_search_trgm"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        for table in ("familien_family", "familien_volunteer", "matching_supportrequest"):
            cursor.execute(f"ANALYZE {table}")
    return branches


@pytest.fixture(scope="module")
def national_data(django_db_setup, django_db_blocker):
    """Built once for the module in a transaction that is rolled back at its end; each
    test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build(random.Random(8))
        transaction.set_rollback(True)


@pytest.fixture
def national(national_data, client):
    login(client, UserFactory(role=Role.CENTRAL))
    return national_data


def page_queries(client, url, params, table):
    """The SELECTs on ``table`` that the page runs, as executed."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [
        q["sql"]
        for q in captured
        if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    ]


def plan_nodes(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes, stack = [], [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes


def seq_scans(nodes, table):
    return [n for n in nodes if n["Node Type"] == "Seq Scan" and n["Relation Name"] == table]


def indexes(nodes):
    return {n.get("Index Name") for n in nodes} - {None}


@pytest.mark.parametrize("side", ["1", "2"])
def test_family_search_reads_the_trigram_index_for_the_count_and_the_page(client, national, side):
    response, queries = page_queries(
        client, reverse("family_list"), {"q": "Niels", "side": side}, "familien_family"
    )
    assert response.context["page"].paginator.count > 100
    # The first page counts in the query that reads it (COUNT(*) OVER ()); another page
    # counts first.
    assert len(queries) == (1 if side == "1" else 2)
    for sql in queries:
        assert '"search_text" %> ' in sql and "LIKE" in sql
        nodes = plan_nodes(sql)
        assert not seq_scans(nodes, "familien_family"), sql
        assert "family_search_trgm" in indexes(nodes), sql
        # The page sorts the matches: walking the name index and filtering every
        # family is the plan the search ordering rules out.
        assert "family_name" not in indexes(nodes)


def test_family_search_by_two_words_and_by_phone(client, national):
    family = Family.objects.order_by("pk")[1234]
    parent = family.parents.get()
    for query in (f"{parent.first_name} {parent.last_name}", parent.phone[3:]):
        response, queries = page_queries(
            client, reverse("family_list"), {"q": query}, "familien_family"
        )
        assert family.pk in [f.pk for f in response.context["page"].paginator.object_list]
        for sql in queries:
            assert not seq_scans(plan_nodes(sql), "familien_family"), sql


def test_volunteer_search_reads_the_trigram_index(client, national):
    response, queries = page_queries(
        client, reverse("volunteer_list"), {"q": "Sørens"}, "familien_volunteer"
    )
    assert response.context["rows"]
    assert all("soerensen" in v.search_text for v in response.context["rows"])
    assert len(queries) == 1 and "OVER ()" in queries[0]
    for sql in queries:
        nodes = plan_nodes(sql)
        assert not seq_scans(nodes, "familien_volunteer"), sql
        assert "volunteer_search_trgm" in indexes(nodes), sql


@pytest.mark.parametrize("side", ["1", "last"])
def test_the_central_family_list_reads_25_rows_in_name_order_from_either_end(
    client, national, side
):
    response, queries = page_queries(
        client, reverse("family_list"), {"side": side}, "familien_family"
    )
    count, rows = queries
    assert count.startswith('SELECT COUNT(*) AS "__count" FROM "familien_family"')
    assert " JOIN " not in count and "ORDER BY" not in count
    nodes = plan_nodes(rows)
    assert not seq_scans(nodes, "familien_family"), rows
    assert "family_name" in indexes(nodes)
    assert not [n for n in nodes if n["Node Type"] == "Sort"]
    assert response.context["page"].number == (1 if side == "1" else FAMILIES // 25)


@pytest.mark.parametrize("side", ["1", "last"])
def test_the_central_waiting_list_reads_its_page_from_the_open_requests_index(
    client, national, side
):
    response, queries = page_queries(
        client, reverse("waiting_list"), {"side": side}, "matching_supportrequest"
    )
    (page,) = [sql for sql in queries if "LIMIT 25" in sql]
    nodes = plan_nodes(page)
    assert not seq_scans(nodes, "matching_supportrequest"), page
    assert "request_open_order" in indexes(nodes), page
    assert not [n for n in nodes if n["Node Type"] == "Sort"]
    assert response.context["page"].paginator.count == FAMILIES // 5


def test_a_typo_still_finds_the_family(client, national):
    """Word similarity at TRIGRAM_THRESHOLD: "Kristiansen" finds the Christiansens and
    "Moller" (ø typed as o) the Møllers."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert float(cursor.fetchone()[0]) == TRIGRAM_THRESHOLD
    for query, surname in (("Kristiansen", "Christiansen"), ("Moller", "Møller")):
        response = client.get(reverse("family_list"), {"q": query})
        names = {f.name for f in response.context["page"]}
        assert f"Familien {surname}" in names, query
