"""The receiving city's roster of the people at work there (在岗人员花名册).

Also the county's monthly census (月度在岗摸底表): every placed worker of the county, at work
or not, with their months worked — continuous and total — counted the same way.

Rows are the employment records at work now in the user's scope
(``access.roster_employments_visible_to``), by their current employer and workplace — the
derived fields the history services keep — so a page of the roster is three queries whatever
its size. Months worked are whole calendar months (``placement.history``): those of the
spells that ended plus the running spell's up to today. Phones are masked; the full number is
revealed one person at a time with a reason, audited (``roster_phone_reveal``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.models import Employer
from laborbridge import access, spreadsheets
from laborbridge.models import Region, User
from laborbridge.services import audit_record
from placement import history
from workers.models import Employment, EmploymentStatus

# The audit action of a full phone revealed from the roster: the same word as a reveal on the
# worker's page, so the worker's audit trail lists both.
REVEAL_PHONE_ACTION = "worker.reveal_phone"

# Records an export reads a query at a time: a file's memory stays flat at any size.
EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class MonthsWorked:
    """Whole months worked as of a day: ``continuous`` — the current unbroken spell at work
    (0 when not at work); ``total`` — every spell, ended ones included."""

    continuous: int
    total: int


def months_worked_on(employment: Employment, today: dt.date) -> MonthsWorked:
    """Return the months worked from the employment's derived fields (its running spell's
    start and its ended spells' months, kept by the history services) — the same count
    ``history.replay`` gives, without reading the events. The roster, the census and their
    files all count through here."""
    running = (
        history.whole_months(employment.working_since, today) if employment.working_since else 0
    )
    return MonthsWorked(continuous=running, total=employment.months_in_closed_spells + running)


def months_worked(employment: Employment, today: dt.date) -> int:
    """Return the whole months worked in total: ended spells plus the running one."""
    return months_worked_on(employment, today).total


@dataclass
class RosterRow:
    employment: Employment
    months: int
    age: int
    months_continuous: int = 0

    @property
    def worker(self):
        return self.employment.worker

    @property
    def job_title(self) -> str:
        """The vacancy's title while the worker is with the employer they arrived at (a
        换岗 records the new employer and place, not a title)."""
        employment = self.employment
        if employment.current_employer_id == employment.employer_id:
            return employment.vacancy.title
        return ""


def roster_scope(user: User) -> QuerySet[Employment]:
    """Return the user's whole roster (build it once per request: its scope reads pairings)."""
    return access.roster_employments_visible_to(user)


def roster_rows(
    scope: QuerySet[Employment], *, district: str | None = None, employer: int | None = None
) -> QuerySet[Employment]:
    """Return the roster ``scope`` (optionally of one district or current employer), ordered
    by district, employer and name, with what a row shows loaded in the same query."""
    rows = scope
    if district:
        rows = rows.filter(current_workplace_id=district)
    if employer:
        rows = rows.filter(current_employer_id=employer)
    return rows.select_related(
        "worker", "worker__home_county", "current_workplace", "vacancy"
    ).order_by("current_workplace_id", "current_employer_name", "worker__name", "pk")


def roster_row(employment: Employment, today: dt.date) -> RosterRow:
    months = months_worked_on(employment, today)
    return RosterRow(employment, months.total, employment.worker.age_on(today), months.continuous)


def roster_districts(scope: QuerySet[Employment]) -> QuerySet[Region]:
    """Return the districts the roster has people in (the district filter's choices)."""
    return Region.objects.filter(pk__in=scope.values("current_workplace_id")).order_by("code")


def roster_employers(scope: QuerySet[Employment]) -> QuerySet[Employer]:
    """Return the platform employers the roster has people at (the employer filter)."""
    return Employer.objects.filter(pk__in=scope.values("current_employer_id")).order_by("name")


def _place(region: Region | None) -> str:
    return region.full_name if region else ""


# A roster file's columns after 序号: (header, value of a RosterRow).
ROSTER_COLUMNS: tuple[tuple[str | Promise, Callable[[RosterRow], object]], ...] = (
    (gettext_lazy("姓名"), lambda row: row.worker.name),
    (gettext_lazy("性别"), lambda row: row.worker.get_sex_display()),
    (gettext_lazy("年龄"), lambda row: row.age),
    (gettext_lazy("户籍县区"), lambda row: row.worker.home_county.name),
    (gettext_lazy("务工所在县区"), lambda row: _place(row.employment.current_workplace)),
    (gettext_lazy("用工企业"), lambda row: row.employment.current_employer_name),
    (gettext_lazy("岗位"), lambda row: row.job_title),
    (gettext_lazy("到岗日期"), lambda row: row.employment.started_on),
    (gettext_lazy("连续务工月数"), lambda row: row.months_continuous),
    (gettext_lazy("累计务工月数"), lambda row: row.months),
    (gettext_lazy("手机号"), lambda row: row.worker.phone_masked),
)


