"""What the evaluation does when a match starts or ends (the surveys issue fills this in)."""


def dispatch_pre_survey(match, *, today):
    """Invite the parent to the pre survey as soon as the match is active, if the family
    consents to the evaluation (report section 2.2, Bilag 2).

    The seam matching calls at activation; invitations arrive with issue 6.
    """
    return None
