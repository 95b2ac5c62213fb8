"""Lists page by ?side=N (Danish for page) and keep their filters in the page links.

``?side=last`` opens the last page. A page in the back half of a long list is read
from the other end: the query runs in reverse order with a small OFFSET and the rows
are turned round, so the last of 4,000 pages costs what the first does instead of the
database walking past 100,000 rows. Only a total order (one ending in the primary key)
is read backwards; any other order reads forwards as before, so no row can move
between pages.
"""

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window

PAGE_SIZE = 25
PAGE_PARAM = "side"
LAST_PAGE = "last"

_PRIMARY_KEY_ORDER = {"pk", "-pk", "id", "-id"}


def _ends_in_primary_key(queryset):
    ordering = queryset.query.order_by or (
        queryset.query.get_meta().ordering if queryset.query.default_ordering else ()
    )
    return bool(ordering) and isinstance(ordering[-1], str) and ordering[-1] in _PRIMARY_KEY_ORDER


class ListPaginator(Paginator):
    """Django's paginator, reading the back half of a long list from its end."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if (
            isinstance(rows, QuerySet)
            and bottom > self.count - top
            and not rows.query.is_sliced
            and _ends_in_primary_key(rows)
        ):
            backwards = list(rows.reverse()[self.count - top : self.count - bottom])
            return self._get_page(backwards[::-1], number, self)
        return self._get_page(rows[bottom:top], number, self)


def page_of(request, queryset, per_page=PAGE_SIZE, *, count_with_rows=False):
    """The requested page of ``queryset``.

    ``count_with_rows``: the first page's rows carry the list's total (COUNT(*) OVER ()),
    so one query reads the matches instead of a count and then the page reading them
    twice. For a search, whose matches only a trigram index narrows and whose every
    match must be read to count or sort them; not for a plain list, whose first page is
    25 entries of an index in its order.
    """
    number = request.GET.get(PAGE_PARAM)
    paginator = ListPaginator(queryset, per_page)
    if count_with_rows and number in (None, "", "1"):
        rows = list(queryset.annotate(_list_total=Window(Count("pk")))[:per_page])
        paginator.count = rows[0]._list_total if rows else 0
        return paginator._get_page(rows, 1, paginator)
    if number == LAST_PAGE:
        number = paginator.num_pages
    return paginator.get_page(number)


def query_without_page(request):
    """The list's query string without its page number, for the pagination links."""
    query = request.GET.copy()
    query.pop(PAGE_PARAM, None)
    return query.urlencode()
