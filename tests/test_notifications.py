"""Central recruitment tells the branch: in-app notifications and their mail (report
section 7.1), the inbox views and the unread badge."""

from smtplib import SMTPException

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from familien.context_processors import familien as familien_context
from familien.models import Notification, Role
from familien.services.notifications import notify_branch_leaders
from familien.tasks import mail_notifications
from tests.conftest import login
from tests.factories import UserFactory

KIND = Notification.Kind.CENTRAL_FAMILY


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise SMTPException("the server said no")


@pytest.fixture
def enqueued(monkeypatch):
    """Record what would go to the broker instead of sending it."""
    calls = []
    monkeypatch.setattr(mail_notifications, "delay", lambda ids: calls.append(ids))
    return calls


def notify(world, link=None):
    return notify_branch_leaders(
        world.branch_a, kind=KIND, link=link or reverse("family_detail", args=[world.family_a.pk])
    )


def test_notify_reaches_the_active_leaders_of_that_branch_only(world, enqueued):
    both = UserFactory(role=Role.LEADER, branches=[world.branch_a, world.branch_b])
    UserFactory(role=Role.LEADER, branches=[world.branch_a], is_active=False)
    UserFactory(role=Role.CENTRAL, branches=[world.branch_a])  # not a leader
    notify(world)
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {world.users["leader"].pk, both.pk}
    texts = set(Notification.objects.values_list("text", flat=True))
    assert texts == {"Det centrale korps har registreret en ny familie i Røde Kors Odense."}


def test_mail_goes_after_commit_once_even_if_the_task_runs_twice(
    world, enqueued, django_capture_on_commit_callbacks, settings
):
    settings.FAMILIEN_BASE_URL = "https://familien.example.org"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notifications = notify(world)
    assert len(callbacks) == 1
    assert enqueued == [[n.pk for n in notifications]]

    mail_notifications(enqueued[0])
    mail_notifications(enqueued[0])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.users["leader"].email]
    assert message.subject == "Nyt i Familien i Fokus"
    link = f"https://familien.example.org/familier/{world.family_a.pk}/"
    assert link in message.body
    assert "Røde Kors Odense" in message.body
    # No person's name and no detail of the family travels by mail.
    for secret in (world.family_a.name, "Mette", world.users["leader"].full_name, "Ida"):
        assert secret not in message.body
        assert secret not in message.subject
    assert Notification.objects.get(pk=notifications[0].pk).mailed_at is not None


def test_a_rolled_back_registration_sends_nothing(
    world, enqueued, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(world)
        raise RuntimeError("the registration failed")
    assert callbacks == []
    assert enqueued == []
    assert not Notification.objects.exists()


def test_a_failing_mail_server_leaves_mailed_at_empty_for_a_retry(world, enqueued, settings):
    settings.EMAIL_BACKEND = "tests.test_notifications.FailingBackend"
    ids = [n.pk for n in notify(world)]
    # Called directly, the task raises instead of scheduling its retry.
    with pytest.raises(SMTPException):
        mail_notifications(ids)
    assert Notification.objects.get(pk=ids[0]).mailed_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail_notifications(ids)
    assert len(mail.outbox) == 1


def test_the_mail_task_retries_a_bounded_number_of_times_with_short_waits():
    assert set(mail_notifications.autoretry_for) == {SMTPException, OSError}
    assert mail_notifications.max_retries == 5
    assert mail_notifications.retry_backoff is True
    assert mail_notifications.retry_backoff_max <= 300


# The inbox -----------------------------------------------------------------------------


def make_notifications(user, count, text="Besked"):
    return Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=KIND, text=f"{text} {i}", link="/familier/")
            for i in range(count)
        ]
    )


def test_the_list_shows_my_notifications_newest_first_with_unread_marked(world, client):
    leader = world.users["leader"]
    old, new = make_notifications(leader, 2)
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    make_notifications(world.users["leader_other"], 1, text="Ikke din")
    login(client, leader)
    response = client.get(reverse("notification_list"))
    assert response.status_code == 200
    page = list(response.context["page"])
    assert [n.pk for n in page] == [new.pk, old.pk]
    html = response.content.decode()
    assert "Ikke din" not in html
    assert html.count("notification-unread") == 1


def test_reading_a_notification_marks_it_and_opens_its_link(world, client):
    leader = world.users["leader"]
    link = reverse("family_detail", args=[world.family_a.pk])
    notification = Notification.objects.create(recipient=leader, kind=KIND, text="x", link=link)
    login(client, leader)
    response = client.post(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == link
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_an_external_link_is_never_followed(world, client):
    leader = world.users["leader"]
    notification = Notification.objects.create(
        recipient=leader, kind=KIND, text="x", link="https://evil.example/"
    )
    login(client, leader)
    response = client.post(reverse("notification_read", args=[notification.pk]))
    assert response["Location"] == reverse("notification_list")


def test_another_persons_notification_is_not_found(world, client):
    (theirs,) = make_notifications(world.users["leader_other"], 1)
    login(client, world.users["leader"])
    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_reading_needs_post(world, client):
    (mine,) = make_notifications(world.users["leader"], 1)
    login(client, world.users["leader"])
    assert client.get(reverse("notification_read", args=[mine.pk])).status_code == 405
    assert client.get(reverse("notification_read_all")).status_code == 405


def test_read_all_marks_only_my_notifications(world, client):
    make_notifications(world.users["leader"], 3)
    make_notifications(world.users["leader_other"], 2)
    login(client, world.users["leader"])
    response = client.post(reverse("notification_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=world.users["leader"]).unread().exists()
    assert Notification.objects.filter(recipient=world.users["leader_other"]).unread().count() == 2


@pytest.mark.parametrize("role", ["leader", "volunteer", "evaluator"])
def test_list_costs_the_same_at_10_and_200_rows(role, world, client, django_assert_max_num_queries):
    user = world.users[role]
    login(client, user)
    make_notifications(user, 10)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("notification_list")).status_code == 200
    make_notifications(user, 190)
    # session, user, OTP device, count and page of notifications, unread badge.
    with django_assert_max_num_queries(len(small)):
        response = client.get(reverse("notification_list") + "?side=3")
    assert response.status_code == 200


def test_the_unread_badge_costs_one_query_and_counts_mine(world, client):
    leader = world.users["leader"]
    login(client, leader)
    client.get(reverse("home"))  # the first page after login stamps the session
    with CaptureQueriesContext(connection) as none_unread:
        client.get(reverse("home"))
    make_notifications(leader, 7)
    make_notifications(world.users["leader_other"], 4)
    with CaptureQueriesContext(connection) as some_unread:
        response = client.get(reverse("home"))
    assert len(some_unread) == len(none_unread)
    badge_queries = [q for q in some_unread if "familien_notification" in q["sql"]]
    assert len(badge_queries) == 1
    assert 'text-bg-warning">7<' in response.content.decode()


def test_anonymous_pages_do_not_count_notifications(db, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        context = familien_context(request)
    assert context["unread_notifications"] == 0
