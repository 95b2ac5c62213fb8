"""Paging of the long lists (familien/paging.py): every row on exactly one page in
either direction, the last page read from the end of the list, and the filters kept in
the First/Previous/Next/Last links."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familien.models import Family, Role
from familien.paging import ListPaginator, page_of
from tests.conftest import login
from tests.factories import BranchFactory, FamilyFactory, UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def build_families(branch, count, *, start=0):
    """``count`` families, a few sharing a name so the order leans on the primary key."""
    now = timezone.now()
    families = Family.objects.bulk_create(
        Family(
            branch=branch,
            name=f"Familien {(start + i) // 3:03}",
            search_text=f"familien side {(start + i) // 3:03}",
            status="closed" if i % 4 == 0 else "active",
        )
        for i in range(count)
    )
    for i, family in enumerate(families):
        # Distinct times, in another order than the names, for "newest first".
        Family.objects.filter(pk=family.pk).update(created_at=now - timedelta(minutes=(i * 7) % 61))
    return families


def page_rows(client, url, params, number):
    response = client.get(url, {**params, "side": number})
    assert response.status_code == 200
    return response.context["page"]


def walk(client, url, params):
    """Every page from the first to the last, as a list of row primary keys."""
    first = page_rows(client, url, params, 1)
    pks = [row.pk for row in first]
    for number in range(2, first.paginator.num_pages + 1):
        pks += [row.pk for row in page_rows(client, url, params, number)]
    return pks


@pytest.fixture
def central(client):
    branch = BranchFactory()
    login(client, UserFactory(role=Role.CENTRAL))
    return branch


@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "newest"}, {"sort": "branch"}, {"status": "active"}, {"q": "side"}],
    ids=["name", "newest", "branch", "filtered", "searched"],
)
def test_every_family_is_on_exactly_one_page_in_the_lists_order(client, central, params):
    build_families(central, 61)
    url = reverse("family_list")
    expected = [
        f.pk for f in client.get(url, params).context["filters"].apply(Family.objects.all())
    ]
    assert len(expected) == (45 if "status" in params else 61)
    assert walk(client, url, params) == expected


def test_the_last_page_is_read_backwards_and_costs_what_the_first_does(client, central):
    build_families(central, 90)
    url = reverse("family_list")

    def capture(number):
        with CaptureQueriesContext(connection) as captured:
            page = page_rows(client, url, {}, number)
        rows = [q["sql"] for q in captured if 'FROM "familien_family"' in q["sql"]]
        return page, rows

    first, first_sql = capture(1)
    last, last_sql = capture("last")
    assert last.number == last.paginator.num_pages == 4
    assert [f.pk for f in last] == [f.pk for f in Family.objects.order_by("name", "pk")[75:]]
    assert len(first_sql) == len(last_sql)
    # The page's row query: the first page in the list's order, the last one in reverse
    # with an offset of 0 instead of 75.
    assert '"name" ASC' in first_sql[-1] and "OFFSET" not in first_sql[-1]
    assert '"name" DESC' in last_sql[-1] and "OFFSET" not in last_sql[-1]


def test_a_page_past_the_middle_reads_from_the_end_with_a_small_offset(client, central):
    build_families(central, 200)
    url = reverse("family_list")
    with CaptureQueriesContext(connection) as captured:
        page = page_rows(client, url, {}, 7)
    rows_sql = [q["sql"] for q in captured if 'FROM "familien_family"' in q["sql"]][-1]
    assert "DESC" in rows_sql and "OFFSET 25" in rows_sql  # rows 151-175 of 200
    assert [f.pk for f in page] == [f.pk for f in Family.objects.order_by("name", "pk")[150:175]]


def test_an_order_without_the_primary_key_is_read_forwards():
    """Ties without a final primary key have no mirror order: such a list stays on
    Django's forward OFFSET, so no row can appear on two pages."""
    request = RequestFactory().get("/", {"side": "last"})
    branch = BranchFactory()
    FamilyFactory.create_batch(30, branch=branch, name="Familien Ens")
    with CaptureQueriesContext(connection) as captured:
        page = page_of(request, Family.objects.order_by("name"))
        list(page)
    assert "DESC" not in captured[-1]["sql"] and "OFFSET 25" in captured[-1]["sql"]
    assert len(page) == 5


def test_a_list_object_pages_as_before():
    paginator = ListPaginator(list(range(60)), 25)
    assert list(paginator.page(3)) == list(range(50, 60))
    assert list(paginator.page(2)) == list(range(25, 50))


def test_page_numbers_out_of_range_or_not_numbers_fall_back_as_django_does(client, central):
    build_families(central, 30)
    url = reverse("family_list")
    assert page_rows(client, url, {}, 99).number == 2
    assert page_rows(client, url, {}, "x").number == 1
    assert page_rows(client, url, {}, "last").number == 2


def test_the_links_keep_the_filters_and_reach_first_and_last(client, central):
    build_families(central, 80)
    response = client.get(reverse("family_list"), {"status": "active", "side": 2})
    text = response.content.decode()
    for number in ("1", "3", "last"):
        assert f"status=active&amp;side={number}" in text
    assert response.context["page"].paginator.num_pages == 3
    last = client.get(reverse("family_list"), {"status": "active", "side": "last"})
    # No Next or Last on the last page.
    assert 'class="page-link" href="?status=active&amp;side=last"' not in last.content.decode()
    assert 'class="page-link" href="?status=active&amp;side=1"' in last.content.decode()


def test_volunteer_pages_in_both_directions(client, central):
    for i in range(55):
        VolunteerFactory(branch=central, first_name=f"Frivillig {i // 2:02}")
    url = reverse("volunteer_list")
    pks = walk(client, url, {})
    assert len(pks) == len(set(pks)) == 55
    response = client.get(url, {"side": "last"})
    assert [v.pk for v in response.context["rows"]] == pks[50:]
    assert 'class="page-link" href="?side=last"' in client.get(url).content.decode()


@pytest.mark.parametrize("size", [30, 120])
def test_the_last_page_costs_the_same_queries_at_two_sizes(
    client, central, size, django_assert_max_num_queries
):
    """Session, user, OTP device, the filter's branch and partner choices, the count and
    the page: the same for the first and the last page, at any size."""
    build_families(central, size)
    url = reverse("family_list")
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with django_assert_max_num_queries(len(first)):
        assert client.get(url, {"side": "last"}).status_code == 200
    assert len(first) <= 12


def test_a_search_counts_its_matches_in_the_query_that_reads_its_first_page(client, central):
    build_families(central, 61)
    url = reverse("family_list")
    with CaptureQueriesContext(connection) as captured:
        first = page_rows(client, url, {"q": "side"}, 1)
    reads = [q["sql"] for q in captured if 'FROM "familien_family"' in q["sql"]]
    assert len(reads) == 1 and "OVER ()" in reads[0]
    assert first.paginator.count == 61 and first.paginator.num_pages == 3
    assert len(first) == 25
    # Another page counts first, as every list does.
    assert [f.pk for f in page_rows(client, url, {"q": "side"}, 3)] == [
        f.pk for f in Family.objects.order_by("name", "pk")[50:]
    ]
    nothing = client.get(url, {"q": "zzzz"})
    assert nothing.context["page"].paginator.count == 0 and list(nothing.context["page"]) == []
