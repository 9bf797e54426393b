"""Cell cleaners: turn what officials' spreadsheets really contain into values, or say why not.

Every cleaner is a factory returning ``cell → value`` that raises :class:`CellError` with a
Chinese message. Cells arrive as openpyxl gives them (str, int, float, datetime, bool) or as
CSV text. Blank cells never reach a cleaner (see :func:`is_blank`). Messages may quote a
cell only for columns that are not personal (dates, numbers, choices) — never an ID number,
a phone or a name.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from laborbridge.identifiers import validate_id_number, validate_mobile
from laborbridge.imports.base import CellError

# Officials mark "not applicable" with these instead of leaving the cell empty.
BLANK_MARKERS = frozenset({"", "/", "\\", "-", "--", "—", "——", "－", "_"})
YES_NO_CHOICES = ("是", "否")
_YES = {"是", "对", "接受", "愿意", "可以", "同意", "有", "y", "yes", "true", "1", "√", "✓", "✔"}
_NO = {"否", "不", "不接受", "不愿意", "不可以", "不同意", "无", "没有", "n", "no", "false", "0"}
_NO |= {"×", "✗", "✘", "x"}
_SPLIT = re.compile(r"[、,，;；/／|\s]+")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug)


def fold(value: Any) -> str:
    """Return the cell as text: full-width characters folded (NFKC), ends stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return text.strip()


def is_blank(value: Any) -> bool:
    """Return whether a cell is empty: None, spaces (also full-width) or a "/"-style marker."""
    if value is None:
        return True
    if value.__class__ is str:
        stripped = value.strip()  # str.strip() also removes U+3000, the full-width space
        # Every marker is at most two characters once folded; most cells are longer.
        return not stripped or (len(stripped) <= 2 and fold(stripped) in BLANK_MARKERS)
    return False


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _quote(value: Any, limit: int = 20) -> str:
    text = fold(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text(*, max_length: int | None = None, squeeze: bool = False) -> Callable[[Any], str]:
    """Return a cleaner for free text; ``squeeze`` removes every inner space (names)."""

    def clean(value: Any) -> str:
        result = fold(value)
        result = re.sub(r"\s+", "" if squeeze else " ", result)
        if max_length is not None and len(result) > max_length:
            raise CellError(_("内容过长：最多 %(n)d 个字。") % {"n": max_length})
        return result

    return clean


def person_name(*, max_length: int = 50) -> Callable[[Any], str]:
    """Return a cleaner for a Chinese name: spaces used to align two-character names go."""
    squeeze = text(max_length=max_length, squeeze=True)

    def clean(value: Any) -> str:
        result = squeeze(value)
        if re.search(r"\d", result):
            raise CellError(_("姓名中不应有数字，请检查是否填错了列。"))
        return result

    return clean


def digits(*, length: int | None = None) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        result = re.sub(r"[\s\-]+", "", fold(value))
        if not result.isdigit():
            raise CellError(_("只能填写数字。"))
        if length is not None and len(result) != length:
            raise CellError(_("应为 %(n)d 位数字。") % {"n": length})
        return result

    return clean


def id_number() -> Callable[[Any], str]:
    """Return a cleaner for resident ID numbers that explains Excel's number damage."""

    def clean(value: Any) -> str:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            # Excel keeps 15 significant digits: an 18-digit number typed into a "General"
            # cell is already rounded (…171234 → …171000) and cannot be recovered.
            raise CellError(
                _(
                    "身份证号被 Excel 存成了数字（常显示为 6.21102E+17 这样的科学计数法），"
                    "后几位已丢失：请把该列设置为“文本”格式，重新录入号码后再导入。"
                )
            )
        raw = fold(value).lstrip("'‘’`")
        try:
            return validate_id_number(raw)
        except ValidationError as error:
            raise CellError(_messages(error)) from None

    return clean


def phone() -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(int(value))
        try:
            return validate_mobile(fold(value).lstrip("'"))
        except ValidationError as error:
            raise CellError(_messages(error)) from None

    return clean


_DATE_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_DATE_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s.*)?$")


