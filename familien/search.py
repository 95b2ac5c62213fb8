"""Search over names, phone numbers and e-mail addresses, kind to Danish spelling.

Both the stored ``search_text`` and the query are normalised the same way: lower case,
accents dropped, and æ/ø/å written as ae/oe/aa, so "Søren", "Soeren" and "SØREN" find
each other, as do "Aabenraa" and "Åbenrå". Phone numbers are kept as digits so
"12 34 56 78" finds "+4512345678". On PostgreSQL a trigram word similarity also finds
names with a typo ("Kristiansen" for "Christiansen", "Moller" for "Møller").

Both conditions are operators a GIN trigram index on ``search_text`` answers (LIKE and
``%>``), so a search across every branch reads the index, not 100,000 rows; the
migrations familien 0006 create those indexes. ``%>`` compares with the connection's
``pg_trgm.word_similarity_threshold``, which settings.py sets to TRIGRAM_THRESHOLD.
"""

import re
import unicodedata

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Coalesce

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})
# A name with one or two letters wrong still scores this (pg_trgm word similarity): "soren"
# in "soeren", "moller" in "moeller" score exactly 0.5. settings.py passes it to every
# PostgreSQL connection as pg_trgm.word_similarity_threshold, which ``%>`` reads.
TRIGRAM_THRESHOLD = 0.5


def normalise(text):
    text = (text or "").lower().translate(_DANISH)
    text = unicodedata.normalize("NFKD", text)
    # NUL too: PostgreSQL refuses it in any text parameter, a typed search included.
    text = "".join(c for c in text if not unicodedata.combining(c) and c != "\x00")
    return re.sub(r"\s+", " ", text).strip()


def search_text_for(*values):
    """The ``search_text`` of a record from its names, phones and e-mails."""
    parts = []
    for value in values:
        if not value:
            continue
        parts.append(normalise(value))
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 8:
            parts.append(digits[-8:])  # the Danish number without +45
    return " ".join(parts)


def query_terms(query):
    """The words of a query; a phone number written with spaces becomes one term of its
    last eight digits, as search_text_for stores it."""
    compact = re.sub(r"[\s\-()]", "", query or "")
    if re.fullmatch(r"\+?\d{4,}", compact):
        return [compact.lstrip("+")[-8:]]
    return [word for word in normalise(query).split(" ") if word]


def apply_search(queryset, query):
    """``queryset`` narrowed to records whose search_text holds every word of ``query``
    (or, on PostgreSQL, resembles it closely)."""
    terms = query_terms(query)
    if not terms:
        return queryset
    exact = Q()
    for term in terms:
        exact &= Q(search_text__contains=term)
    if connection.vendor != "postgresql" or any(t.isdigit() for t in terms):
        return queryset.filter(exact)
    # The operator, not a word_similarity() annotation compared with >=: only the operator
    # can use the trigram index.
    similar = TrigramWordSimilar(F("search_text"), " ".join(terms))
    return queryset.filter(exact | Q(similar))


def search_ordering(ordering):
    """``ordering`` for a list narrowed by a search: the same order, but with its first
    key wrapped (COALESCE of the column with itself) so no B-tree index can serve it.

    A search's matches cluster where their names sort ("niel" finds the Nielsens), so a
    plan that walks the name index and filters each row reads two thirds of 100,000
    families before it has 25 (4.6 s); sorting the few thousand rows the trigram index
    finds takes milliseconds.
    """
    first, *rest = ordering
    column = first.removeprefix("-")
    key = Coalesce(F(column), F(column))
    return (key.desc() if first.startswith("-") else key.asc(), *rest)
