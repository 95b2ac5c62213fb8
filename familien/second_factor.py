"""Helpers for pairing an authenticator app (TOTP, django-otp)."""

from base64 import b32encode

import qrcode
import qrcode.image.svg


def qr_code_svg(url):
    """The otpauth:// URL as an inline SVG: no image request, nothing sent elsewhere."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def manual_key(device):
    """The secret grouped in fours, for typing into an app that cannot scan."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
