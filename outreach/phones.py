"""Chinese mobile numbers, validated and normalised with libphonenumber (``phonenumbers``)."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def phone_normalise(raw: str) -> str:
    """Return ``raw`` as an 11-digit Chinese mobile number; raise ValidationError if it is
    not one (a landline, too short, another country, a number no carrier issues)."""
    text = (raw or "").strip()
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("手机号码格式不正确：%(phone)s") % {"phone": text}) from None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("不是有效的中国大陆手机号码：%(phone)s") % {"phone": text})
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(_("不是手机号码，无法接收短信：%(phone)s") % {"phone": text})
    return str(number.national_number)


def phone_mask(phone: str) -> str:
    """Return 139****5678."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "****"
