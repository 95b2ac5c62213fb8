"""A cache of the survey pages' computed figures (issue 8): the response rates and the
outcome report count over every invitation and answer in the user's scope, which at
national scale (a million invitations, five million contact attempts) takes seconds
however well indexed.

Only aggregates are cached: counts and means per form, programme and item, never a
name, an answer of one person or anything a person could be picked out by (the pages
suppress cells under five respondents when they draw the figures, after the cache).
The key holds what decides the figures and nothing personal: the page, the user's role,
the set of branches they see (a leader's own; "all" for the national roles and the
evaluator) and the page's valid filters, hashed so no filter value is readable in the
cache. Two leaders of the same branches share an entry; a leader never reads another
scope's figures.

Entries live SURVEY_FIGURES_CACHE_SECONDS (10 minutes by default); the page says when
its figures were computed and offers to recompute them. ``warm_national_figures`` (a
periodic Celery task) computes the national roles' default views ahead, so the first
visit of the day does not wait for the count.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.utils import timezone

from familien import access
from familien.models import Role, User
from surveys.measures import REPORTED_PROGRAMMES
from surveys.outcome_report import outcome_figures
from surveys.rates import rate_counts
from surveys.scoping import outcome_responses_for, rate_invitations_for

# Bump when the shape of a cached value changes, so a deploy never reads the old shape.
FIGURES_VERSION = 1
# The roles that count every invitation (surveys.scoping.rate_invitations_for).
ALL_SCOPE_ROLES = (Role.EVALUATOR, *access.NATIONAL_ROLES)


@dataclass(frozen=True)
class Figures:
    """A computed value and when it was computed."""

    value: object
    computed_at: datetime


def scope_of(user):
    """The user's role and the branches whose figures they count: one query for a
    leader (their branch ids), none for the roles that count everything."""
    if user.role in ALL_SCOPE_ROLES:
        return f"{user.role}:all"
    branches = sorted(access.branches_for(user).values_list("pk", flat=True))
    return f"{user.role}:" + ",".join(str(pk) for pk in branches)


def _plain(value):
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def figures_key(page, scope, filters):
    """The cache key of ``page``'s figures for a scope (``scope_of``) and the valid
    filters ({name: value}); hashed, so no filter value shows in the cache."""
    parts = [page, str(FIGURES_VERSION), scope]
    parts += [f"{name}={_plain(value)}" for name, value in sorted(filters.items()) if value]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"surveys:figures:{page}:{digest}"


def cached_figures(page, user, filters, compute, *, recompute=False):
    """``compute()``'s value for ``user``'s scope and ``filters`` as Figures, from the
    cache when it is there (and ``recompute`` is false), else computed and stored."""
    key = figures_key(page, scope_of(user), filters)
    if not recompute:
        figures = cache.get(key)
        if figures is not None:
            return figures
    figures = Figures(value=compute(), computed_at=timezone.now())
    cache.set(key, figures, settings.SURVEY_FIGURES_CACHE_SECONDS)
    return figures


def warm_national_figures():
    """Count the default views (no filter) of the response rates and the outcome report
    for the roles that count everything, and store them under each role's key before
    the old entries expire, so nobody waits for the count (run by Celery beat,
    surveys.tasks.warm_survey_figures). Their figures are the same, so each page is
    counted once. Returns the number of entries stored."""
    # Scoping reads only the role: an unsaved stand-in, no account involved.
    national = User(role=Role.CENTRAL)
    rates = Figures(rate_counts(rate_invitations_for(national)), timezone.now())
    outcomes = Figures(
        outcome_figures(list(REPORTED_PROGRAMMES), responses=outcome_responses_for(national)),
        timezone.now(),
    )
    entries = {}
    for role in ALL_SCOPE_ROLES:
        entries[figures_key("rates", f"{role}:all", {})] = rates
        entries[figures_key("outcomes", f"{role}:all", {})] = outcomes
    cache.set_many(entries, settings.SURVEY_FIGURES_CACHE_SECONDS)
    return len(entries)