def excel_serial_date(serial: float) -> dt.date:
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def date(
    *,
    earliest: dt.date = dt.date(1900, 1, 1),
    latest: dt.date = dt.date(2100, 12, 31),
    month_only: bool = False,
) -> Callable[[Any], dt.date]:
    """Return a date cleaner for date cells, Excel serials and text in the usual formats.

    Accepted: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日, 20260301, an Excel serial
    (46082), and 3/15/2026 or 15/3/2026 when the day cannot be mistaken for the month;
    with ``month_only`` also 2026-03 / 2026年3月 (meaning the first of that month).
    """

    def bad(value: Any) -> CellError:
        return CellError(
            _("日期“%(value)s”无法识别：请写成 2026-03-01 或 2026/3/1，或把单元格设为日期格式。")
            % {"value": _quote(value)}
        )

    def build(value: Any, year: int, month: int, day: int) -> dt.date:
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise CellError(
                _("日期“%(value)s”不存在，请核对年月日。") % {"value": _quote(value)}
            ) from None

    def parse(value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            if 19000101 <= value <= 21001231 and float(value).is_integer():
                return parse(str(int(value)))
            if 1 <= value < 2958466:
                return excel_serial_date(value)
            raise bad(value)
        raw = fold(value)
        if match := _DATE_YMD.match(raw):
            return build(value, *(int(part) for part in match.groups()))
        if match := _DATE_COMPACT.match(raw):
            return build(value, *(int(part) for part in match.groups()))
        if re.fullmatch(r"\d{5}(\.\d+)?", raw):
            return excel_serial_date(float(raw))
        if match := _DATE_DMY.match(raw):
            first, second, year = (int(part) for part in match.groups())
            if first > 12 >= second:
                return build(value, year, second, first)
            if second > 12 >= first or first == second:
                return build(value, year, first, second)
            raise CellError(
                _("日期“%(value)s”分不清月和日：请写成 2026-03-01 这样的格式。")
                % {"value": _quote(value)}
            )
        if month_only and (match := _DATE_YM.match(raw)):
            return build(value, int(match.group(1)), int(match.group(2)), 1)
        raise bad(value)

    def clean(value: Any) -> dt.date:
        result = parse(value)
        if not earliest <= result <= latest:
            raise CellError(
                _("日期 %(date)s 不在合理范围内（%(earliest)s 至 %(latest)s）。")
                % {"date": result.isoformat(), "earliest": earliest, "latest": latest}
            )
        return result

    return clean


def _number(value: Any) -> Decimal:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    raw = fold(value).replace(",", "").replace(" ", "")
    raw = re.sub(r"(元|人|年|个|岁|/月|每月|月|左右|以上|以下|起)+$", "", raw)
    multiplier = Decimal(1)
    if raw.endswith(("万", "w", "W")):
        raw, multiplier = raw[:-1], Decimal(10000)
    elif raw.endswith(("千", "k", "K")):
        raw, multiplier = raw[:-1], Decimal(1000)
    try:
        return Decimal(raw) * multiplier
    except InvalidOperation:
        raise CellError(
            _("“%(value)s”不是数字，请只填写数字。") % {"value": _quote(value)}
        ) from None


def integer(*, minimum: int | None = None, maximum: int | None = None) -> Callable[[Any], int]:
    def clean(value: Any) -> int:
        number = _number(value)
        if number != number.to_integral_value():
            raise CellError(_("请填写整数。"))
        result = int(number)
        if minimum is not None and result < minimum:
            raise CellError(_("不能小于 %(n)d。") % {"n": minimum})
        if maximum is not None and result > maximum:
            raise CellError(_("不能大于 %(n)d。") % {"n": maximum})
        return result

    return clean


def wage(*, minimum: int = 0, maximum: int = 100_000) -> Callable[[Any], int]:
    """Return a monthly-wage cleaner: 5000, 5000元, 5千, 0.5万; a range 5000-6000 gives 5000."""
    whole = integer(minimum=minimum, maximum=maximum)

    def clean(value: Any) -> int:
        if isinstance(value, str):
            parts = re.split(r"\s*(?:-|~|～|—|至|到)\s*", fold(value))
            if len(parts) == 2 and parts[0]:
                unit = parts[1][-1:] if parts[1][-1:] in "千万kKwW" else ""
                value = parts[0] if parts[0][-1:] in "千万kKwW" else parts[0] + unit
        return whole(value)

    return clean


def _norm(value: Any) -> str:
    return re.sub(r"\s+", "", fold(value)).lower()


# The same few hundred words (townships, occupations, choices) come back on every row:
# 1.3 million calls at 100,000 rows, ~2 s without the cache.
_norm_cached = functools.lru_cache(maxsize=8192, typed=True)(_norm)


def norm(value: Any) -> str:
    """Return a cell folded, without whitespace and lower-cased: the key names are matched by
    (a choice's labels, an occupation, a district, a campaign) in every importer."""
    try:
        return _norm_cached(value)
    except TypeError:  # an unhashable cell
        return _norm(value)


# The national vocational skill levels (国家职业资格等级) as spreadsheets write them, by the
# number both SkillLevel enums store (workers.models, jobs.models: 0 none, 1 = 五级 … 5 = 一级).
SKILL_LEVEL_WORDS: dict[str, int] = {
    "无": 0,
    "无要求": 0,
    **{word: 1 for word in ("初级工", "初级", "五级", "5级")},
    **{word: 2 for word in ("中级工", "中级", "四级", "4级")},
    **{word: 3 for word in ("高级工", "高级", "三级", "3级")},
    **{word: 4 for word in ("技师", "二级", "2级")},
    **{word: 5 for word in ("高级技师", "一级", "1级")},
}


def choice(
    options: Mapping[str, Any] | Iterable[tuple[Any, Any]],
    *,
    synonyms: Mapping[str, Any] | None = None,
) -> Callable[[Any], Any]:
    """Return a cleaner picking a value by its label (or value, or a synonym).

    ``options`` is label → value, or ``TextChoices.choices``-style (value, label) pairs.
    """
    if isinstance(options, Mapping):
        pairs = [(str(label), value) for label, value in options.items()]
    else:
        pairs = [(str(label), value) for value, label in options]
    lookup: dict[str, Any] = {}
    for label, value in pairs:
        lookup.setdefault(norm(label), value)
        lookup.setdefault(norm(value), value)
    for label, value in (synonyms or {}).items():
        lookup.setdefault(norm(label), value)
    labels = [label for label, _value in pairs]

    def clean(value: Any) -> Any:
        try:
            return lookup[norm(value)]
        except KeyError:
            shown = "、".join(labels[:8]) + ("等" if len(labels) > 8 else "")
            raise CellError(
                _("“%(value)s”不是可选的值，可填：%(labels)s。")
                % {"value": _quote(value), "labels": shown}
            ) from None

    return clean


def multi(item: Callable[[Any], Any], *, max_items: int = 10) -> Callable[[Any], list]:
    """Return a cleaner for a list in one cell, split on 、 , ， ; ； / or spaces."""

    def clean(value: Any) -> list:
        result: list = []
        for part in _SPLIT.split(fold(value)):
            if part and not is_blank(part):
                cleaned = item(part)
                if cleaned not in result:
                    result.append(cleaned)
        if len(result) > max_items:
            raise CellError(_("最多填写 %(n)d 项。") % {"n": max_items})
        return result

    return clean


def yes_no() -> Callable[[Any], bool]:
    def clean(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        key = norm(value)
        if key in _YES:
            return True
        if key in _NO:
            return False
        raise CellError(_("请填“是”或“否”。"))

    return clean
