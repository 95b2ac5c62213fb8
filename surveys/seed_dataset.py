"""The seed-calibrated data set (issue 7 item 6): families, volunteers and matches whose
survey invitations and answers reproduce the report's Tabel 2.1 and 2.2 exactly
(DOMAIN.md §15) and whose answers follow its headline results (DOMAIN.md §28), so that
Familien's own reports can be checked against the report's numbers.

Built by ``python manage.py generate_seed_dataset``; deterministic from the seed (names,
dates, answers; only the invitations' link salts are random, as they are secrets). Every
row is written with bulk_create, so the whole set takes seconds.

What it holds, per programme (family friend, job mentor, education mentor):

* a consenting family with one parent and one volunteer per **pre survey sent** (§15):
  400, 105 and 96 matches. Of these, as many as **post surveys sent** (250, 73, 74) ended
  after at least 13 weeks (services.POST_SURVEY_MIN_DAYS), so each got its post survey; a
  few more ended before 13 weeks (no post survey, but the volunteer's); the rest still
  run, started less than the follow-up months ago (so the engine owes them no follow-up
  survey yet: there are none in the tables).
* the **volunteer survey** went to the volunteer of every ended match (259, 68, 59): where
  the table has fewer volunteer surveys than post surveys (job and education mentor), the
  remaining volunteers declined the evaluation (SurveyOptOut); where it has more (family
  friend), the extra ones are the short courses.
* a few families who refused the evaluation, with running matches and no invitations
  ("fewer pre surveys were sent than courses started", DOMAIN.md §13).
* every invitation went out (its contact attempts are written as sent, by e-mail to an
  example.org address: nothing is ever delivered); exactly the table's number were
  answered, about 8 % of them partly; the rest went through the whole reminder chain
  (DOMAIN.md §14) and stopped as non-response.

Answers: every item asked in the form gets a value; items with a headline result get
exact counts by largest-remainder rounding of the report's percentages over the
responses that answer the item (QUOTAS; the exact counts of the two headline tables are
in EXACT; where no whole count of all the answered responses gives the report's whole
percentage, ITEM_N lets a few skip the item). Items the questionnaire asks only of some
("If you are in work: …") are skipped by the others (CONDITIONS), which makes their
response partial by submit's rule, as it would be: so every job-mentor post response
and about half of the family-friend volunteers' are partial. SWEMWBS (family friend) is
drawn so that the mean metric score is 20.6 before and 21.5 after (section 3.2.1), PSS
so that PS averages 5.3 → 5.1 and LPS 1.0 → 1.1 (section 3.2.4); the scores are stored
with surveys.scoring's own functions.

The day it is built for (``today``) matters: the running courses are younger than the
follow-up months as of that day. Built for a day in the past, the survey engine would
owe them their follow-up surveys at its next run, and the tables would grow.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from faker import Faker

from familien.models import (
    Branch,
    Consent,
    ConsentState,
    Family,
    Parent,
    PipelineStep,
    Programme,
    Region,
    SurveyChannel,
    Volunteer,
)
from familien.search import search_text_for
from familien.services.families import family_search_text
from matching.models import Decision, Match, SupportRequest
from surveys.engine import at_send_hour
from surveys.models import (
    Answer,
    AnswerType,
    Channel,
    ContactAttempt,
    Instrument,
    Invitation,
    Respondent,
    Response,
    Step,
    SurveyKind,
    SurveyOptOut,
)
from surveys.scoring import pss_scores, swemwbs_score
from surveys.services import POST_SURVEY_MIN_DAYS, current_questionnaire, follow_up_months
from surveys.tokens import token_fields

FF, JM, EM = Programme.FAMILY_FRIEND, Programme.JOB_MENTOR, Programme.EDUCATION_MENTOR
PRE, POST, VOL = SurveyKind.PRE, SurveyKind.POST, SurveyKind.VOLUNTEER

# DOMAIN.md §15, Tabel 2.1 and 2.2: (sent, answered) per form and programme.
TABLES = {
    (PRE, FF): (400, 352),
    (PRE, JM): (105, 84),
    (PRE, EM): (96, 83),
    (POST, FF): (250, 183),
    (POST, JM): (73, 54),
    (POST, EM): (74, 52),
    (VOL, FF): (259, 162),
    (VOL, JM): (68, 56),
    (VOL, EM): (59, 45),
}
PROGRAMMES = (FF, JM, EM)

# Families who refused the evaluation, per programme: running matches, no invitations.
REFUSED_SHARE = 0.05
# Of the answered, this share answered only partly (both count as answered, §15).
PARTIAL_SHARE = 0.08

# Lengths in weeks of the courses that ended after 13 weeks or more: (from, to, weight),
# after DOMAIN.md §3.2 (family friend: mean 48.4 weeks, 44 % over 12 months, 24 % 5–8
# months, 19 % 9–12; job mentor mostly 1–8 months; education mentor 21/31/24/17 %).
LENGTHS = {
    FF: [(13, 21, 13), (22, 35, 24), (36, 52, 19), (53, 110, 44)],
    JM: [(13, 17, 40), (18, 35, 33), (36, 60, 27)],
    EM: [(13, 17, 21), (18, 35, 31), (36, 52, 27), (53, 80, 21)],
}
# The newest course ended this many days before the data set's day, so that every
# unanswered invitation has run through the whole reminder chain (about 31 days).
QUIET_DAYS = 40
# Days after the invitation on which answers came: at once, after the sms reminder (7),
# the mail reminder (14) or a call (21+), as DOMAIN.md §14 describes.
ANSWER_DAYS = [0, 0, 1, 1, 2, 3, 5, 8, 9, 15, 16, 22, 25, 30]
# Non-response: the invitation, two reminders and calls every other day from day 21
# until SURVEY_MAX_ATTEMPTS attempts (DOMAIN.md §14: "8–9 contact attempts in all").
AUTOMATIC = [(Step.INVITE, 0), (Step.SMS_REMINDER, 7), (Step.MAIL_REMINDER, 14)]

# --- answers ---------------------------------------------------------------------------

# Counts given exactly, over the responses that answer the item (the rest of the form's
# answered responses skip it). Job mentor, Figur 5.4: 42 % in work (25 % permanent,
# 17 % fixed-term or other), 6 % started an education, 52 % neither: 13 + 6 + 3 = 22 in
# work, 3 in education, 27 neither of 52 (25.0 / 17.3 / 42.3 / 5.8 / 51.9 %; no count out
# of 54 gives all five whole percentages). Education mentor, Tabel 6.1: 70 / 22 / 8 %
# (N = 49 in the report, where no whole count gives 70 %): 35 / 11 / 4 of 50.
EXACT = {
    ("parent_job_mentor", POST, "J15"): {
        "permanent": 13,
        "fixed_term": 6,
        "other_work": 3,
        "education": 3,
        "no": 27,
    },
    ("parent_education_mentor", POST, "E14"): {"still": 35, "completed": 11, "stopped": 4},
}
IN_WORK = ("permanent", "fixed_term", "other_work")
# How many answer an item where a whole percentage of the report is out of reach with all
# the form's answered responses (the others skip it, partial responses first): life
# satisfied after a job mentor 55 % (30 of 54 is 56 %, 29 of 53 is 55 %); applications
# out for a full-time job 52 % and for other work 20 % of those not in work (13 and 5 of
# 25; of all 30 not in work no count gives 52 %); knows exactly what it takes to complete
# the education 21 % before (17 of 82; of 83, 17 is 20 % and 18 is 22 %); receiving
# teaching easy 32 % and difficult 24 % before (25 and 19 of 78; of 83, 26 is 31 % and
# 27 is 33 %).
ITEM_N = {
    ("parent_job_mentor", POST, "J3"): 53,
    ("parent_job_mentor", POST, "J18"): 25,
    ("parent_education_mentor", PRE, "E5"): 82,
    ("parent_education_mentor", PRE, "E8"): 78,
    **{key: sum(counts.values()) for key, counts in EXACT.items()},
}


def _g(pct, values):
    """A group of a distribution: ``pct`` percent, split over ``values`` ({value:
    weight}) or given to one value."""
    return (pct, values if isinstance(values, dict) else {values: 1})


# Distributions in percent, per (questionnaire code, form, item code), after DOMAIN.md
# §28 where it gives them (the groups are the report's: e.g. "always/often 56 %"); the
# split inside a group and the other groups are ours. Scale items are {number: weight}.
QUOTAS = {
    # Family friend, parents (§28.1).
    ("parent_family_friend", PRE, "F6"): [
        _g(9, {"several_daily": 3, "daily": 6}),
        _g(15, "several_weekly"),
        _g(20, "weekly"),
        _g(26, "few_monthly"),
        _g(30, "almost_never"),
    ],
    ("parent_family_friend", POST, "F6"): [
        _g(5, {"several_daily": 2, "daily": 3}),
        _g(11, "several_weekly"),
        _g(17, "weekly"),
        _g(23, "few_monthly"),
        _g(44, "almost_never"),
    ],
    ("parent_family_friend", PRE, "F7"): [
        _g(13, "several_daily"),
        _g(17, "daily"),
        _g(25, "several_weekly"),
        _g(14, "weekly"),
        _g(12, "few_monthly"),
        _g(19, "almost_never"),
    ],
    ("parent_family_friend", POST, "F7"): [
        _g(8, "several_daily"),
        _g(16, "daily"),
        _g(25, "several_weekly"),
        _g(15, "weekly"),
        _g(14, "few_monthly"),
        _g(22, "almost_never"),
    ],
    ("parent_family_friend", PRE, "F8"): [
        _g(10, "strongly_agree"),
        _g(40, "agree"),
        _g(32, "neither"),
        _g(13, "disagree"),
        _g(5, "strongly_disagree"),
    ],
    ("parent_family_friend", POST, "F8"): [
        _g(11, "strongly_agree"),
        _g(43, "agree"),
        _g(30, "neither"),
        _g(12, "disagree"),
        _g(4, "strongly_disagree"),
    ],
    ("parent_family_friend", PRE, "F9"): [
        _g(15, {"very_good": 3, "good": 12}),
        _g(41, "neither"),
        _g(44, {"bad": 28, "very_bad": 11, "dont_know": 5}),
    ],
    ("parent_family_friend", POST, "F9"): [
        _g(20, {"very_good": 4, "good": 16}),
        _g(41, "neither"),
        _g(39, {"bad": 25, "very_bad": 9, "dont_know": 5}),
    ],
    ("parent_family_friend", PRE, "F10"): [
        _g(46, {"daily": 26, "several_weekly": 20}),
        _g(24, "weekly"),
        _g(16, "few_monthly"),
        _g(14, "almost_never"),
    ],
    ("parent_family_friend", POST, "F10"): [
        _g(36, {"daily": 18, "several_weekly": 18}),
        _g(28, "weekly"),
        _g(22, "few_monthly"),
        _g(14, "almost_never"),
    ],
    ("parent_family_friend", PRE, "F12"): [
        _g(80, {"always": 55, "often": 25}),
        _g(12, "sometimes"),
        _g(6, {"rarely": 4, "never": 2}),
        _g(2, "dont_know"),
    ],
    ("parent_family_friend", POST, "F12"): [
        _g(85, {"always": 60, "often": 25}),
        _g(10, "sometimes"),
        _g(3, {"rarely": 2, "never": 1}),
        _g(2, "dont_know"),
    ],
    ("parent_family_friend", PRE, "F13"): [
        _g(34, {"always": 14, "often": 20}),
        _g(30, "sometimes"),
        _g(30, {"rarely": 15, "never": 15}),
        _g(6, "dont_know"),
    ],
    ("parent_family_friend", POST, "F13"): [
        _g(38, {"always": 16, "often": 22}),
        _g(30, "sometimes"),
        _g(26, {"rarely": 14, "never": 12}),
        _g(6, "dont_know"),
    ],
    ("parent_family_friend", PRE, "F14"): [
        _g(62, "always"),
        _g(24, "often"),
        _g(9, "sometimes"),
        _g(3, {"rarely": 2, "never": 1}),
        _g(2, "dont_know"),
    ],
    ("parent_family_friend", POST, "F14"): [
        _g(66, "always"),
        _g(18, "often"),
        _g(11, "sometimes"),
        _g(3, {"rarely": 2, "never": 1}),
        _g(2, "dont_know"),
    ],
    ("parent_family_friend", PRE, "F15"): [
        _g(87, {"always": 60, "often": 27}),
        _g(8, "sometimes"),
        _g(3, {"rarely": 2, "never": 1}),
        _g(2, "dont_know"),
    ],
    ("parent_family_friend", POST, "F15"): [
        _g(89, {"always": 62, "often": 27}),
        _g(7, "sometimes"),
        _g(2, {"rarely": 1, "never": 1}),
        _g(2, "dont_know"),
    ],
    ("parent_family_friend", PRE, "F16"): [
        _g(56, {"always": 28, "often": 28}),
        _g(27, "sometimes"),
        _g(13, {"rarely": 9, "never": 4}),
        _g(4, "dont_know"),
    ],
    ("parent_family_friend", POST, "F16"): [
        _g(69, {"always": 35, "often": 34}),
        _g(20, "sometimes"),
        _g(8, {"rarely": 6, "never": 2}),
        _g(3, "dont_know"),
    ],
    ("parent_family_friend", PRE, "F17"): [
        _g(17, "yes"),
        _g(15, "within_6_months"),
        _g(68, "no"),
    ],
    ("parent_family_friend", POST, "F17"): [
        _g(22, "yes"),
        _g(14, "within_6_months"),
        _g(64, "no"),
    ],
    ("parent_family_friend", PRE, "F18"): [
        _g(40, "yes"),
        _g(20, "within_6_months"),
        _g(40, "no"),
    ],
    ("parent_family_friend", POST, "F18"): [
        _g(54, "yes"),
        _g(12, "within_6_months"),
        _g(34, "no"),
    ],
    ("parent_family_friend", PRE, "F19"): [
        _g(32, "very_good"),
        _g(33, "good"),
        _g(18, "neither"),
        _g(11, {"bad": 7, "very_bad": 4}),
        _g(6, "dont_know"),
    ],
    ("parent_family_friend", POST, "F19"): [
        _g(36, "very_good"),
        _g(27, "good"),
        _g(15, "neither"),
        _g(17, {"bad": 11, "very_bad": 6}),
        _g(5, "dont_know"),
    ],
    ("parent_family_friend", PRE, "F20"): [
        _g(23, "daily"),
        _g(29, "weekly"),
        _g(18, "monthly"),
        _g(14, "less_than_monthly"),
        _g(10, "never"),
        _g(6, "dont_know"),
    ],
    ("parent_family_friend", POST, "F20"): [
        _g(18, "daily"),
        _g(34, "weekly"),
        _g(20, "monthly"),
        _g(12, "less_than_monthly"),
        _g(10, "never"),
        _g(6, "dont_know"),
    ],
    ("parent_family_friend", PRE, "F21"): [
        _g(52, {"daily": 20, "weekly": 32}),
        _g(20, "monthly"),
        _g(28, {"less_than_monthly": 12, "never": 10, "dont_know": 6}),
    ],
    ("parent_family_friend", POST, "F21"): [
        _g(68, {"daily": 26, "weekly": 42}),
        _g(15, "monthly"),
        _g(17, {"less_than_monthly": 8, "never": 5, "dont_know": 4}),
    ],
    ("parent_family_friend", PRE, "F22"): [
        _g(30, "daily"),
        _g(32, "weekly"),
        _g(15, "monthly"),
        _g(15, "less_than_monthly"),
        _g(5, "never"),
        _g(3, "dont_know"),
    ],
    ("parent_family_friend", POST, "F22"): [
        _g(31, "daily"),
        _g(34, "weekly"),
        _g(17, "monthly"),
        _g(10, "less_than_monthly"),
        _g(5, "never"),
        _g(3, "dont_know"),
    ],
    ("parent_family_friend", POST, "F26"): [
        _g(69, {"very_high": 33, "high": 36}),
        _g(14, "some"),
        _g(17, {"lesser": 11, "not_at_all": 6}),
    ],
    ("volunteer_family_friend", VOL, "V1.4"): [
        _g(50, "employed"),
        _g(30, "retired"),
        _g(12, "student"),
        _g(8, {"unemployed": 1, "disability_pension": 1, "other": 2}),
    ],
    ("volunteer_family_friend", VOL, "V8"): [
        _g(57, {"very_high": 22, "high": 35}),
        _g(28, "some"),
        _g(13, {"lesser": 9, "not_at_all": 4}),
        _g(2, "dont_know"),
    ],
    # Job mentor, parents (§28.2).
    ("parent_job_mentor", PRE, "J3"): [
        _g(37, {"very_satisfied": 9, "satisfied": 28}),
        _g(33, "neither"),
        _g(30, {"dissatisfied": 20, "very_dissatisfied": 10}),
    ],
    ("parent_job_mentor", POST, "J3"): [
        _g(55, {"very_satisfied": 15, "satisfied": 40}),
        _g(27, "neither"),
        _g(18, {"dissatisfied": 12, "very_dissatisfied": 6}),
    ],
    ("parent_job_mentor", PRE, "J4"): [
        _g(45, {8: 15, 9: 10, 10: 20}),
        _g(41, {3: 5, 4: 5, 5: 12, 6: 8, 7: 11}),
        _g(14, {0: 6, 1: 4, 2: 4}),
    ],
    ("parent_job_mentor", POST, "J4"): [
        _g(55, {8: 17, 9: 13, 10: 25}),
        _g(27, {3: 3, 4: 4, 5: 8, 6: 5, 7: 7}),
        _g(18, {0: 7, 1: 5, 2: 6}),
    ],
    ("parent_job_mentor", PRE, "J5"): [
        _g(35, {"very_easy": 10, "mostly_easy": 25}),
        _g(65, {"mostly_difficult": 45, "very_difficult": 20}),
    ],
    ("parent_job_mentor", POST, "J5"): [
        _g(25, {"very_easy": 7, "mostly_easy": 18}),
        _g(75, {"mostly_difficult": 50, "very_difficult": 25}),
    ],
    ("parent_job_mentor", PRE, "J6"): [
        _g(64, {"very_high": 30, "high": 34}),
        _g(24, "some"),
        _g(12, {"lesser": 6, "not_at_all": 3, "dont_know": 3}),
    ],
    ("parent_job_mentor", POST, "J6"): [
        _g(41, {"very_high": 18, "high": 23}),
        _g(37, "some"),
        _g(22, {"lesser": 12, "not_at_all": 5, "dont_know": 5}),
    ],
    ("parent_job_mentor", PRE, "J7"): [
        _g(41, "much_to_offer"),
        _g(35, "some_to_offer"),
        _g(14, "unsure"),
        _g(5, "no"),
        _g(5, "dont_know"),
    ],
    ("parent_job_mentor", POST, "J7"): [
        _g(55, "much_to_offer"),
        _g(28, "some_to_offer"),
        _g(10, "unsure"),
        _g(3, "no"),
        _g(4, "dont_know"),
    ],
    ("parent_job_mentor", PRE, "J8"): [
        _g(59, {"very_easy": 20, "easy": 39}),
        _g(25, "neither"),
        _g(13, {"difficult": 10, "very_difficult": 3}),
        _g(3, "dont_know"),
    ],
    ("parent_job_mentor", POST, "J8"): [
        _g(45, {"very_easy": 14, "easy": 31}),
        _g(33, "neither"),
        _g(19, {"difficult": 14, "very_difficult": 5}),
        _g(3, "dont_know"),
    ],
    ("parent_job_mentor", PRE, "J9"): [
        _g(100, {1: 2, 2: 4, 3: 7, 4: 10, 5: 15, 6: 18, 7: 17, 8: 14, 9: 7, 10: 6}),
    ],
    ("parent_job_mentor", POST, "J9"): [
        _g(100, {2: 2, 3: 4, 4: 6, 5: 10, 6: 15, 7: 20, 8: 20, 9: 12, 10: 11}),
    ],
    ("parent_job_mentor", POST, "J14"): [
        _g(30, "very_high"),
        _g(38, "high"),
        _g(24, "some"),
        _g(8, {"lesser": 4, "not_at_all": 2, "dont_know": 2}),
    ],
    ("parent_job_mentor", POST, "J16"): [_g(60, "31_plus"), _g(40, "up_to_30")],
    # Not in work: 52 % have applications out for a full-time job, 20 % (only) for
    # part-time work, an internship or an education (section 5.2.2); a respondent counts
    # in the first of these groups that any of their ticks falls in (surveys.measures).
    ("parent_job_mentor", POST, "J18"): [
        _g(52, {("full_time",): 44, ("full_time", "part_time"): 8}),
        _g(20, {("part_time",): 8, ("internship",): 6, ("education",): 6}),
        _g(28, {("none",): 1}),
    ],
    ("volunteer_job_mentor", VOL, "VJ7"): [
        _g(67, {"very_high": 27, "high": 40}),
        _g(20, "some"),
        _g(13, {"lesser": 9, "not_at_all": 4}),
    ],
    ("volunteer_job_mentor", VOL, "VJ9"): [
        _g(42, {"very_high": 14, "high": 28}),
        _g(25, "some"),
        _g(11, {"lesser": 7, "not_at_all": 4}),
        _g(22, "dont_know"),
    ],
    ("volunteer_job_mentor", VOL, "VJ10"): [
        _g(57, {"very_high": 20, "high": 37}),
        _g(25, "some"),
        _g(12, {"lesser": 8, "not_at_all": 4}),
        _g(6, "dont_know"),
    ],
    # Education mentor, parents (§28.3).
    ("parent_education_mentor", PRE, "E4"): [
        _g(82, "very"),
        _g(12, "relatively"),
        _g(3, "less"),
        _g(1, "not"),
        _g(2, "dont_know"),
    ],
    ("parent_education_mentor", POST, "E4"): [
        _g(82, "very"),
        _g(12, "relatively"),
        _g(3, "less"),
        _g(1, "not"),
        _g(2, "dont_know"),
    ],
    ("parent_education_mentor", PRE, "E5"): [
        _g(21, {10: 1}),
        _g(65, {6: 12, 7: 18, 8: 22, 9: 13}),
        _g(14, {3: 3, 4: 4, 5: 7}),
    ],
    ("parent_education_mentor", POST, "E5"): [
        _g(38, {10: 1}),
        _g(40, {6: 8, 7: 12, 8: 12, 9: 8}),
        _g(22, {0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 7}),
    ],
    ("parent_education_mentor", PRE, "E6"): [
        _g(13, "very_easy"),
        _g(33, "mostly_easy"),
        _g(40, "mostly_difficult"),
        _g(14, "very_difficult"),
    ],
    ("parent_education_mentor", POST, "E6"): [
        _g(27, "very_easy"),
        _g(29, "mostly_easy"),
        _g(32, "mostly_difficult"),
        _g(12, "very_difficult"),
    ],
    ("parent_education_mentor", PRE, "E7"): [
        _g(55, {"very_high": 25, "high": 30}),
        _g(30, "some"),
        _g(15, {"lesser": 8, "not_at_all": 4, "dont_know": 3}),
    ],
    ("parent_education_mentor", POST, "E7"): [
        _g(45, {"very_high": 20, "high": 25}),
        _g(35, "some"),
        _g(20, {"lesser": 10, "not_at_all": 6, "dont_know": 4}),
    ],
    # "Don't know" is left out of Figur 6.7's N (surveys.measures): none here.
    ("parent_education_mentor", PRE, "E8"): [
        _g(32, {"very_easy": 10, "easy": 22}),
        _g(44, "neither"),
        _g(24, {"difficult": 18, "very_difficult": 6}),
    ],
    ("parent_education_mentor", POST, "E8"): [
        _g(50, {"very_easy": 18, "easy": 32}),
        _g(29, "neither"),
        _g(21, {"difficult": 16, "very_difficult": 5}),
    ],
    ("parent_education_mentor", PRE, "E9"): [
        _g(51, "fairly_sure"),
        _g(20, "varies"),
        _g(24, "few_unclear"),
        _g(5, {"no_idea": 3, "dont_know": 2}),
    ],
    ("parent_education_mentor", POST, "E9"): [
        _g(56, "fairly_sure"),
        _g(12, "varies"),
        _g(15, "few_unclear"),
        _g(17, {"no_idea": 9, "dont_know": 8}),
    ],
    ("parent_education_mentor", PRE, "E10"): [
        _g(65, {"very_satisfied": 20, "satisfied": 45}),
        _g(20, "neither"),
        _g(15, {"dissatisfied": 10, "very_dissatisfied": 5}),
    ],
    ("parent_education_mentor", POST, "E10"): [
        _g(62, {"very_satisfied": 20, "satisfied": 42}),
        _g(32, "neither"),
        _g(6, {"dissatisfied": 4, "very_dissatisfied": 2}),
    ],
    ("parent_education_mentor", POST, "E13"): [
        _g(71, {"very_high": 35, "high": 36}),
        _g(17, "some"),
        _g(12, {"lesser": 7, "not_at_all": 5}),
    ],
    ("volunteer_education_mentor", VOL, "VE7"): [
        _g(51, {"very_high": 20, "high": 31}),
        _g(22, "some"),
        _g(13, {"lesser": 9, "not_at_all": 4}),
        _g(14, "dont_know"),
    ],
    ("volunteer_education_mentor", VOL, "VE9"): [
        _g(33, {"very_high": 12, "high": 21}),
        _g(31, "some"),
        _g(14, {"lesser": 10, "not_at_all": 4}),
        _g(22, "dont_know"),
    ],
}

# Items whose answers are shaped: partial responses skip only the others at random.
SHAPED = {*QUOTAS, *EXACT, *ITEM_N}

# Items asked only of some (an answer elsewhere in the form decides): (questionnaire,
# item) → (deciding item, the values that ask it). Skipping one makes the response
# partial by submit's rule (every asked item answered = complete), as it would be.
CONDITIONS = {
    # "If you are in work: …" / "If you are not in work: …" (J16–J18).
    ("parent_job_mentor", "J16"): ("J15", set(IN_WORK)),
    ("parent_job_mentor", "J17"): ("J15", set(IN_WORK)),
    ("parent_job_mentor", "J18"): ("J15", {"education", "no"}),
    # Figur 6.8 is asked only of those not yet finished with their education (§16).
    ("parent_education_mentor", "E9"): ("E14", {"still", "stopped"}),
    # "If you are in work: in which field?"
    ("volunteer_family_friend", "V1.5"): ("V1.4", {"employed"}),
}

# SWEMWBS mean metric score (section 3.2.1) and PSS means (section 3.2.4), family friend.
SWEMWBS_MEAN = {PRE: Decimal("20.6"), POST: Decimal("21.5")}
PSS_MEAN = {PRE: (5.3, 1.0), POST: (5.1, 1.1)}

TEXTS = [
    "Det har været godt at have en at tale med.",
    "Hjælp til hverdagen og til at komme ud.",
    "Mere overskud i familien.",
    "At få styr på økonomien.",
    "Støtte til at søge job.",
    "At gennemføre min uddannelse.",
    "Tak for hjælpen.",
]


def largest_remainder(weights, total):
    """``total`` split over ``weights`` ({key: weight}) in whole numbers, each the exact
    share rounded down and the rest given to the largest remainders (ties in order)."""
    weight_sum = sum(weights.values())
    if not weight_sum or not total:
        return dict.fromkeys(weights, 0)
    exact = {key: total * weight / weight_sum for key, weight in weights.items()}
    counts = {key: int(share) for key, share in exact.items()}
    left = total - sum(counts.values())
    by_remainder = sorted(exact, key=lambda key: exact[key] - counts[key], reverse=True)
    for key in by_remainder[:left]:
        counts[key] += 1
    return counts


def quota_values(groups, total):
    """The list of ``total`` values a distribution (QUOTAS) gives, in group order."""
    group_counts = largest_remainder(dict(enumerate(pct for pct, _values in groups)), total)
    values = []
    for index, (_pct, weights) in enumerate(groups):
        for value, count in largest_remainder(weights, group_counts[index]).items():
            values += [list(value) if isinstance(value, tuple) else value] * count
    return values


# --- the plan ----------------------------------------------------------------------------


@dataclass
class Course:
    """One planned match and the invitations it gets."""

    programme: str
    status: str  # Match.Status.ACTIVE or CLOSED
    started_on: object
    ended_on: object = None
    consent: str = ConsentState.GIVEN
    volunteer_opted_out: bool = False
    invitations: list = field(default_factory=list)  # SurveyKind values


@dataclass
class Summary:
    branches: int = 0
    families: int = 0
    volunteers: int = 0
    matches: int = 0
    invitations: Counter = field(default_factory=Counter)
    answered: Counter = field(default_factory=Counter)
    partial: Counter = field(default_factory=Counter)
    attempts: int = 0
    answers: int = 0


class SeedDataset:
    """Builds the data set; ``build()`` returns a Summary of counts (no names)."""

    def __init__(self, *, seed, today):
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.fake = Faker("da_DK")
        self.fake.seed_instance(seed)
        self.today = today
        self.summary = Summary()

    # --- courses ---------------------------------------------------------------------

    def _length_days(self, programme):
        buckets = LENGTHS[programme]
        low, high, _w = self.rng.choices(buckets, weights=[w for *_x, w in buckets])[0]
        return self.rng.randint(low, high) * 7 + self.rng.randint(0, 6)

    def _ended_course(self, programme, *, long):
        latest = self.today - timedelta(days=QUIET_DAYS)
        ended_on = latest - timedelta(days=self.rng.randint(0, 3 * 365))
        if long:
            days = max(POST_SURVEY_MIN_DAYS, self._length_days(programme))
        else:
            days = self.rng.randint(21, POST_SURVEY_MIN_DAYS - 1)
        return Course(
            programme=programme,
            status=Match.Status.CLOSED,
            started_on=ended_on - timedelta(days=days),
            ended_on=ended_on,
        )

    def _running_course(self, programme, *, consent=ConsentState.GIVEN):
        # Started long enough ago for the pre survey's chain to have run its course, and
        # less than the follow-up months ago: no follow-up survey is owed yet.
        newest = QUIET_DAYS
        oldest = follow_up_months(programme) * 30 - 20
        started_on = self.today - timedelta(days=self.rng.randint(newest, oldest))
        return Course(
            programme=programme, status=Match.Status.ACTIVE, started_on=started_on, consent=consent
        )

    def plan(self):
        """The courses per programme, so that the invitations sent match TABLES."""
        courses = []
        for programme in PROGRAMMES:
            pre = TABLES[(PRE, programme)][0]
            post = TABLES[(POST, programme)][0]
            volunteer = TABLES[(VOL, programme)][0]
            long_ended = [self._ended_course(programme, long=True) for _ in range(post)]
            short_ended = [
                self._ended_course(programme, long=False) for _ in range(max(0, volunteer - post))
            ]
            # More post surveys than volunteer surveys: those volunteers declined.
            for course in long_ended[: max(0, post - volunteer)]:
                course.volunteer_opted_out = True
            running = [
                self._running_course(programme)
                for _ in range(pre - len(long_ended) - len(short_ended))
            ]
            refused = [
                self._running_course(programme, consent=ConsentState.REFUSED)
                for _ in range(round(pre * REFUSED_SHARE))
            ]
            for course in long_ended:
                course.invitations = [PRE, POST] + ([] if course.volunteer_opted_out else [VOL])
            for course in short_ended:
                course.invitations = [PRE, VOL]
            for course in running:
                course.invitations = [PRE]
            courses += long_ended + short_ended + running + refused
        self.rng.shuffle(courses)
        return courses

    # --- people and matches ----------------------------------------------------------

    def branches(self):
        """The existing branches, or two per region when there are none."""
        branches = list(Branch.objects.order_by("pk"))
        if not branches:
            towns = {
                Region.HOVEDSTADEN: [("København", "1550"), ("Hillerød", "3400")],
                Region.SJAELLAND: [("Roskilde", "4000"), ("Næstved", "4700")],
                Region.SYDDANMARK: [("Odense", "5000"), ("Esbjerg", "6700")],
                Region.MIDTJYLLAND: [("Aarhus", "8000"), ("Viborg", "8800")],
                Region.NORDJYLLAND: [("Aalborg", "9000"), ("Hjørring", "9800")],
            }
            branches = Branch.objects.bulk_create(
                Branch(
                    name=f"Røde Kors {town}",
                    municipality=town,
                    region=region,
                    postcode=postcode,
                    programmes=list(PROGRAMMES),
                )
                for region, places in towns.items()
                for town, postcode in places
            )
            self.summary.branches = len(branches)
        return branches

    def people_and_matches(self, courses, branches):
        """A family with one parent, a support request, a volunteer and a match per
        course, all bulk-created; returns the matches in course order."""
        rng, fake = self.rng, self.fake
        families, parents, volunteers = [], [], []
        for number, course in enumerate(courses, start=1):
            branch = rng.choice(branches)
            last_name = fake.last_name()
            family = Family(
                branch=branch,
                name=f"Familien {last_name}",
                city=branch.municipality,
                data_consent=ConsentState.GIVEN,
                evaluation_consent=course.consent,
                registered_centrally=rng.random() < 0.3,
            )
            parent = Parent(
                family=family,
                first_name=fake.first_name_female() if rng.random() < 0.85 else fake.first_name(),
                last_name=last_name,
                # example.org never receives mail (RFC 2606): nothing reaches a person.
                email=f"foraelder{number}@example.org",
                preferred_channel=SurveyChannel.MAIL,
                single_provider=rng.random() < 0.5,
            )
            family.search_text = family_search_text(family, [parent])
            volunteer = Volunteer(
                branch=branch,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                email=f"frivillig{number}@example.org",
                programmes=[course.programme],
                pipeline_step=PipelineStep.ACTIVE
                if course.status == Match.Status.ACTIVE
                else PipelineStep.READY,
                pipeline_step_on=course.ended_on or course.started_on,
            )
            volunteer.search_text = search_text_for(
                volunteer.first_name, volunteer.last_name, volunteer.email
            )
            families.append(family)
            parents.append(parent)
            volunteers.append(volunteer)
        Family.objects.bulk_create(families, batch_size=500)
        for parent in parents:
            parent.family_id = parent.family.pk
        Parent.objects.bulk_create(parents, batch_size=500)
        Volunteer.objects.bulk_create(volunteers, batch_size=500)

        requests, matches, consents = [], [], []
        for course, family, parent, volunteer in zip(
            courses, families, parents, volunteers, strict=True
        ):
            waited = rng.randint(7, 120)
            meeting_on = course.started_on - timedelta(days=rng.randint(3, 14))
            registered = course.started_on - timedelta(days=waited + rng.randint(5, 30))
            family.created_at = _moment(registered, 10)
            volunteer.created_at = _moment(registered - timedelta(days=rng.randint(30, 400)), 10)
            request = SupportRequest(
                family=family,
                programme=course.programme,
                for_parent=parent,
                status=SupportRequest.Status.MATCHED,
                waiting_since=course.started_on - timedelta(days=waited),
                handled_centrally=family.registered_centrally,
            )
            requests.append(request)
            central = family.registered_centrally or rng.random() < 0.15
            months = 12 if course.programme == FF else 3 if course.programme == JM else 6
            matches.append(
                Match(
                    request=request,
                    family=family,
                    volunteer=volunteer,
                    programme=course.programme,
                    status=course.status,
                    started_by=Match.StartedBy.CENTRAL if central else Match.StartedBy.LOCAL,
                    meeting_on=meeting_on,
                    family_decision=Decision.YES,
                    volunteer_decision=Decision.YES,
                    started_on=course.started_on,
                    planned_end=course.started_on + timedelta(days=months * 30),
                    ended_on=course.ended_on,
                    end_reason="Forløbet er afsluttet." if course.ended_on else "",
                    created_at=_moment(meeting_on - timedelta(days=7), 11),
                )
            )
            for kind, state in (
                (Consent.Kind.DATA, ConsentState.GIVEN),
                (Consent.Kind.EVALUATION, course.consent),
            ):
                consents.append(
                    Consent(
                        family=family,
                        kind=kind,
                        state=state,
                        recorded_at=_moment(registered, 10),
                    )
                )
        SupportRequest.objects.bulk_create(requests, batch_size=500)
        for match, request in zip(matches, requests, strict=True):
            match.request_id = request.pk
        for request in requests:
            request.created_at = _moment(request.waiting_since, 10)
        Match.objects.bulk_create(matches, batch_size=500)
        Consent.objects.bulk_create(consents, batch_size=1000)
        # auto_now_add overrides given values on insert: the real dates afterwards.
        Family.objects.bulk_update(families, ["created_at"], batch_size=500)
        Volunteer.objects.bulk_update(volunteers, ["created_at"], batch_size=500)
        SupportRequest.objects.bulk_update(requests, ["created_at"], batch_size=500)
        SurveyOptOut.objects.bulk_create(
            SurveyOptOut(volunteer=volunteer)
            for course, volunteer in zip(courses, volunteers, strict=True)
            if course.volunteer_opted_out
        )
        self.summary.families = len(families)
        self.summary.volunteers = len(volunteers)
        self.summary.matches = len(matches)
        return matches

    # --- invitations and attempts -----------------------------------------------------

    def invitations(self, courses, matches):
        """Every invitation of every course, with whether it is answered, when, and
        whether partly; returns {(kind, programme): [Invitation]}."""
        rng = self.rng
        questionnaires = {
            (respondent, programme): current_questionnaire(respondent, programme)
            for respondent in Respondent.values
            for programme in PROGRAMMES
        }
        missing = [key for key, q in questionnaires.items() if q is None]
        if missing:
            raise RuntimeError(f"No published questionnaire for {missing}")
        by_form = {key: [] for key in TABLES}
        for course, match in zip(courses, matches, strict=True):
            for kind in course.invitations:
                if kind == PRE:
                    invited_on = course.started_on + timedelta(days=rng.randint(0, 3))
                elif kind == POST:
                    invited_on = course.ended_on
                else:
                    invited_on = course.ended_on + timedelta(days=rng.randint(0, 2))
                respondent = Respondent.VOLUNTEER if kind == VOL else Respondent.PARENT
                invitation = Invitation(
                    questionnaire=questionnaires[(respondent, course.programme)],
                    kind=kind,
                    match=match,
                    parent_id=match.request.for_parent_id if kind != VOL else None,
                    volunteer_id=match.volunteer_id if kind == VOL else None,
                    **token_fields(),
                    next_step=Step.DONE,
                    next_step_at=None,
                    invited_on=invited_on,
                )
                by_form[(kind, course.programme)].append(invitation)
        # Exactly the table's number answered, chosen at random; some of them partly.
        plan = {}
        for key, invitations in by_form.items():
            sent, answered = TABLES[key]
            assert len(invitations) == sent, (key, len(invitations), sent)
            chosen = rng.sample(range(sent), answered)
            partial = set(rng.sample(chosen, max(1, round(answered * PARTIAL_SHARE))))
            for index, invitation in enumerate(invitations):
                if index in partial:
                    plan[id(invitation)] = ("partial", rng.choice(ANSWER_DAYS))
                elif index in chosen:
                    plan[id(invitation)] = ("full", rng.choice(ANSWER_DAYS))
                else:
                    plan[id(invitation)] = (None, None)
        everything = [invitation for invitations in by_form.values() for invitation in invitations]
        for invitation in everything:
            answered, day = plan[id(invitation)]
            if answered:
                invitation.status = Invitation.Status.ANSWERED
                invitation.closed_at = at_send_hour(
                    invitation.invited_on + timedelta(days=day), hour=19
                )
            else:
                invitation.status = Invitation.Status.NON_RESPONSE
        Invitation.objects.bulk_create(everything, batch_size=500)
        attempts = []
        for invitation in everything:
            answered, day = plan[id(invitation)]
            made = self._attempts(invitation, answered_day=day)
            invitation.attempts = len(made)
            if not answered:
                invitation.closed_at = made[-1].created_at
            invitation.created_at = at_send_hour(invitation.invited_on) - timedelta(minutes=5)
            attempts += made
        ContactAttempt.objects.bulk_create(attempts, batch_size=1000)
        Invitation.objects.bulk_update(
            everything, ["attempts", "closed_at", "created_at"], batch_size=500
        )
        self.summary.attempts = len(attempts)
        for key, invitations in by_form.items():
            self.summary.invitations[key] = len(invitations)
        return by_form, plan

    def _attempts(self, invitation, *, answered_day):
        """The contact attempts up to the answer, or the whole chain (DOMAIN.md §14): the
        e-mail invitation and reminders (sent), then a person's messages (done) every
        other day from day 21 until SURVEY_MAX_ATTEMPTS."""
        steps = list(AUTOMATIC)
        day = settings.SURVEY_CALL_AFTER_DAYS
        while len(steps) < settings.SURVEY_MAX_ATTEMPTS:
            steps.append((Step.CALL, day))
            day += settings.SURVEY_CALL_INTERVAL_DAYS
        made = []
        for number, (step, day) in enumerate(steps, start=1):
            if answered_day is not None and day > answered_day:
                break
            moment = at_send_hour(invitation.invited_on + timedelta(days=day))
            call = step == Step.CALL
            made.append(
                ContactAttempt(
                    invitation=invitation,
                    key=f"{invitation.pk}:call:{number}"
                    if call
                    else f"{invitation.pk}:{step}:{Channel.MAIL}",
                    step=step,
                    channel=Channel.MAIL,
                    status=ContactAttempt.Status.DONE if call else ContactAttempt.Status.SENT,
                    outcome=ContactAttempt.Outcome.MESSAGE_SENT if call else "",
                    created_at=moment,
                    sent_at=moment,
                )
            )
        return made

    # --- responses and answers ---------------------------------------------------------

    def responses(self, by_form, plan):
        responses, answers = [], []
        for (kind, programme), invitations in by_form.items():
            answered = [inv for inv in invitations if plan[id(inv)][0]]
            if not answered:
                continue
            questionnaire = answered[0].questionnaire
            questions = [q for q in questionnaire.questions.order_by("position") if kind in q.kinds]
            partial = [plan[id(inv)][0] == "partial" for inv in answered]
            values = self._values(questionnaire.code, kind, questions, partial)
            for invitation, given in zip(answered, values, strict=True):
                response = Response(
                    invitation=invitation,
                    submitted_at=invitation.closed_at,
                    complete=len(given) == len(questions),
                )
                by_item = {
                    (q.instrument, q.instrument_item): value
                    for q, value in given.items()
                    if q.instrument
                }
                _score(response, by_item)
                response.started_at = invitation.closed_at - timedelta(minutes=12)
                responses.append(response)
                answers.append((response, given))
                self.summary.answered[(kind, programme)] += 1
                self.summary.partial[(kind, programme)] += not response.complete
        Response.objects.bulk_create(responses, batch_size=500)
        Response.objects.bulk_update(responses, ["started_at"], batch_size=500)
        rows = [
            Answer(response=response, question=question, value=value)
            for response, given in answers
            for question, value in given.items()
        ]
        Answer.objects.bulk_create(rows, batch_size=2000)
        self.summary.answers = len(rows)

    def _values(self, code, kind, questions, partial):
        """{question: value} per answered response (in order). ``partial`` marks those
        who answered only part: they skip about a third of the items without a headline
        result, and are the ones who skip an item whose N is fixed (EXACT)."""
        rng = self.rng
        count = len(partial)
        given = [{} for _ in range(count)]
        partial_indexes = [i for i, p in enumerate(partial) if p]
        by_code = {q.code: q for q in questions}
        # Which responses skip which item: partial ones skip free items at random, and
        # whole instruments together (a scale left half done scores nothing anyway).
        skips = {q.code: set() for q in questions}
        for index in partial_indexes:
            # SWEMWBS on its own; PSS's two subscales as one block of items.
            skipped = {block for block in ("swemwbs", "pss") if rng.random() < 0.3}
            for question in questions:
                if (code, kind, question.code) in SHAPED:
                    continue
                if question.instrument:
                    block = "swemwbs" if question.instrument == Instrument.SWEMWBS else "pss"
                    if block in skipped:
                        skips[question.code].add(index)
                elif rng.random() < 0.35:
                    skips[question.code].add(index)
        # Items that decide whether another is asked come first.
        order = sorted(questions, key=lambda q: (code, q.code) in CONDITIONS)
        instruments = [q for q in questions if q.instrument]
        for question in order:
            if question.instrument:
                continue
            answering = [i for i in range(count) if i not in skips[question.code]]
            condition = CONDITIONS.get((code, question.code))
            # Only where the deciding item is asked in this form (E14 is not in the pre).
            if condition and condition[0] in by_code:
                decider, values = condition
                answering = [i for i in answering if given[i].get(by_code.get(decider)) in values]
            rng.shuffle(answering)
            wanted = ITEM_N.get((code, kind, question.code))
            if wanted is not None:
                # The partial responses skip first; anyone else who must skip becomes
                # partial by skipping (submit's rule).
                answering.sort(key=lambda i: not partial[i])
                answering = answering[max(0, len(answering) - wanted) :]
                rng.shuffle(answering)
            exact = EXACT.get((code, kind, question.code))
            groups = QUOTAS.get((code, kind, question.code))
            if exact:
                pool = [value for value, n in exact.items() for _ in range(n)]
            elif groups:
                pool = quota_values(groups, len(answering))
            else:
                pool = [self._free_value(question) for _ in answering]
            for index, value in zip(answering, pool, strict=True):
                given[index][question] = value
        if instruments:
            self._instruments(kind, instruments, given, skips)
        # Someone who answered everything asked of them is complete; a partial one must
        # have skipped something, however the dice fell: their last free item goes.
        deciders = {decider for decider, _values in CONDITIONS.values()}
        free = [
            q
            for q in questions
            if not q.instrument and (code, kind, q.code) not in SHAPED and q.code not in deciders
        ]
        for index in partial_indexes:
            if len(given[index]) == len(questions) and free:
                del given[index][free[-1]]
        return given

    def _free_value(self, question):
        rng = self.rng
        if question.answer_type == AnswerType.CHOICE:
            return rng.choice(question.choices)["value"]
        if question.answer_type == AnswerType.MULTI:
            choices = [c["value"] for c in question.choices if c["value"] not in ("none",)]
            picked = set(rng.sample(choices, rng.choice([1, 1, 2, 3])))
            return [value for value in choices if value in picked]
        if question.answer_type == AnswerType.SCALE:
            middle = (question.scale_min + question.scale_max) / 2
            spread = (question.scale_max - question.scale_min) / 4
            value = round(rng.gauss(middle + spread / 2, spread))
            return max(question.scale_min, min(question.scale_max, value))
        return rng.choice(TEXTS)

    def _instruments(self, kind, questions, given, skips):
        """SWEMWBS and PSS answers (family friend) with the report's means."""
        swemwbs = sorted(
            (q for q in questions if q.instrument == Instrument.SWEMWBS),
            key=lambda q: q.instrument_item,
        )
        ps = [q for q in questions if q.instrument == Instrument.PSS_PS]
        lps = [q for q in questions if q.instrument == Instrument.PSS_LPS]
        dropped = [q for q in ps + lps if q.instrument_item in (2, 11)]
        ps = [q for q in ps if q not in dropped]
        lps = [q for q in lps if q not in dropped]
        if swemwbs:
            scored = [i for i in range(len(given)) if i not in skips[swemwbs[0].code]]
            for index, raw in zip(scored, self._swemwbs_raws(kind, len(scored)), strict=True):
                for question, value in zip(swemwbs, self._split(raw, 7), strict=True):
                    given[index][question] = str(value)
        if ps or lps:
            scored = [i for i in range(len(given)) if i not in skips[(ps or lps)[0].code]]
            ps_mean, lps_mean = PSS_MEAN.get(kind, (5.0, 1.0))
            ps_points = self._points(len(scored), ps_mean, len(ps))
            lps_points = self._points(len(scored), lps_mean, len(lps))
            for index, p, lp in zip(scored, ps_points, lps_points, strict=True):
                stressed = set(self.rng.sample(range(len(ps)), p))
                for n, question in enumerate(ps):
                    value = self.rng.choice([3, 4, 5] if n in stressed else [1, 2])
                    given[index][question] = str(value)
                # LPS items are positive statements: a point for not agreeing (1–3).
                unhappy = set(self.rng.sample(range(len(lps)), lp))
                for n, question in enumerate(lps):
                    value = self.rng.choice([2, 3] if n in unhappy else [4, 5, 5])
                    given[index][question] = str(value)
                for question in dropped:
                    given[index][question] = str(self.rng.randint(1, 5))

    def _swemwbs_raws(self, kind, count):
        """``count`` raw sums (7–35) whose mean metric score is SWEMWBS_MEAN[kind]."""
        from surveys.scoring import SWEMWBS_METRIC

        target = SWEMWBS_MEAN.get(kind, Decimal("21"))
        raws = [max(7, min(35, round(self.rng.gauss(23.5, 4)))) for _ in range(count)]
        if not count:
            return raws

        def mean():
            return sum(SWEMWBS_METRIC[raw] for raw in raws) / count

        # Step single answers up or down until the mean rounds to the target.
        for _ in range(20 * count):
            current = mean()
            if abs(current - target) < Decimal("0.02"):
                break
            up = current < target
            index = self.rng.randrange(count)
            if up and raws[index] < 35:
                raws[index] += 1
            elif not up and raws[index] > 7:
                raws[index] -= 1
        return raws

    def _split(self, total, items):
        """``total`` as ``items`` answers of 1–5 that add up to it."""
        values = [total // items] * items
        for index in self.rng.sample(range(items), total % items):
            values[index] += 1
        for _ in range(items):
            a, b = self.rng.sample(range(items), 2)
            if values[a] < 5 and values[b] > 1:
                values[a] += 1
                values[b] -= 1
        return values

    def _points(self, count, mean, items):
        """``count`` whole numbers 0..``items`` whose mean is ``mean``."""
        total = round(mean * count)
        points = [max(0, min(items, round(self.rng.gauss(mean, 1.5)))) for _ in range(count)]
        while sum(points) != total and count:
            index = self.rng.randrange(count)
            if sum(points) < total and points[index] < items:
                points[index] += 1
            elif sum(points) > total and points[index] > 0:
                points[index] -= 1
        return points

    # --- all ---------------------------------------------------------------------------

    def build(self):
        with transaction.atomic():
            courses = self.plan()
            branches = self.branches()
            matches = self.people_and_matches(courses, branches)
            by_form, plan = self.invitations(courses, matches)
            self.responses(by_form, plan)
        return self.summary


def _moment(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _score(response, by_item):
    """The scores as surveys.scoring.apply_scores would store them, from the answers
    given (computed here rather than with one query per response)."""
    swemwbs = {
        item: v for (instrument, item), v in by_item.items() if instrument == Instrument.SWEMWBS
    }
    pss = {
        item: v
        for (instrument, item), v in by_item.items()
        if instrument in (Instrument.PSS_PS, Instrument.PSS_LPS)
    }
    response.swemwbs_raw, response.swemwbs_metric = swemwbs_score(swemwbs)
    response.pss_ps, response.pss_lps = pss_scores(pss)


def build_seed_dataset(*, seed, today):
    """Build the seed-calibrated data set (module docstring); returns its Summary."""
    return SeedDataset(seed=seed, today=today).build()
