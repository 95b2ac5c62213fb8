"""The account pages: the second factor (setup and verification) and the password reset.

Thin views: familien.second_factor pairs and sends; django-otp checks codes and slows
guessing down; Django's own password-reset views make and check the links.
"""

import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import get_usage

from familien import second_factor
from familien.forms import ReauthenticateForm, TokenForm

logger = logging.getLogger(__name__)


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def _check_token(form, devices):
    """The device that accepts the form's token, or None with the reason on the form.

    django-otp slows guessing down: after a wrong code the device refuses every code
    for a doubling delay, so the user is told to wait rather than that the code is wrong.
    """
    throttled = False
    for device in devices:
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            throttled = True
        elif device.verify_token(form.cleaned_data["token"]):
            return device
    if throttled:
        form.add_error("token", _("Too many wrong codes. Wait a few seconds and try again."))
    else:
        form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    return None


def _has_confirmed_device(user):
    return bool(second_factor.usable_devices(user))


def _send_code(request, device):
    outcome = second_factor.send_email_code(device)
    if outcome == second_factor.SENT:
        messages.info(
            request, _("We have sent a code to your e-mail address. It works for 10 minutes.")
        )
    elif outcome == second_factor.WAIT:
        messages.warning(
            request, _("A code was sent less than a minute ago. Wait a moment and try again.")
        )
    else:
        messages.error(
            request, _("The code could not be sent just now. Try again in a minute or two.")
        )


def _paired(request, form, device):
    """The posted code confirms the new ``device``: it becomes the account's second factor
    and this session counts as verified with it."""
    if request.method == "POST" and form.is_valid() and _check_token(form, [device]):
        second_factor.confirm_device(device)
        otp_login(request, device)
        messages.success(request, _("Two-factor authentication is now on for your account."))
        return True
    return False


@login_required
@never_cache
def two_factor_setup(request):
    """Pair an authenticator app with the account: scan the code, confirm one token.
    Roles that may use codes by e-mail are offered that too."""
    if _has_confirmed_device(request.user):
        return redirect("two_factor_verify")
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    form = TokenForm(request.POST or None)
    if _paired(request, form, device):
        return redirect(_safe_next(request))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": second_factor.qr_code_svg(device.config_url),
            "secret": second_factor.manual_key(device),
            "email_allowed": second_factor.may_use_email_codes(request.user),
        },
    )


@login_required
@never_cache
def two_factor_setup_email(request):
    """Codes by e-mail as the second factor: send a code, type it back to confirm."""
    if _has_confirmed_device(request.user):
        return redirect("two_factor_verify")
    if not second_factor.may_use_email_codes(request.user):
        raise PermissionDenied  # these roles keep the app (see may_use_email_codes)
    device = second_factor.pending_email_device(request.user)
    if request.method == "POST" and "send" in request.POST:
        _send_code(request, device)
        return redirect(request.get_full_path())
    form = TokenForm(request.POST or None)
    if _paired(request, form, device):
        return redirect(_safe_next(request))
    return render(
        request,
        "registration/two_factor_setup_email.html",
        {"form": form, "code_sent": device.token is not None},
    )


@login_required
@never_cache
def two_factor_verify(request):
    """The code at each login: from the app, or sent by e-mail on request."""
    devices = second_factor.usable_devices(request.user)
    if not devices:
        return redirect(f"{reverse('two_factor_setup')}?{request.GET.urlencode()}")
    email_device = next((d for d in devices if isinstance(d, EmailDevice)), None)
    if request.method == "POST" and "send" in request.POST and email_device:
        _send_code(request, email_device)
        return redirect(request.get_full_path())
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _check_token(form, devices)
        if device:
            otp_login(request, device)
            return redirect(_safe_next(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {
            "form": form,
            "email_device": email_device,
            "has_app": any(isinstance(d, TOTPDevice) for d in devices),
        },
    )


@login_required
@never_cache
def account(request):
    """The user's own account: the second factor in use, and replacing it (a new phone,
    a lost one) after typing the password and a present code again (ASVS 5.0 7.5.1).

    Replacing deletes the devices; every session verified with them, this one included,
    must then pass the new factor's setup before it sees anything again."""
    devices = second_factor.usable_devices(request.user)
    email_device = next((d for d in devices if isinstance(d, EmailDevice)), None)
    if request.method == "POST" and "send" in request.POST and email_device:
        _send_code(request, email_device)
        return redirect("account")
    form = ReauthenticateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and _check_token(form, devices):
        second_factor.forget_devices(request.user)
        messages.success(request, _("Your second factor is removed. Set up the new one now."))
        return redirect("two_factor_setup")
    return render(
        request,
        "registration/account.html",
        {
            "form": form,
            "has_app": any(isinstance(d, TOTPDevice) for d in devices),
            "has_email": email_device is not None,
        },
    )


def _client_address(_group, request):
    # The same address the login lockout uses (AXES_IPWARE_META_PRECEDENCE_ORDER).
    return get_client_ip_address(request) or "unknown"


def _email_key(_group, request):
    # The cache key is a hash of this, so the address itself is never stored.
    return request.POST.get("email", "").strip().lower()


def reset_requests_exceeded(request):
    """Count this reset request per client address and per e-mail address; True when
    either went past its hourly limit (PASSWORD_RESET_LIMIT_PER_*). Counted for every
    address, known or not, so the limit tells nothing about who has an account."""
    limits = (
        ("password-reset-address", _client_address, settings.PASSWORD_RESET_LIMIT_PER_ADDRESS),
        ("password-reset-email", _email_key, settings.PASSWORD_RESET_LIMIT_PER_EMAIL),
    )
    exceeded = False
    for group, key, limit in limits:
        try:
            usage = get_usage(request, group=group, key=key, rate=f"{limit}/h", increment=True)
        except Exception:  # noqa: BLE001 - a cache outage must not stop resets altogether
            logger.warning("Password reset counter unavailable; not limiting.", exc_info=True)
            usage = None
        exceeded = exceeded or bool(usage and usage["should_limit"])
    return exceeded


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, the same page and answer whether or not the address has
    an account (Django mails only active users with a password), and rate limited."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        # The link is built on FAMILIEN_BASE_URL, not on the request's Host header.
        self.extra_email_context = {"base_url": settings.FAMILIEN_BASE_URL}
        if reset_requests_exceeded(self.request):
            form.add_error(
                None,
                _("Too many requests for a new password. Wait an hour and try again."),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
