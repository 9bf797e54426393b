"""The wage roster importer (工资花名册): HR's monthly pay list, matched to placed workers.

Each row is one person's pay for one month (姓名, 身份证号, 月份, 应发工资, 发放日期). A
row is matched by the ID number's blind index to a worker placed at the uploading employer
(arrived there or moved there since); a row that matches nobody, whose name differs from the
registry's, or whose month lies outside the worker's time there is rejected with a Chinese
reason and never stored. Matched rows become ``placement.MonthlyWage`` rows of source
``roster`` through ``services.record_actual_wages`` (the batch form of
``record_actual_wage``) — which also flags a month paid more than
the threshold below the promise to the pairing's coordinators. A corrected roster for the
same month replaces the earlier figure (an update in the preview).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laborbridge import access, crypto
from laborbridge.imports import cleaners
from laborbridge.imports.base import (
    Column,
    Row,
    RowImporter,
    RowRejected,
    Update,
    register_importer,
)
from laborbridge.models import Role, User
from placement import services
from placement.models import MonthlyWage, WageSource
from workers.models import Employment


@register_importer
class WageRosterImporter(RowImporter):
    """Import an employer's monthly wage roster into the actual pay of its placed workers."""

    kind = "placement.wage_roster"
    title = gettext_lazy("工资花名册")
    key_columns = ("id_number", "month")
    explanation = gettext_lazy(
        "每行填写一名员工一个月的工资。只认本企业经平台到岗（或换岗到本企业）的劳动力："
        "按身份证号匹配，姓名须与登记一致；匹配不到的行会在预览中列出，不会保存。"
        "同一人同一月份再次上传时，以新表为准。"
    )
    columns = [
        Column(
            "name",
            gettext_lazy("姓名"),
            variants=["员工姓名", "职工姓名"],
            required=True,
            clean=cleaners.person_name(),
            example="张三",
            width=10,
        ),
        Column(
            "id_number",
            gettext_lazy("身份证号"),
            variants=["身份证号码", "公民身份号码", "身份证"],
            required=True,
            clean=cleaners.id_number(),
            as_text=True,
            width=22,
        ),
        Column(
            "month",
            gettext_lazy("月份"),
            variants=["工资月份", "所属月份", "发放月份", "年月"],
            required=True,
            clean=cleaners.date(
                earliest=dt.date(2020, 1, 1), latest=dt.date(2099, 12, 31), month_only=True
            ),
            example="2026-05",
            help=gettext_lazy("工资所属的月份，如 2026-05 或 2026年5月。"),
            width=10,
        ),
        Column(
            "gross",
            gettext_lazy("应发工资"),
            variants=["应发工资（元）", "应发合计", "应发金额", "工资总额"],
            required=True,
            clean=cleaners.wage(minimum=1),
            example="5200",
            width=12,
        ),
        Column(
            "paid_on",
            gettext_lazy("发放日期"),
            variants=["发薪日期", "发放时间", "实发日期"],
            clean=cleaners.date(earliest=dt.date(2020, 1, 1), latest=dt.date(2099, 12, 31)),
            example="2026-06-10",
            width=12,
        ),
    ]

    # Access --------------------------------------------------------------------------
    @classmethod
    def allowed(cls, user: User) -> bool:
        return access.has_role(user, Role.EMPLOYER_HR) and bool(user.employer_id)

    @classmethod
    def options_for(cls, user: User) -> dict[str, Any]:
        return {"employer": user.employer_id}

    # Lookups -------------------------------------------------------------------------
    def prepare(self, rows: Sequence[Row] | None = None) -> None:
        if getattr(self, "_prepared", False):
            return
        self._prepared = True
        # The employer's placed workers (hundreds to thousands): ID blind index → the latest
        # employment record whose history passes through this employer.
        # Only the fields the rows are checked against: a 10,000-row roster reads as many
        # records, and building whole workers was most of the preview's CPU.
        self.employments: dict[str, Employment] = {}
        self.indexes: dict[str, str] = {}  # ID number → blind index (an HMAC each)
        self.today = timezone.localdate()
        employer = self.options.get("employer")
        if employer and self.actor is not None:
            for employment in (
                access.employments_visible_to(self.actor)
                .select_related("worker")
                .only("started_on", "worker__id_number_index", "worker__name")
                .order_by("started_on", "pk")
            ):
                self.employments[employment.worker.id_number_index] = employment

    def _employment(self, row: Row) -> Employment | None:
        self.prepare()
        return self.employments.get(self.key(row)[0])

    def key(self, row: Row) -> Hashable:
        self.prepare()
        number = row.values["id_number"]
        if number not in self.indexes:
            self.indexes[number] = crypto.id_number_blind_index(number)
        return (self.indexes[number], services.month_start(row.values["month"]))

    def validate(self, row: Row) -> None:
        employment = self._employment(row)
        if employment is None:
            raise RowRejected("id_number", _("本企业没有该身份证号的到岗劳动力，此行未保存。"))
        if employment.worker.name != row.values["name"]:
            raise RowRejected("name", _("姓名与该身份证号登记的姓名不一致。"))
        month = services.month_start(row.values["month"])
        today = self.today
        if month < services.month_start(employment.started_on) or month > today:
            raise RowRejected("month", _("月份须在该劳动力到岗之后、不晚于本月。"))
        paid_on = row.get("paid_on")
        if paid_on is not None and (paid_on > today or paid_on < month):
            raise RowRejected("paid_on", _("发放日期须在工资月份之后、不晚于今天。"))

    def label(self, row: Row) -> str:
        return row.get("name", "")

    # Stored state -------------------------------------------------------------------
    def existing(self, keys: Sequence[Hashable]) -> dict[Hashable, MonthlyWage]:
        self.prepare()
        by_employment = {e.pk: index for index, e in self.employments.items()}
        months = {key[1] for key in keys if key is not None}
        found = {}
        for wage in MonthlyWage.objects.filter(
            employment_id__in=list(by_employment),
            month__in=months,
            source=WageSource.ROSTER,
        ):
            found[(by_employment[wage.employment_id], wage.month)] = wage
        return found

    def diff(self, row: Row, wage: MonthlyWage) -> dict[str, list[Any]]:
        changes = {}
        if wage.gross != row.values["gross"]:
            changes["gross"] = [wage.gross, row.values["gross"]]
        paid_on = row.get("paid_on")
        if wage.paid_on != paid_on:
            changes["paid_on"] = [
                wage.paid_on.isoformat() if wage.paid_on else None,
                paid_on.isoformat() if paid_on else None,
            ]
        return changes

    def apply(self, *, creates: Sequence[Row], updates: Sequence[Update]) -> None:
        rows = [*creates, *(update.row for update in updates)]
        reports = [
            services.WageReport(
                employment=self._employment(row),
                month=row.values["month"],
                amount=row.values["gross"],
                paid_on=row.get("paid_on"),
            )
            for row in rows
        ]
        # In batches through the batch service (same rules, audit and flags as one row).
        for start in range(0, len(reports), services.WAGE_BATCH):
            services.record_actual_wages(
                reports=reports[start : start + services.WAGE_BATCH],
                source=WageSource.ROSTER,
                by=self.actor,
            )
            self.report_progress(min(start + services.WAGE_BATCH, len(reports)) / len(reports))
        self.report_progress(1.0)

    # Export -------------------------------------------------------------------------
    def export_row(self, wage: MonthlyWage) -> dict[str, Any]:
        worker = wage.employment.worker
        return {
            "name": worker.name,
            "id_number": worker.id_number_masked,
            "month": f"{wage.month:%Y-%m}",
            "gross": wage.gross,
            "paid_on": wage.paid_on,
        }
