"""What the evaluation does when a match starts or ends (the surveys issue fills this in)."""


def dispatch_pre_survey(match, *, today):
    """Invite the parent to the pre survey as soon as the match is active, if the family
    consents to the evaluation (report section 2.2, Bilag 2).

    The seam matching calls at activation; invitations arrive with issue 6.
    """
    return None


# A course that ended before 3 months had "not got going": no post survey (report section
# 2.2). Three months are counted as 13 weeks, as the follow-up figures count them, so a
# match of 89 days gets none and one of 92 days gets one, whatever the months' lengths.
POST_SURVEY_MIN_DAYS = 13 * 7


def post_survey_due(match) -> bool:
    """Whether a closed match's parent is asked for the post survey: only when the course
    lasted at least 3 months (report section 2.2; DOMAIN.md §11)."""
    if match.started_on is None or match.ended_on is None:
        return False
    return (match.ended_on - match.started_on).days >= POST_SURVEY_MIN_DAYS


def dispatch_post_survey(match, *, today):
    """Invite the parent to the post survey when a match closes, if it lasted at least 3
    months and the family consents (report section 2.2, Bilag 2).

    The seam matching calls when a match closes. Returns whether a post survey is due;
    the invitation itself arrives with the surveys issue (6), behind this same rule.
    """
    return post_survey_due(match)
