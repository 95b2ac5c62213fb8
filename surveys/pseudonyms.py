"""Stable pseudonyms for the evaluators' exports (issue 7 item 5).

Evaluators get no names and no contact data; a person is a pseudonym such as
``P-K3J5Q2M7XA``. The pseudonym is an HMAC-SHA256 of ``"<kind>:<primary key>"`` under
SURVEY_PSEUDONYM_SECRET (empty: SECRET_KEY), written as its first 10 base32 characters
(50 bits: for the tens of thousands of people a programme meets, two sharing a pseudonym
is about as likely as one in a billion).

* Stable: the same person gets the same pseudonym in every export, so an evaluator can
  link a parent's pre and post answers across files delivered months apart.
* Not reversible without the secret: the primary keys are small counters, so a plain hash
  could be undone by hashing every number; the keyed HMAC cannot be, as long as the
  secret stays inside Familien.
* Rotating the secret gives every person a new pseudonym: exports made before and after
  the change can no longer be linked to each other. Change it only when the old exports
  must become unlinkable (a leaked secret), and tell the evaluators.

Each kind has its own prefix and enters the HMAC, so a parent and a volunteer with the
same primary key never share a pseudonym.
"""

import base64
import hashlib
import hmac

from django.conf import settings

PARENT, VOLUNTEER, FAMILY, MATCH = "parent", "volunteer", "family", "match"
PREFIXES = {PARENT: "P", VOLUNTEER: "V", FAMILY: "F", MATCH: "M"}
LENGTH = 10


def pseudonym_secret() -> bytes:
    """SURVEY_PSEUDONYM_SECRET, or SECRET_KEY when it is not set."""
    return (getattr(settings, "SURVEY_PSEUDONYM_SECRET", "") or settings.SECRET_KEY).encode()


def pseudonym(kind: str, pk, *, secret: bytes | None = None) -> str:
    """The pseudonym of record ``pk`` of ``kind`` (parent, volunteer, family, match), or
    "" when there is no record (a parent deleted since). ``secret`` lets an export read
    the setting once for all its rows."""
    if pk is None:
        return ""
    prefix = PREFIXES[kind]
    key = pseudonym_secret() if secret is None else secret
    digest = hmac.new(key, f"{kind}:{pk}".encode(), hashlib.sha256).digest()
    return f"{prefix}-{base64.b32encode(digest).decode()[:LENGTH]}"
