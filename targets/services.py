"""Writes of targets: agreements, their targets (one by one or from a workbook), and pinned
snapshots of the two lists. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from laborbridge.imports.limits import ImportFileError
from laborbridge.imports.reading import read_table
from laborbridge.models import Pairing, Region, User
from laborbridge.services import audit_record, model_changes
from targets.models import Agreement, Bucket, ListSnapshot, MonthlyReport, Target

# A target workbook has one row per county and bucket: a pairing has a few dozen counties at
# most, so a few hundred rows is generous; more means the wrong file.
MAX_TARGET_ROWS = 500
MAX_HEADCOUNT = 10_000_000
_BUCKETS = {str(label): value for value, label in Bucket.choices} | {
    value: value for value in Bucket.values
}
TARGET_HEADERS = ("县区", "就业去向", "目标人数", "其中脱贫劳动力", "其中监测对象")


@transaction.atomic
def agreement_save(
    *,
    actor: User,
    pairing: Pairing,
    year: int,
    title: str,
    signed_on: dt.date | None = None,
    note: str = "",
) -> Agreement:
    """Create or update the pairing's agreement of ``year``."""
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在 2000 至 2100 之间。")})
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("请填写协议名称。")})
    agreement = Agreement.objects.select_for_update().filter(pairing=pairing, year=year).first()
    values = {"title": title, "signed_on": signed_on, "note": note}
    if agreement is None:
        agreement = Agreement.objects.create(pairing=pairing, year=year, **values)
        audit_record(
            actor=actor,
            action="agreement.create",
            target=agreement,
            changes={"pairing": pairing.pk, "year": year, "title": title},
        )
        return agreement
    _update(agreement, values, actor=actor, action="agreement.update")
    return agreement


def _update(row: Agreement | Target, values: dict[str, Any], *, actor: User, action: str) -> None:
    """Write ``values`` to ``row`` and audit ``action`` with what changed, if anything did."""
    changes = model_changes(row, list(values), values)
    if changes:
        for key, value in values.items():
            setattr(row, key, value)
        row.save(update_fields=[*values, "updated_at"])
        audit_record(actor=actor, action=action, target=row, changes=changes)


def _check_numbers(placed: int, poverty: int, monitored: int) -> None:
    for number in (placed, poverty, monitored):
        if not 0 <= number <= MAX_HEADCOUNT:
            raise ValidationError(
                _("人数应在 0 至 %(limit)s 之间。") % {"limit": f"{MAX_HEADCOUNT:,}"}
            )
    if poverty > placed or monitored > placed:
        raise ValidationError(_("脱贫劳动力和监测对象人数不能超过目标人数。"))


def _county_of(agreement: Agreement, county: Region | None) -> None:
    if county is None:
        return
    if county.level != Region.Level.COUNTY or not agreement.pairing.west_region.contains(county):
        raise ValidationError(_("%(county)s 不是本结对西部地区的县区。") % {"county": county.name})


@transaction.atomic
def target_set(
    *,
    actor: User,
    agreement: Agreement,
    county: Region | None,
    bucket: str,
    placed: int,
    poverty: int = 0,
    monitored: int = 0,
) -> Target:
    """Set one target (whole pairing when ``county`` is None) of the agreement."""
    if bucket not in Bucket.values:
        raise ValidationError(_("就业去向应为跨省、省内县外或县内。"))
    _check_numbers(placed, poverty, monitored)
    _county_of(agreement, county)
    values = {"placed": placed, "poverty": poverty, "monitored": monitored}
    target = (
        Target.objects.select_for_update()
        .filter(agreement=agreement, county=county, bucket=bucket)
        .first()
    )
    if target is None:
        target = Target.objects.create(agreement=agreement, county=county, bucket=bucket, **values)
        changes: dict[str, Any] = {"county": county.pk if county else None, "bucket": bucket}
        audit_record(actor=actor, action="target.create", target=target, changes=changes | values)
        return target
    _update(target, values, actor=actor, action="target.update")
    return target


