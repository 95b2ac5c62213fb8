"""What follow-up does when a match starts (the follow-up issue fills this in)."""


def plan_follow_ups(match, *, today):
    """Create the match's follow-up tasks from its programme's rules (DOMAIN.md §10).

    The seam matching calls at activation; the follow-up plans arrive with issue 5.
    """
    return []
