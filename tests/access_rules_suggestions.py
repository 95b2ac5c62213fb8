"""Access rows for suggestions."""

SUGGESTION_RULES = {}

SUGGESTION_URL_KWARGS = {}
