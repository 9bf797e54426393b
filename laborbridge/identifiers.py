"""National identifier formats: resident ID numbers, credit codes, mobile phone numbers.

Officials paste these from spreadsheets, so every check first normalises what such files
really contain (full-width digits, stray spaces, a lowercase x) and then validates the
checksum. Messages are user-facing and translatable.
"""

import datetime as dt
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# GB 11643-1999: weights of the first 17 digits and the check character for each remainder.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# GB 32100-2015: the 31-character alphabet (no I, O, S, V, Z) and position weights.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_text(value: object) -> str:
    """Return ``value`` as text with full-width characters folded and all spaces removed."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"\s+", "", text)


def normalize_id_number(value: object) -> str:
    return normalize_text(value).upper()


def id_number_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: object) -> str:
    """Return the normalised resident ID number or raise ValidationError saying what is wrong."""
    number = normalize_id_number(value)
    if re.fullmatch(r"\d+(\.\d+)?E\+?\d+", number):
        raise ValidationError(
            _(
                "身份证号已被 Excel 转成科学计数法，后几位已丢失：请把该列设置为“文本”格式后重新填写。"
            ),
            code="scientific_notation",
        )
    if len(number) != 18:
        raise ValidationError(
            _("身份证号应为 18 位，当前为 %(length)d 位。") % {"length": len(number)},
            code="length",
        )
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(
            _("身份证号前 17 位必须是数字，最后一位是数字或 X。"), code="characters"
        )
    if number[:2] not in _PROVINCE_PREFIXES:
        raise ValidationError(_("身份证号前两位不是有效的省级行政区划代码。"), code="region")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="birth_date") from None
    if birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError(_("身份证号中的出生日期无效。"), code="birth_date")
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对号码。"), code="checksum")
    return number


def id_number_birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_number_sex(number: str) -> str:
    """Return 'male' or 'female' from the 17th digit (odd is male)."""
    return "male" if int(number[16]) % 2 else "female"


def credit_code_check_char(first17: str) -> str:
    total = sum(
        _CREDIT_ALPHABET.index(char) * weight
        for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: object) -> str:
    """Return the normalised unified social credit code or raise ValidationError."""
    code = normalize_text(value).upper()
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，当前为 %(length)d 位。") % {"length": len(code)},
            code="length",
        )
    bad = sorted({char for char in code if char not in _CREDIT_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。")
            % {"chars": "、".join(bad)},
            code="characters",
        )
    if not code[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第 3–8 位应为行政区划代码。"), code="region")
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="checksum")
    return code


def validate_mobile(value: object) -> str:
    """Return a mainland mobile number (11 digits) with any +86 prefix or separators removed.

    ``phonenumbers`` (libphonenumber's metadata) decides whether the number lies in an
    allocated mobile range, so 10x / 12x or an unassigned segment such as 154 is refused.
    """
    text = normalize_text(value).replace("-", "")
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        parsed = None
    phone = str(parsed.national_number) if parsed is not None else text
    if parsed is None or parsed.country_code != 86 or not _MOBILE.fullmatch(phone):
        raise ValidationError(_("手机号应为 11 位、以 1 开头的大陆手机号码。"), code="mobile")
    # number_type is UNKNOWN for an invalid number, so it alone decides (is_valid_number ran
    # the same pattern matching a second time: ~10 µs a phone, 1 s on a 100,000-row roster).
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(
            _("手机号前几位不是已启用的大陆手机号段，请核对号码。"), code="mobile_range"
        )
    return phone


def mask_id_number(number: str) -> str:
    """Return ``621122********1234``: region code and last four only."""
    return f"{number[:6]}{'*' * 8}{number[-4:]}" if len(number) == 18 else "*" * len(number)


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "*" * len(phone)


# Province-level prefixes of GB/T 2260 (mainland, plus Taiwan, Hong Kong and Macao residents).
_PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 "
    "65 71 81 82 83".split()
)
