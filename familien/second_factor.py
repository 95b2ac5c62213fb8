"""The second factor: pairing an authenticator app (TOTP) and codes by e-mail (django-otp)."""

import logging
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django_otp import devices_for_user
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)


def qr_code_svg(url):
    """The otpauth:// URL as an inline SVG: no image request, nothing sent elsewhere."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def manual_key(device):
    """The secret grouped in fours, for typing into an app that cannot scan."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def may_use_email_codes(user):
    """Codes by e-mail only for the roles in FAMILIEN_EMAIL_CODE_ROLES (volunteers and
    follow-up volunteers, whose reach is their own matches). The roles that see a branch
    or the country keep the app: an e-mailed code and an e-mailed password reset fall to
    the same stolen mailbox, and ASVS 5.0 6.6.1 prefers the stronger factor."""
    return user.role in settings.FAMILIEN_EMAIL_CODE_ROLES


def usable_devices(user):
    """The user's confirmed devices their role may log in with: an e-mail device of
    someone whose role has since changed to one that keeps the app does not count."""
    return [
        device
        for device in devices_for_user(user, confirmed=True)
        if not isinstance(device, EmailDevice) or may_use_email_codes(user)
    ]


SENT, WAIT, FAILED = "sent", "wait", "failed"


def send_email_code(device):
    """Mail a fresh single-use code for ``device``: SENT; WAIT while the cooldown after
    the last code runs (OTP_EMAIL_COOLDOWN_DURATION), so nobody can flood a mailbox;
    FAILED when the mail server refused (logged by device id, never address or code).

    The mail holds the code and nothing else (registration/two_factor_email.txt); the
    code lives OTP_EMAIL_TOKEN_VALIDITY seconds (ASVS 5.0 6.5.5: at most 10 minutes)."""
    allowed, _reason = device.generate_is_allowed()
    if not allowed:
        return WAIT
    try:
        device.generate_challenge()
    except Exception:  # noqa: BLE001 - any mail failure: say so, never a 500
        logger.warning("Could not mail a login code for e-mail device %s.", device.pk)
        return FAILED
    return SENT


def pending_email_device(user):
    """The user's e-mail device waiting for its first code to be typed back."""
    device, _created = EmailDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "e-mail"}
    )
    return device


def confirm_device(device):
    """Make ``device`` the user's second factor and drop half-finished pairings of the
    other kind, so no unconfirmed secret lingers."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    for model in (TOTPDevice, EmailDevice):
        model.objects.filter(user=device.user, confirmed=False).exclude(
            pk=device.pk if isinstance(device, model) else None
        ).delete()


def forget_devices(user):
    """Remove every second-factor device of ``user``, so the next request sets up a new
    one. Sessions verified with a removed device count as unverified from then on
    (django-otp finds no device behind them)."""
    for model in (TOTPDevice, EmailDevice):
        model.objects.filter(user=user).delete()