def _rows_xlsx(
    rows: QuerySet[Employment],
    *,
    today: dt.date,
    title: str,
    row_of: Callable[[Employment, dt.date], Any],
    columns: Sequence[tuple[str | Promise, Callable[[Any], object]]],
) -> bytes:
    """Return ``rows`` as a numbered .xlsx of ``columns`` (the values of ``row_of`` each
    record) through the one spreadsheet writer, reading the records in chunks."""

    def lines():
        for number, employment in enumerate(rows.iterator(chunk_size=EXPORT_CHUNK), start=1):
            row = row_of(employment, today)
            yield [number, *(value(row) for _header, value in columns)]

    headers = [_("序号"), *(header for header, _value in columns)]
    return spreadsheets.xlsx_table(title=title, headers=headers, rows=lines())


def roster_xlsx(rows: QuerySet[Employment], *, today: dt.date) -> bytes:
    """Return the roster as .xlsx (phones masked) through the one spreadsheet writer."""
    return _rows_xlsx(
        rows, today=today, title=_("在岗人员花名册"), row_of=roster_row, columns=ROSTER_COLUMNS
    )


@transaction.atomic
def roster_phone_reveal(*, actor: User, employment: Employment, reason: str) -> str:
    """Return the full phone of a roster row's worker and record who asked, when and why."""
    if not access.roster_phones_revealable_by(actor).filter(pk=employment.pk).exists():
        raise PermissionDenied(_("您无权查看该手机号。"))
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请说明查看完整手机号的原因。")})
    worker = employment.worker
    audit_record(
        actor=actor,
        action=REVEAL_PHONE_ACTION,
        target=worker,
        changes={"from": "roster", "employment": employment.pk},
        reason=reason,
    )
    return worker.reveal_phone()


# --- the county's monthly census (月度在岗摸底表) ------------------------------------------


@dataclass
class CensusRow:
    employment: Employment
    months: MonthsWorked
    age: int

    @property
    def worker(self):
        return self.employment.worker

    @property
    def working(self) -> bool:
        return self.employment.status == EmploymentStatus.EMPLOYED


def census_scope(user: User) -> QuerySet[Employment]:
    """Return every employment record of the user's census (the official's county)."""
    return access.census_employments_visible_to(user)


def census_rows(scope: QuerySet[Employment], *, status: str | None = None) -> QuerySet[Employment]:
    """Return the census ``scope`` (optionally of one state: 在岗 / 已离职 / 已返乡), by
    township and name, with what a row shows loaded in the same query."""
    rows = scope.filter(status=status) if status else scope
    return rows.select_related("worker", "worker__home_township", "current_workplace").order_by(
        "worker__home_township_id", "worker__name", "started_on", "pk"
    )


def census_row(employment: Employment, today: dt.date) -> CensusRow:
    return CensusRow(
        employment, months_worked_on(employment, today), employment.worker.age_on(today)
    )


# A census file's columns after 序号: (header, value of a CensusRow).
CENSUS_COLUMNS: tuple[tuple[str | Promise, Callable[[CensusRow], object]], ...] = (
    (gettext_lazy("姓名"), lambda row: row.worker.name),
    (gettext_lazy("性别"), lambda row: row.worker.get_sex_display()),
    (gettext_lazy("年龄"), lambda row: row.age),
    (gettext_lazy("身份证号"), lambda row: row.worker.id_number_masked),
    (
        gettext_lazy("乡镇"),
        lambda row: row.worker.home_township.name if row.worker.home_township_id else "",
    ),
    (gettext_lazy("当前状态"), lambda row: row.employment.get_status_display()),
    (gettext_lazy("用工企业"), lambda row: row.employment.current_employer_name),
    (gettext_lazy("务工所在县区"), lambda row: _place(row.employment.current_workplace)),
    (gettext_lazy("到岗日期"), lambda row: row.employment.started_on),
    (gettext_lazy("本次连续务工起始日"), lambda row: row.employment.working_since),
    (gettext_lazy("连续务工月数"), lambda row: row.months.continuous),
    (gettext_lazy("累计务工月数"), lambda row: row.months.total),
    (gettext_lazy("手机号"), lambda row: row.worker.phone_masked),
)


def census_xlsx(rows: QuerySet[Employment], *, today: dt.date) -> bytes:
    """Return the census as .xlsx (ID numbers and phones masked) through the one writer."""
    return _rows_xlsx(
        rows, today=today, title=_("月度在岗摸底表"), row_of=census_row, columns=CENSUS_COLUMNS
    )
