"""Import subsidy policies from an .xlsx: one row a policy, the header names the columns.

Read through the shared reader (``laborbridge.imports.reading``: size, zip-bomb and grid
limits); every wrong cell is reported as "第 N 行「列」：…" and nothing is saved while any
row is wrong. The amount table is one cell: ``陕西省:400；宁夏回族自治区:400；省外其他地区:600``
(a province's name for a named province, a zone's name otherwise).
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from laborbridge.imports.limits import ImportFileError
from laborbridge.imports.reading import read_table
from laborbridge.models import Region, User
from subsidies import services
from subsidies.models import (
    DestinationZone,
    EvidenceKind,
    PaymentMode,
    Policy,
    PolicyKind,
    TargetGroup,
)

MAX_BYTES = 2 * 1024 * 1024  # a policy table is a few rows; anything larger is a wrong file
MAX_ROWS = 200

COLUMNS = (
    ("code", "政策编码"),
    ("name", "政策名称"),
    ("kind", "补贴类别"),
    ("issuing_region", "发文地区代码"),
    ("year", "政策年度"),
    ("source_document", "文件文号"),
    ("issuing_bodies", "发文单位"),
    ("target_groups", "补贴对象"),
    ("min_consecutive_months", "连续务工月数"),
    ("organised_travel_excluded", "仅限自主外出"),
    ("age_min", "最低年龄"),
    ("age_max", "最高年龄"),
    ("evidence_kinds", "证明材料"),
    ("pledge_allowed", "可用承诺书"),
    ("notice_days", "公示天数"),
    ("payment_mode", "发放方式"),
    ("amounts", "补贴标准"),
)
REQUIRED = {"code", "name", "kind", "issuing_region", "year", "target_groups", "amounts"}
_SPLIT = re.compile(r"[；;、，,\n]+")
_YES = {"是", "y", "yes", "true", "1", "√"}
_NO = {"否", "n", "no", "false", "0", ""}


class PolicyImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _by_label(choices, text: str, column: str) -> str:
    for value, label in choices:
        if text in (str(label), value):
            return value
    raise ValueError(_("“%(text)s”不是可选的%(column)s") % {"text": text, "column": column})


def _int(text: str, *, optional: bool = False) -> int | None:
    if text == "" and optional:
        return None
    try:
        number = int(float(text))
    except ValueError:
        raise ValueError(_("应为整数")) from None
    if number < 0:
        raise ValueError(_("不能为负数"))
    return number


def _bool(text: str) -> bool:
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    raise ValueError(_("应填“是”或“否”"))


def _amounts(text: str) -> list[dict]:
    rows = []
    for part in filter(None, (p.strip() for p in _SPLIT.split(text))):
        where, sep, amount = (
            re.split(r"([:：])", part, maxsplit=1) if re.search("[:：]", part) else (part, "", "")
        )
        if not sep:
            raise ValueError(_("“%(part)s”应写成“地区:金额”") % {"part": part})
        where = where.strip()
        province = Region.objects.filter(level="province", name=where).first()
        if province is not None:
            rows.append(
                {
                    "zone": DestinationZone.NAMED_PROVINCE,
                    "province": province.pk,
                    "amount": _int(amount.strip()),
                }
            )
        else:
            zone = _by_label(DestinationZone.choices, where, _("务工地区"))
            rows.append({"zone": zone, "province": None, "amount": _int(amount.strip())})
    if not rows:
        raise ValueError(_("不能为空"))
    return rows


def _parse(field: str, text: str):
    if field in ("year", "min_consecutive_months", "notice_days"):
        return _int(text)
    if field in ("age_min", "age_max"):
        return _int(text, optional=True)
    if field in ("organised_travel_excluded", "pledge_allowed"):
        return _bool(text)
    if field == "kind":
        return _by_label(PolicyKind.choices, text, _("补贴类别"))
    if field == "payment_mode":
        return (
            _by_label(PaymentMode.choices, text, _("发放方式"))
            if text
            else PaymentMode.CHECK_THEN_PAY
        )
    if field == "target_groups":
        return [
            _by_label(TargetGroup.choices, t.strip(), _("补贴对象"))
            for t in _SPLIT.split(text)
            if t.strip()
        ]
    if field == "evidence_kinds":
        return [
            _by_label(EvidenceKind.choices, t.strip(), _("证明材料"))
            for t in _SPLIT.split(text)
            if t.strip()
        ]
    if field == "issuing_region":
        region = Region.objects.filter(pk=text, level__in=["province", "city", "county"]).first()
        if region is None:
            raise ValueError(_("行政区划代码 %(code)s 不存在") % {"code": text})
        return region
    if field == "amounts":
        return _amounts(text)
    return text


def policies_import(*, actor: User, data: bytes, file_name: str) -> list[Policy]:
    """Create or update (by code) the policies of the file; all rows or none."""
    try:
        table = read_table(data, file_name)
    except ImportFileError as error:
        raise PolicyImportError([str(error)]) from None
    if not table.sheets or not table.sheets[0].rows:
        raise PolicyImportError([_("文件中没有数据。")])
    rows = table.sheets[0].rows
    header = [str(c or "").strip() for c in rows[0][1]]
    labels = dict(COLUMNS)
    position = {field: header.index(label) for field, label in COLUMNS if label in header}
    missing = [labels[f] for f in REQUIRED if f not in position]
    if missing:
        raise PolicyImportError([_("缺少列：%(cols)s") % {"cols": "、".join(sorted(missing))}])
    if len(rows) - 1 > MAX_ROWS:
        raise PolicyImportError([_("最多 %(n)s 行。") % {"n": MAX_ROWS}])
    errors: list[str] = []
    parsed = []
    for number, cells in rows[1:]:
        if not any(str(c or "").strip() for c in cells):
            continue
        values: dict = {}
        for field, index in position.items():
            text = str(
                cells[index] if index < len(cells) and cells[index] is not None else ""
            ).strip()
            if text == "" and field in REQUIRED:
                errors.append(
                    _("第 %(row)s 行「%(col)s」：不能为空") % {"row": number, "col": labels[field]}
                )
                continue
            try:
                values[field] = _parse(field, text)
            except ValueError as error:
                errors.append(
                    _("第 %(row)s 行「%(col)s」：%(msg)s")
                    % {"row": number, "col": labels[field], "msg": error}
                )
        parsed.append((number, values))
    if errors:
        raise PolicyImportError(errors)
    saved = []
    with transaction.atomic():
        for number, values in parsed:
            amounts = values.pop("amounts")
            policy = Policy.objects.filter(code=values["code"]).first()
            try:
                saved.append(
                    services.policy_save(actor=actor, values=values, amounts=amounts, policy=policy)
                )
            except PermissionDenied as error:
                errors.append(_("第 %(row)s 行：%(msg)s") % {"row": number, "msg": error})
            except ValidationError as error:
                errors.append(
                    _("第 %(row)s 行：%(msg)s") % {"row": number, "msg": "；".join(error.messages)}
                )
        if errors:
            transaction.set_rollback(True)
            raise PolicyImportError(errors)
    return saved
