"""Reads of the approval chain: a notice's rows as the public sees them, and the report per
county and policy (eligible, applied, in notice, approved, paid, against the budget)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.models import Region
from laborbridge.spreadsheets import xlsx_table
from subsidies.models import (
    Application,
    ApplicationStatus,
    EligibilityOutcome,
    EligibilityResult,
    IntermediaryBonus,
    IntermediaryBonusStatus,
    Notice,
    PaymentClawback,
    Policy,
    PolicyBudget,
)

S = ApplicationStatus
IN_NOTICE = (S.TOWNSHIP_NOTICE, S.COUNTY_NOTICE)
APPROVED = (S.APPROVED, S.PAID, S.PAYMENT_FAILED)
EVER_PAID = (S.PAID, S.CLAWED_BACK)
CLOSED = (S.REJECTED, S.WITHDRAWN)


def mask_name(name: str) -> str:
    """Return a name as a public notice shows it: 张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass
class NoticeRow:
    name: str
    sex: str
    age: int
    work_period: str
    workplace: str
    employer: str
    amount: int


def notice_rows(notice: Notice) -> list[NoticeRow]:
    """Return the notice's list as published: masked names, no ID numbers."""
    rows = []
    apps = notice.applications.select_related("worker", "workplace").order_by(
        "village_name", "worker__name", "pk"
    )
    for app in apps:
        worker = app.worker
        start = app.work_started_on.isoformat() if app.work_started_on else "—"
        end = app.work_ended_on.isoformat() if app.work_ended_on else _("至今")
        rows.append(
            NoticeRow(
                name=mask_name(worker.name),
                sex=worker.get_sex_display(),
                age=worker.age_on(notice.starts_on),
                work_period=f"{start} — {end}",
                workplace=app.workplace.full_name if app.workplace_id else "",
                employer=app.employer_name,
                amount=app.amount_frozen or app.amount,
            )
        )
    return rows


@dataclass
class ReportRow:
    county: Region
    policy: Policy
    eligible: int
    applied: int
    in_notice: int
    approved: int
    approved_amount: int
    paid: int
    paid_amount: int
    budget: int | None
    clawed_back_amount: int = 0

    @property
    def net_paid_amount(self) -> int:
        """Return what was paid and kept: paid less the (partial or full) claw-backs."""
        return self.paid_amount - self.clawed_back_amount

    @property
    def budget_left(self) -> int | None:
        return None if self.budget is None else self.budget - self.approved_amount


