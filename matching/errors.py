class MatchingError(Exception):
    """A matching step that makes no sense now; the message says why, in Danish."""
