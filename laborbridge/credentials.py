"""Writes of sign-in credentials: API tokens and TOTP devices (second factor), audited."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from laborbridge.models import User
from laborbridge.services import audit_record

DEVICE_NAME = "authenticator"


def second_factor_device(*, user: User) -> TOTPDevice | None:
    """Return ``user``'s confirmed TOTP device, or None before enrolment."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def second_factor_enrol(*, user: User) -> TOTPDevice:
    """Return the unconfirmed device ``user`` is enrolling, creating it with a new secret.

    The same secret is shown until a code confirms it, so reloading the page does not
    invalidate a QR code already scanned.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def second_factor_verify(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Return whether ``token`` is ``device``'s current code; a first success confirms it.

    django-otp throttles the device after wrong codes (each failure doubles the wait).
    """
    if device.user_id != user.pk or not device.verify_token(token.strip()):
        return False
    if not device.confirmed:
        with transaction.atomic():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # Other half-finished enrolments are dropped: one authenticator per person.
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            audit_record(actor=user, action="second_factor_enrol", target=user)
    return True


def api_token_issue(*, user: User) -> Token:
    """Return ``user``'s API token, creating it (audited) on first request.

    Revoking is deleting the token in the admin (Auth Token → Tokens); the next request
    issues a new key.
    """
    with transaction.atomic():
        token, created = Token.objects.get_or_create(user=user)
        if created:
            audit_record(actor=user, action="api_token_issue", target=user)
    return token
