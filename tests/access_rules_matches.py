"""Access rows for matches."""

MATCH_RULES = {}

MATCH_URL_KWARGS = {}
