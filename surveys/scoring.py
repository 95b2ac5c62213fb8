"""Scores of the validated scales (issue 6 item 2; DOMAIN.md §26; report Bilag 2).

Pure functions of item number → answer (1–5), and ``apply_scores`` which reads a
response's answers and stores the four scores on it. Questionnaire items carry their
instrument and item number (Question.instrument, Question.instrument_item), so scoring
never depends on question codes or positions, and a new questionnaire version scores the
same way.
"""

from decimal import Decimal

from surveys.models import Answer, Instrument, Response

SWEMWBS_ITEMS = frozenset(range(1, 8))

# Raw sum (7–35) → metric score, the published conversion of Stewart-Brown et al. (2009:
# p. 7) that the report applies (Bilag 2). DOMAIN.md §26.1 prints it (marked "not in seed":
# it matches the SWEMWBS user guide and independent public implementations).
SWEMWBS_METRIC = {
    raw: Decimal(metric)
    for raw, metric in {
        7: "7.00",
        8: "9.51",
        9: "11.25",
        10: "12.40",
        11: "13.33",
        12: "14.08",
        13: "14.75",
        14: "15.32",
        15: "15.84",
        16: "16.36",
        17: "16.88",
        18: "17.43",
        19: "17.98",
        20: "18.59",
        21: "19.25",
        22: "19.98",
        23: "20.73",
        24: "21.54",
        25: "22.35",
        26: "23.21",
        27: "24.11",
        28: "25.03",
        29: "26.02",
        30: "27.03",
        31: "28.13",
        32: "29.31",
        33: "30.70",
        34: "32.55",
        35: "35.00",
    }.items()
}

# Parental Stress Scale items as the report scores them (DOMAIN.md §26.2; Bilagstabel 2.4).
# Items 2 and 11 are asked but dropped, following Rayce, Pontoppidan & Nielsen (2020).
PSS_DROPPED = frozenset({2, 11})
PSS_PS_ITEMS = frozenset({3, 4, 9, 10, 12, 13, 14, 15, 16})
PSS_LPS_ITEMS = frozenset({1, 5, 6, 7, 8, 17, 18})


def _value(raw):
    """An answer as an int 1–5, or None. Answers arrive as the choice's value ("1".."5")
    or as a number; anything else (text, booleans, out of range) counts as unanswered."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, int) and 1 <= raw <= 5:
        return raw
    return None


def swemwbs_score(values):
    """SWEMWBS raw sum and metric score from {item 1–7: answer 1–5} (DOMAIN.md §26.1; report
    Bilag 2, Bilagstabel 2.3). The score is defined only when all seven items are answered
    within 1–5: otherwise (None, None). The report does not say how it handled missing
    items; the SWEMWBS user guide does not prorate, and neither do we."""
    answers = {item: _value(values.get(item)) for item in SWEMWBS_ITEMS}
    if any(answer is None for answer in answers.values()):
        return None, None
    raw = sum(answers.values())
    return raw, SWEMWBS_METRIC[raw]


def _stress_point(answer):
    """Dichotomised in the stress direction: 'meget uenig'/'uenig' (1–2) → 0, 'hverken
    uenig eller enig'/'enig'/'meget enig' (3–5) → 1 (report Bilag 2)."""
    return 0 if answer <= 2 else 1


def _subscale(values, items, *, reverse):
    points = 0
    for item in items:
        answer = _value(values.get(item))
        if answer is None:
            return None
        points += _stress_point(6 - answer if reverse else answer)
    return points


def pss_scores(values):
    """Parental Stress Scale subscales (PS 0–9, LPS 0–7; high = more stress) from
    {item 1–18: answer 1–5} (DOMAIN.md §26.2; report section 3.2.4, Bilag 2).

    Items 2 and 11 are ignored. PS items are dichotomised as answered. LPS items are the
    positive statements ("I enjoy my role as a parent"): reversed first (6 − answer), then
    dichotomised, so agreeing (4–5) scores 0 and answers 1–3 score 1 — DOMAIN.md's
    "implementation reading", the only one consistent with the reported LPS mean of about 1.
    A subscale with any of its items unanswered is None: the report does not say how it
    handled missing items, and we do not prorate. Each subscale stands alone, so a parent
    who answered every PS item gets a PS score even if an LPS item is missing."""
    return (
        _subscale(values, PSS_PS_ITEMS, reverse=False),
        _subscale(values, PSS_LPS_ITEMS, reverse=True),
    )


def apply_scores(response):
    """Compute the response's SWEMWBS and PSS scores from its answers and save them on the
    Response (called when a response is submitted or keyed in). One query for the answers;
    a questionnaire without the instruments leaves the scores empty."""
    swemwbs, pss = {}, {}
    answers = Answer.objects.filter(
        response=response, question__instrument__in=Instrument.values
    ).select_related("question")
    for answer in answers:
        question = answer.question
        if question.instrument_item is None:
            continue
        if question.instrument == Instrument.SWEMWBS:
            swemwbs[question.instrument_item] = answer.value
        else:
            pss[question.instrument_item] = answer.value
    response.swemwbs_raw, response.swemwbs_metric = swemwbs_score(swemwbs)
    response.pss_ps, response.pss_lps = pss_scores(pss)
    # A queryset update: the scores are derived from the answers, so the audit trail
    # (which records who changed a response) has nothing to add, and no read of the row.
    Response.objects.filter(pk=response.pk).update(
        swemwbs_raw=response.swemwbs_raw,
        swemwbs_metric=response.swemwbs_metric,
        pss_ps=response.pss_ps,
        pss_lps=response.pss_lps,
    )
    return response
