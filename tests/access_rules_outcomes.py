"""Access rows for the outcome report of issue 7 item 1.

Counts only, no names: leaders (their branches' answers), the central corps,
administrators and the evaluator see it; follow-up volunteers and volunteers do not.
"""

from tests.access_rules import only

OUTCOME_PEOPLE = {"leader", "leader_other", "central", "admin", "evaluator"}

OUTCOME_RULES = {
    "survey_outcomes": only(OUTCOME_PEOPLE),
}

OUTCOME_URL_KWARGS = {}
