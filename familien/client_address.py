"""The client's address, for login throttling (django-axes) and the guessing limits.

Behind the proxy (BEHIND_PROXY) the address is the last X-Forwarded-For entry, the one the
proxy itself saw; earlier entries are whatever the client wrote. Without this, axes (which
would need django-ipware) sees only REMOTE_ADDR: every client would share the proxy's one
address, and one guesser could lock an e-mail or the survey links for everyone.
"""

from django.conf import settings


def client_address(request):
    """The address, or None when the request carries none (``Client.login()`` builds such a
    request; axes stores None, never a made-up string, in its address column)."""
    for header in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
        address = request.META.get(header, "").rsplit(",", 1)[-1].strip()
        if address:
            return address
    return None
