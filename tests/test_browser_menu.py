"""The main menu stays on a laptop screen for the roles with the longest menus: it wraps
to a second row instead of running off the right edge (no horizontal scroll)."""

import pytest

from familien.models import Role
from tests.factories import BranchFactory, UserFactory
from tests.test_browser import browser, watch_console  # noqa: F401 - the fixtures
from tests.test_browser_records import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", [Role.LEADER, Role.CENTRAL, Role.ADMIN])
def test_the_menu_fits_a_laptop_screen(browser, live_server, role):  # noqa: F811
    user = UserFactory(role=role, branches=[BranchFactory()] if role == Role.LEADER else [])
    page = log_in(browser, live_server, user)
    for width in (1280, 1024, 800):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.get_by_role("link", name="Opfølgning").is_visible()
        assert page.get_by_role("button", name="Log ud").bounding_box()["height"] < 40
