"""Hostile input for the fuzz tests: what a careless paste, a broken client or an attacker
sends to a form. Values are strings (a browser sends nothing else) or lists of strings
(a field repeated), and a field may be left out altogether.

Two settings profiles: "ci" (the default, for ``make test``) and "thorough" (ten times
the examples; ``HYPOTHESIS_PROFILE=thorough``). No example database is written: a
failure prints the example to reproduce it, and the caches live under data/.
"""

import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps caches beside the tests by default; under data/ they stay out of git.
set_hypothesis_home_dir(Path(__file__).resolve().parent.parent / "data" / "hypothesis")

# Examples per form at form level, and per view at HTTP level, in the "ci" profile.
FORM_EXAMPLES = 200
HTTP_EXAMPLES = 25
SURVEY_EXAMPLES = 120
THOROUGH = 10

_common = {
    "deadline": None,  # CI machines are slow and shared
    "database": None,  # no example database: a failure prints its example
    "derandomize": False,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,  # the world is read, never changed, per example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile("ci", max_examples=FORM_EXAMPLES, **_common)
settings.register_profile("thorough", max_examples=FORM_EXAMPLES * THOROUGH, **_common)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(count):
    """``count`` examples in the ci profile, ten times as many in the thorough one."""
    return count * THOROUGH if PROFILE == "thorough" else count


# Markers the tests look for in the pages: a tag that reaches the page unescaped would
# run. Each is unique, so the page's own scripts never match.
SCRIPT = "<script>fuzzAlert(1)</script>"
IMG = '"><img src=x onerror=fuzzAlert(2)>'
UNESCAPED = ("<script>fuzzAlert", "<img src=x onerror=fuzzAlert")

CONTROL = ["\x00", "\r", "\n", "\r\n", "\t", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\ufeff"]
RTL = ["\u202e", "\u200f", "\u202b", "\u2066", "\u061c"]
EMOJI = ["😀", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇩🇰", "\U0001f9d1\U0001f3fd"]
DANISH = ["æøå", "ÆØÅ", "Søren Ærø", "Åse Østergård", "ü", "é"]
MARKUP = [
    SCRIPT,
    IMG,
    "<b>fed</b>",
    "{{ 7*7 }}",
    "{% debug %}",
    "${7*7}",
    "&amp;&lt;",
    "<!--",
    "]]>",
    "javascript:alert(1)",
]
SQLISH = ["' OR '1'='1", "'; DROP TABLE familien_family; --", '" OR 1=1 --', "%", "_", "\\"]
FORMULAS = [
    '=HYPERLINK("http://example.invalid","klik")',
    "=cmd|' /C calc'!A0",
    "+cmd",
    "-1+2",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
]
NUMBERS = [
    "0",
    "-1",
    "1",
    "5",
    "2015",
    "1930",
    "99999999999999999999999",
    "-99999999999999999999",
    "1e308",
    "NaN",
    "inf",
    "0x10",
    "1,5",
    "3.14",
    "٣",  # an Arabic-Indic digit: isdigit() says yes, int() says yes too
    "²",  # a superscript: isdigit() says yes, int() says no
]
DATES = [
    "2026-01-01",
    "01.02.2024",
    "31.02.2024",
    "0000-00-00",
    "9999-12-31",
    "1-1-1",
    "2024-13-45",
    "i går",
    "10000-01-01",
]
IDS = ["1", "2", "999999999", "-1", "0", "1.0", "abc", "9223372036854775808", "None", "null"]
WORDS = ["ja", "nej", "on", "off", "true", "false", "True", "parent:1", "child:1", "submit", ""]
SHORT = CONTROL + RTL + EMOJI + DANISH + MARKUP + SQLISH + FORMULAS + NUMBERS + DATES + IDS + WORDS

short_text = st.one_of(
    st.sampled_from(SHORT),
    st.text(max_size=40),
    st.lists(st.sampled_from(SHORT), min_size=2, max_size=5).map("".join),
)


def _long(pair):
    piece, length = pair
    piece = piece or "x"
    return (piece * (length // len(piece) + 1))[:length]


# Very long strings (10k–100k characters) built by repetition: drawing 100k characters
# one by one would spend the CI budget on generating, not testing.
long_text = st.tuples(short_text, st.integers(min_value=10_000, max_value=100_000)).map(_long)

hostile_text = st.one_of(short_text, short_text, short_text, long_text)
# A field repeated in the post: a list where a scalar is expected (and the reverse).
hostile_value = st.one_of(hostile_text, st.lists(hostile_text, min_size=0, max_size=3))


def hostile_data(fields, *, extra=True):
    """A post for ``fields``: each may be missing, a hostile string or a list; plus, now
    and then, fields the form does not know."""
    optional = {name: hostile_value for name in fields}
    base = st.fixed_dictionaries({}, optional=optional)
    if not extra:
        return base
    extras = st.dictionaries(
        st.sampled_from(["id", "pk", "branch_id", "is_staff", "role", "csrfmiddlewaretoken"])
        | st.text(min_size=1, max_size=20),
        hostile_value,
        max_size=3,
    )
    return st.tuples(base, extras).map(lambda pair: {**pair[1], **pair[0]})


def plausible_data(valid, fields):
    """A valid post with some of its fields replaced by hostile values: reaches the
    checks behind the first invalid field, and the save."""
    return st.fixed_dictionaries({}, optional={name: hostile_value for name in fields}).map(
        lambda changes: {**valid, **changes}
    )


def has_markup(data):
    values = []
    for value in data.values():
        values.extend(value if isinstance(value, list) else [value])
    return any(marker[:12] in v for v in values for marker in (SCRIPT, IMG))
