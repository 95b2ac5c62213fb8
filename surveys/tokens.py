"""The respondent's link: an unguessable token that is never stored.

Each invitation keeps a random salt; the token is an HMAC of that salt under
SURVEY_TOKEN_SECRET, so every reminder can carry the same link without the token sitting
in the database. Only its SHA-256 hash is stored, to find the invitation when the link is
opened. Changing SURVEY_TOKEN_SECRET makes every link sent so far unknown.
"""

import base64
import hashlib
import hmac
import re
import secrets

from django.conf import settings

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_salt() -> str:
    return secrets.token_hex(16)


def token_for(salt: str) -> str:
    digest = hmac.new(settings.SURVEY_TOKEN_SECRET.encode(), salt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_fields(salt: str | None = None) -> dict:
    """An invitation's ``token_salt`` and ``token_hash`` for a new (or the given) salt."""
    salt = salt or new_salt()
    return {"token_salt": salt, "token_hash": hash_token(token_for(salt))}


def looks_like_token(value: str) -> bool:
    """A token is 43 url-safe characters; anything else is refused before any lookup."""
    return bool(TOKEN_PATTERN.match(value or ""))
