"""Access rows for requests."""

REQUEST_RULES = {}

REQUEST_URL_KWARGS = {}
