"""A record's number too long for the database is no address (404) and no valid form
value (a message), never a 500: SQLite raises OverflowError on such a number."""

import pytest
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db

TOO_LONG = str(2**63)  # one more than the largest 64-bit id


@pytest.mark.parametrize(
    "path", [f"/familier/{TOO_LONG}/", f"/frivillige/{TOO_LONG}/", f"/oensker/{TOO_LONG}/"]
)
def test_a_record_number_too_long_for_the_database_is_not_found(client, world, path):
    login(client, world.users["central"])
    assert client.get(path).status_code == 404


def test_the_longest_id_still_resolves():
    assert reverse("family_detail", args=[2**63 - 1]).endswith(f"/{2**63 - 1}/")


def test_the_access_log_extract_refuses_a_number_too_long(client, world):
    login(client, world.users["admin"])
    response = client.get(reverse("access_log"), {"family": TOO_LONG})
    assert response.status_code == 200
    assert response.context["form"].errors
