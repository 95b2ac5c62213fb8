class FollowUpError(Exception):
    """A follow-up step refused, with a message for the user in the interface language."""
