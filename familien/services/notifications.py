"""Notifications: the system tells people what happened instead of them having to look.

Report section 7.1: the activity leaders want Røde Kors to deliver the information to
them ("at Røde Kors leverer informationen … frem for at det er aktivitetslederen, der skal
opsøge dem"), so when the central corps registers a family or a volunteer in a branch's
area, that branch's leaders get a note in the app and by mail (DOMAIN.md §29.8).

A notification's text names no person: it says what happened and where, and links to the
record, which the access rules then guard. Mail goes out from a Celery task after commit,
with ids only (familien.tasks.mail_notifications).
"""

from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from familien.models import Branch, Notification, Role, User

# What each kind says, with the branch's name; never a person's name.
_TEXTS = {
    Notification.Kind.CENTRAL_FAMILY: _(
        "The central corps has registered a new family in %(branch)s."
    ),
    Notification.Kind.CENTRAL_VOLUNTEER: _(
        "The central corps has registered a new volunteer in %(branch)s."
    ),
    Notification.Kind.CERTIFICATE: _(
        "A child-protection certificate in %(branch)s needs your attention."
    ),
    Notification.Kind.UNREACHABLE: _(
        "A volunteer who signed up in %(branch)s has not been reached."
    ),
}


def notification_text(kind, branch):
    """The Danish text of a notification of ``kind`` about ``branch`` (no person named).

    Stored in Danish, the interface's default language: the text goes out by mail too.
    """
    with translation.override("da"):
        template = _TEXTS.get(kind)
        if template is None:
            text = f"{Notification.Kind(kind).label}: {branch.name}"
        else:
            text = str(template) % {"branch": branch.name}
    return text[:300]


def leaders_of(branch):
    """The active activity leaders of ``branch``: who a branch notification goes to."""
    return User.objects.filter(role=Role.LEADER, is_active=True, branches=branch).distinct()


def notify_branch_leaders(
    branch: Branch, *, kind: str, link: str, text: str | None = None
) -> list[Notification]:
    """Tell every active activity leader of ``branch`` that something happened there.

    Creates one Notification per leader, in the app's inbox, and after the transaction
    commits enqueues ``mail_notifications`` with their ids, so a rolled-back registration
    sends nothing (report section 7.1; DOMAIN.md §29.8). ``link`` is a path inside
    Familien (e.g. the family's detail page); the mail makes it absolute.
    """
    text = text or notification_text(kind, branch)
    return notify_users(leaders_of(branch), kind=kind, text=text, link=link)


def notify_users(users, *, kind: str, text: str, link: str) -> list[Notification]:
    """One Notification per user in ``users`` (a queryset or list), mailed after commit
    by ``mail_notifications`` with ids only. ``text`` names no person."""
    from familien.tasks import mail_notifications

    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, kind=kind, text=text[:300], link=link) for user in users]
    )
    ids = [n.pk for n in notifications]
    if ids:
        transaction.on_commit(partial(mail_notifications.delay, ids))
    return notifications


def mark_read(notification: Notification, *, now=None) -> None:
    """Mark one notification read (once: a second call keeps the first time)."""
    now = now or timezone.now()
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)


def mark_all_read(user, *, now=None) -> int:
    """Mark all of ``user``'s unread notifications read; returns how many changed."""
    now = now or timezone.now()
    return Notification.objects.filter(recipient=user).unread().update(read_at=now)


def notification_mail(notification: Notification) -> tuple[str, str]:
    """Subject and body of the mail for ``notification``: Danish, plain, with the absolute
    link and nothing else. No names and no sensitive details travel by mail (Datatilsynet
    expects those encrypted; background/reliability-security-performance.md §1.5)."""
    link = settings.FAMILIEN_BASE_URL + (notification.link or reverse("notification_list"))
    with translation.override("da"):
        subject = gettext("New in Familien i Fokus")
        body = gettext(
            "%(text)s\n\nLog in to read more:\n%(link)s\n\n"
            "This message was sent automatically by Familien i Fokus."
        ) % {"text": notification.text, "link": link}
    return subject, body


def mail_notification(pk: int, *, now=None) -> bool:
    """Send the mail for notification ``pk`` once; returns whether this call sent it.

    The conditional update claims the row, so two workers (or a task run twice) send one
    mail. If sending fails the claim is released again and the error propagates, so the
    task's retry tries once more.
    """
    now = now or timezone.now()
    claimed = Notification.objects.filter(pk=pk, mailed_at__isnull=True).update(mailed_at=now)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=pk)
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email:
        return False
    subject, body = notification_mail(notification)
    try:
        send_mail(subject, body, None, [recipient.email])
    except Exception:
        Notification.objects.filter(pk=pk, mailed_at=now).update(mailed_at=None)
        raise
    return True
