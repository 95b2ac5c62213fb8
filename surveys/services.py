"""What the evaluation does when a match starts or ends (the surveys issue fills this in)."""


def dispatch_pre_survey(match, *, today):
    """Invite the parent to the pre survey as soon as the match is active, if the family
    consents to the evaluation (report section 2.2, Bilag 2).

    The seam matching calls at activation; invitations arrive with issue 6.
    """
    return None


# A course that ended before this many months had "not got going": no post survey
# (report section 2.2).
POST_SURVEY_MIN_MONTHS = 3


def whole_months(start, end) -> int:
    """Whole calendar months from ``start`` to ``end`` (15 January to 14 April: 2)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def post_survey_due(match) -> bool:
    """Whether a closed match's parent is asked for the post survey: only when the course
    lasted at least 3 months (report section 2.2; DOMAIN.md §11)."""
    if match.started_on is None or match.ended_on is None:
        return False
    return whole_months(match.started_on, match.ended_on) >= POST_SURVEY_MIN_MONTHS


def dispatch_post_survey(match, *, today):
    """Invite the parent to the post survey when a match closes, if it lasted at least 3
    months and the family consents (report section 2.2, Bilag 2).

    The seam matching calls when a match closes. Returns whether a post survey is due;
    the invitation itself arrives with the surveys issue (6), behind this same rule.
    """
    return post_survey_due(match)