def report_rows(counties: QuerySet[Region]) -> list[ReportRow]:
    """Return one row per county and policy that has a budget or applications there."""
    county_ids = list(counties.values_list("pk", flat=True))
    stats = {
        (row["county_id"], row["policy_id"]): row
        for row in Application.objects.filter(county_id__in=county_ids)
        .exclude(status__in=CLOSED)
        .values("county_id", "policy_id")
        .annotate(
            applied=Count("id"),
            in_notice=Count("id", filter=Q(status__in=IN_NOTICE)),
            approved=Count("id", filter=Q(status__in=APPROVED)),
            approved_amount=Sum("amount_frozen", filter=Q(status__in=APPROVED)),
            # Paid, including what was later clawed back (shown beside it, then the net).
            paid=Count("id", filter=Q(status__in=EVER_PAID)),
            paid_amount=Sum("amount_frozen", filter=Q(status__in=EVER_PAID)),
        )
        .order_by()
    }
    eligible = {
        (row["county_id"], row["policy_id"]): row["n"]
        for row in EligibilityResult.objects.filter(
            county_id__in=county_ids, outcome=EligibilityOutcome.ELIGIBLE
        )
        .values("county_id", "policy_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    # Intermediaries' bonuses (输转奖补) are approved and paid under their policy's budget
    # too: each one counts as one payee beside the applications.
    for row in (
        IntermediaryBonus.objects.filter(county_id__in=county_ids)
        .exclude(status=IntermediaryBonusStatus.REVOKED)
        .values("county_id", "policy_id")
        .annotate(
            approved=Count("id", filter=Q(status__in=APPROVED)),
            approved_amount=Sum("amount_frozen", filter=Q(status__in=APPROVED)),
            paid=Count("id", filter=Q(status__in=EVER_PAID)),
            paid_amount=Sum("amount_frozen", filter=Q(status__in=EVER_PAID)),
        )
        .order_by()
    ):
        merged = stats.setdefault((row["county_id"], row["policy_id"]), {})
        for name in ("approved", "approved_amount", "paid", "paid_amount"):
            merged[name] = (merged.get(name) or 0) + (row[name] or 0)
    clawed_back: dict[tuple[str, int], int] = {}
    for prefix in ("line__application__", "line__bonus__"):
        for row in (
            PaymentClawback.objects.filter(**{f"{prefix}county_id__in": county_ids})
            .values(f"{prefix}county_id", f"{prefix}policy_id")
            .annotate(n=Sum("amount"))
            .order_by()
        ):
            key = (row[f"{prefix}county_id"], row[f"{prefix}policy_id"])
            clawed_back[key] = clawed_back.get(key, 0) + row["n"]
    budgets = {
        (b.county_id, b.policy_id): b.amount
        for b in PolicyBudget.objects.filter(county_id__in=county_ids)
    }
    keys = sorted(set(stats) | set(budgets) | set(eligible))
    regions = Region.objects.in_bulk([c for c, _p in keys])
    policies = Policy.objects.in_bulk([p for _c, p in keys])
    rows = []
    for county_id, policy_id in keys:
        row = stats.get((county_id, policy_id), {})
        rows.append(
            ReportRow(
                county=regions[county_id],
                policy=policies[policy_id],
                eligible=eligible.get((county_id, policy_id), 0),
                applied=row.get("applied", 0),
                in_notice=row.get("in_notice", 0),
                approved=row.get("approved", 0),
                approved_amount=row.get("approved_amount") or 0,
                paid=row.get("paid", 0),
                paid_amount=row.get("paid_amount") or 0,
                budget=budgets.get((county_id, policy_id)),
                clawed_back_amount=clawed_back.get((county_id, policy_id), 0),
            )
        )
    return rows


def report_xlsx(rows: list[ReportRow]) -> bytes:
    """Return the report as a one-sheet .xlsx."""
    headers = [
        _("县区"),
        _("补贴政策"),
        _("符合条件人数"),
        _("已申报人数"),
        _("公示中人数"),
        _("已审批人数"),
        _("已审批金额（元）"),
        _("已发放人数"),
        _("已发放金额（元）"),
        _("已追回金额（元）"),
        _("实发净额（元）"),
        _("预算（元）"),
        _("预算余额（元）"),
    ]
    return xlsx_table(
        title=_("补贴统计"),
        headers=headers,
        rows=(
            [
                r.county.name,
                str(r.policy),
                r.eligible,
                r.applied,
                r.in_notice,
                r.approved,
                r.approved_amount,
                r.paid,
                r.paid_amount,
                r.clawed_back_amount,
                r.net_paid_amount,
                r.budget,
                r.budget_left,
            ]
            for r in rows
        ),
    )


def worker_subsidies_section(request, worker) -> dict | None:
    """Return the worker page's subsidies section: the worker's applications the user reads,
    each with what was paid and clawed back (registered in ``SubsidiesConfig``)."""
    apps = list(
        access.subsidy_applications_visible_to(request.user)
        .filter(worker=worker)
        .select_related("policy")
        .prefetch_related("payment_lines__clawbacks")
        .order_by("-policy_year", "id")
    )
    if not apps:
        return None
    for app in apps:
        lines = [line for line in app.payment_lines.all() if line.status != "failed"]
        app.paid_total = sum(line.amount for line in lines)
        app.clawbacks_list = [c for line in lines for c in line.clawbacks.all()]
        app.clawed_back_total = sum(c.amount for c in app.clawbacks_list)
    return {"applications": apps}