def _number(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        raise ValidationError(_("“%(value)s”不是人数。") % {"value": value}) from None
    if number != int(number):
        raise ValidationError(_("人数应为整数。"))
    return int(number)


@transaction.atomic
def targets_import(*, actor: User, agreement: Agreement, data: bytes, filename: str = "") -> int:
    """Set the agreement's targets from a workbook (columns ``TARGET_HEADERS``; county by
    name or code, blank or 全部 for the whole pairing); return how many rows were set.

    All or nothing: the first bad row refuses the whole file with its row number.
    """
    try:
        table = read_table(data, filename)
    except ImportFileError as error:
        raise ValidationError(str(error)) from None
    rows = table.sheets[0].rows if table.sheets else []
    if not rows:
        raise ValidationError(_("文件中没有数据。"))
    _header_row, header = rows[0]
    names = [str(cell).strip() if cell is not None else "" for cell in header]
    missing = [name for name in TARGET_HEADERS if name not in names]
    if missing:
        raise ValidationError(
            _("第一行应为表头，缺少：%(missing)s。") % {"missing": "、".join(missing)}
        )
    if len(rows) - 1 > MAX_TARGET_ROWS:
        raise ValidationError(
            _("目标表最多 %(limit)s 行，本文件有 %(rows)s 行。")
            % {"limit": MAX_TARGET_ROWS, "rows": len(rows) - 1}
        )
    position = {name: names.index(name) for name in TARGET_HEADERS}
    west = agreement.pairing.west_region
    counties = {
        key: region
        for region in Region.objects.filter(level=Region.Level.COUNTY, code__startswith=west.prefix)
        for key in (region.code, region.name, region.full_name)
    }
    count = 0
    for number, cells in rows[1:]:
        if not any(cell not in (None, "") for cell in cells):
            continue

        def cell(name: str, cells=cells) -> Any:
            index = position[name]
            return cells[index] if index < len(cells) else None

        where = _("第%(row)s行") % {"row": number}
        county_text = str(cell("县区") or "").strip()
        county = None
        if county_text and county_text != "全部":
            county = counties.get(county_text)
            if county is None:
                raise ValidationError(
                    _("%(where)s：“%(county)s”不是本结对西部地区的县区。")
                    % {"where": where, "county": county_text}
                )
        bucket = _BUCKETS.get(str(cell("就业去向") or "").strip())
        if bucket is None:
            raise ValidationError(
                _("%(where)s：就业去向应为跨省、省内县外或县内。") % {"where": where}
            )
        try:
            target_set(
                actor=actor,
                agreement=agreement,
                county=county,
                bucket=bucket,
                placed=_number(cell("目标人数")),
                poverty=_number(cell("其中脱贫劳动力")),
                monitored=_number(cell("其中监测对象")),
            )
        except ValidationError as error:
            raise ValidationError(f"{where}：{'；'.join(error.messages)}") from None
        count += 1
    return count


@transaction.atomic
def list_snapshot_pin(
    *, actor: User, pairing: Pairing, taken_on: dt.date, title: str, payload: dict
) -> ListSnapshot:
    """Pin a dated, frozen copy of the two lists' gap for a meeting (never changed after)."""
    title = title.strip() or _("两张清单 %(day)s") % {"day": taken_on.isoformat()}
    snapshot = ListSnapshot.objects.create(
        pairing=pairing, taken_on=taken_on, title=title[:200], payload=payload, taken_by=actor
    )
    audit_record(
        actor=actor,
        action="list_snapshot.pin",
        target=snapshot,
        changes={"pairing": pairing.pk, "taken_on": taken_on.isoformat()},
    )
    return snapshot


@transaction.atomic
def monthly_report_freeze(
    *,
    actor: User,
    pairing: Pairing | None,
    county: Region | None,
    year: int,
    month: int,
    payload: dict,
) -> tuple[MonthlyReport, bool]:
    """Freeze the month's report; return it and whether a new revision was written.

    The first freeze is revision 1. Freezing again with the same figures changes nothing;
    with other figures (the history was corrected) it adds a revision that ``corrects`` the
    last one — a frozen revision is never changed.
    """
    if (pairing is None) == (county is None):
        raise ValidationError(_("报表应属于一个结对或一个县区。"))
    if not MonthlyReport.ANNUAL <= month <= 12:  # 0: the annual indicators table
        raise ValidationError(_("月份应在 1 至 12 之间。"))
    revisions = MonthlyReport.objects.select_for_update().filter(
        pairing=pairing, county=county, year=year, month=month
    )
    latest = revisions.order_by("-revision").first()
    figures = {"rows": payload.get("rows"), "total": payload.get("total")}
    if (
        latest is not None
        and {
            "rows": latest.payload.get("rows"),
            "total": latest.payload.get("total"),
        }
        == figures
    ):
        return latest, False
    report = MonthlyReport.objects.create(
        pairing=pairing,
        county=county,
        year=year,
        month=month,
        revision=latest.revision + 1 if latest else 1,
        corrects=latest,
        payload=payload,
        frozen_by=actor,
    )
    audit_record(
        actor=actor,
        action="monthly_report.correct" if latest else "monthly_report.freeze",
        target=report,
        changes={"year": year, "month": month, "revision": report.revision},
    )
    return report, True
