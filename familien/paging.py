"""Lists page by ?side=N (Danish for page) and keep their filters in the page links."""

from django.core.paginator import Paginator

PAGE_SIZE = 25
PAGE_PARAM = "side"


def page_of(request, queryset, per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get(PAGE_PARAM))


def query_without_page(request):
    """The list's query string without its page number, for the pagination links."""
    query = request.GET.copy()
    query.pop(PAGE_PARAM, None)
    return query.urlencode()
