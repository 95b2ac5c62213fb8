"""Danish phone numbers in any common writing, stored one way: +45 followed by 8 digits.

"12 34 56 78", "12345678", "+45 12 34 56 78", "0045-12345678" and "(+45) 1234 5678" are all
"+4512345678". A number with another country code is kept as + and its digits.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-./()]")


def normalise_phone(raw):
    """The stored form of ``raw``, or ValidationError with a Danish message."""
    text = _SEPARATORS.sub("", (raw or "").strip())
    if not text:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        digits = text[1:]
        if not (digits.isascii() and digits.isdigit()):
            raise ValidationError(_("A phone number may hold only digits, spaces and +."))
        if digits.startswith("45"):
            if len(digits) != 10:
                raise ValidationError(_("A Danish phone number has 8 digits after +45."))
            return "+" + digits
        if not 8 <= len(digits) <= 15:
            raise ValidationError(_("A foreign phone number has 8 to 15 digits after the +."))
        return "+" + digits
    if not (text.isascii() and text.isdigit()):
        raise ValidationError(_("A phone number may hold only digits, spaces and +."))
    if len(text) != 8:
        raise ValidationError(_("A Danish phone number has 8 digits, e.g. 12 34 56 78."))
    return "+45" + text


def display_phone(stored):
    """+4512345678 as "+45 12 34 56 78", for reading aloud and dialling by hand."""
    if stored.startswith("+45") and len(stored) == 11:
        digits = stored[3:]
        return "+45 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return stored
