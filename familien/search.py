"""Search over names, phone numbers and e-mail addresses, kind to Danish spelling.

Both the stored ``search_text`` and the query are normalised the same way: lower case,
accents dropped, and æ/ø/å written as ae/oe/aa, so "Søren", "Soeren" and "SØREN" find
each other, as do "Aabenraa" and "Åbenrå". Phone numbers are kept as digits so
"12 34 56 78" finds "+4512345678". On PostgreSQL a trigram similarity also finds names
with a typo ("Kristiansen" for "Christiansen").
"""

import re
import unicodedata

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Q

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})
# A name with one or two letters wrong still scores above this (pg_trgm word similarity).
TRIGRAM_THRESHOLD = 0.5


def normalise(text):
    text = (text or "").lower().translate(_DANISH)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
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
    similar = queryset.annotate(
        _similarity=TrigramWordSimilarity(" ".join(terms), "search_text")
    ).filter(Q(_similarity__gte=TRIGRAM_THRESHOLD) | exact)
    return similar
