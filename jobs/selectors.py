"""Reads for employers and vacancies, always starting from ``access``.

HR's candidate pages read matches in ``matching.selectors``; this floor only counts the
matches that wait for the employer's answer, through the reverse relation and ``access``.
"""

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from jobs.models import Employer, Vacancy, VacancyStatus, VerificationStatus
from laborbridge import access
from laborbridge.models import Campaign, Region, Role, User
from laborbridge.selectors import chart_series

# Matches on which HR has to say yes or no: offered to both sides (or already accepted by
# the worker) and the employer has not answered.
_AWAITING_STATUSES = ("offered", "accepted")
AWAITING_EMPLOYER = Q(status__in=_AWAITING_STATUSES, employer_decision="pending")


def vacancy_list_for(
    user: User,
    *,
    status: str = "",
    campaign: Campaign | None = None,
    occupation: str = "",
    query: str = "",
) -> QuerySet[Vacancy]:
    """Return the vacancies the user may see, filtered, with what a list row shows."""
    vacancies = access.vacancies_visible_to(user).select_related(
        "employer", "occupation", "district", "campaign"
    )
    if status:
        vacancies = vacancies.filter(status=status)
    if campaign is not None:
        vacancies = vacancies.filter(campaign=campaign)
    if occupation:
        vacancies = vacancies.filter(occupation__code=occupation)
    if query:
        vacancies = vacancies.filter(Q(title__icontains=query) | Q(employer__name__icontains=query))
    # GROUP BY drops Meta.ordering, so the list order is spelled out.
    return vacancies.annotate(
        awaiting_count=Count("matches", filter=_matches_awaiting_q("matches__"), distinct=True)
    ).order_by("-created_at", "-id")


def _matches_awaiting_q(prefix: str) -> Q:
    return Q(
        **{
            f"{prefix}status__in": _AWAITING_STATUSES,
            f"{prefix}employer_decision": "pending",
        }
    )


def vacancy_detail_for(user: User) -> QuerySet[Vacancy]:
    """Return the user's visible vacancies with everything the detail page shows."""
    return (
        access.vacancies_visible_to(user)
        .select_related("employer", "occupation", "district", "campaign")
        .prefetch_related("required_certificates")
    )


def hr_dashboard_for(user: User) -> dict:
    """Return the HR dashboard: live vacancies with places filled / left, and who waits."""
    vacancies = access.vacancies_visible_to(user)
    live = list(
        vacancy_list_for(user)
        .filter(status__in=[VacancyStatus.OPEN, VacancyStatus.PAUSED, VacancyStatus.FILLED])
        .order_by("status", "start_date", "id")
    )
    by_status = dict(
        vacancies.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    totals = vacancies.filter(status=VacancyStatus.OPEN).aggregate(
        headcount=Sum("headcount"), filled=Sum("filled_count")
    )
    awaiting = (
        access.matches_visible_to(user)
        .filter(AWAITING_EMPLOYER)
        .select_related("worker", "vacancy")
        .order_by("-score", "-created_at", "-id")
    )
    return {
        "live_vacancies": live,
        "status_counts": [
            {"status": value, "label": label, "count": by_status.get(value, 0)}
            for value, label in VacancyStatus.choices
        ],
        "open_headcount": totals["headcount"] or 0,
        "open_filled": totals["filled"] or 0,
        "open_remaining": (totals["headcount"] or 0) - (totals["filled"] or 0),
        "awaiting_count": awaiting.count(),
        "awaiting": list(awaiting[:10]),
    }


def employer_list_for(user: User, *, status: str = "", query: str = "") -> QuerySet[Employer]:
    """Return the employers the user may see, pending review first, with vacancy counts."""
    employers = access.employers_visible_to(user).select_related("district", "city")
    if status:
        employers = employers.filter(verification_status=status)
    if query:
        employers = employers.filter(Q(name__icontains=query) | Q(credit_code__icontains=query))
    pending_first = Case(
        When(verification_status=VerificationStatus.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return employers.annotate(
        vacancy_count=Count("vacancies", distinct=True),
        open_count=Count(
            "vacancies", filter=Q(vacancies__status=VacancyStatus.OPEN), distinct=True
        ),
    ).order_by(pending_first, "name", "id")


def city_choices() -> QuerySet[Region]:
    """Return the regions an employer's "city" may be: prefecture-level cities, and the
    municipalities (Beijing, Tianjin, Shanghai, Chongqing) whose districts hang directly
    under the province."""
    return (
        Region.objects.filter(
            Q(level=Region.Level.CITY)
            | Q(level=Region.Level.PROVINCE, children__level=Region.Level.COUNTY)
        )
        .distinct()
        .order_by("code")
    )


def district_choices(city: Region | str | None) -> QuerySet[Region]:
    """Return the county-level districts of a city (none when no city is given)."""
    code = city.code if isinstance(city, Region) else city
    if not code:
        return Region.objects.none()
    return Region.objects.filter(parent_id=code, level=Region.Level.COUNTY).order_by("code")


def campaign_choices_for(employer: Employer) -> QuerySet[Campaign]:
    """Return the campaigns a vacancy of ``employer`` may join: those of the pairings whose
    eastern region contains the employer."""
    ids = [
        campaign.pk
        for campaign in Campaign.objects.select_related("pairing__east_region")
        if campaign.pairing.east_region.contains(employer.district_id)
    ]
    return Campaign.objects.filter(pk__in=ids).order_by("-starts_on", "code")


def home_figures(user: User) -> dict:
    """Return the employer and vacancy figures of the user's home page (see ``JobsConfig``)."""
    vacancies = access.vacancies_visible_to(user)
    employers = access.employers_visible_to(user)
    open_vacancies = vacancies.filter(status=VacancyStatus.OPEN)
    data: dict = {
        "vacancy_open": open_vacancies.count(),
        "headcount_open": open_vacancies.aggregate(n=Sum("headcount"))["n"] or 0,
        "employer_total": employers.count(),
    }
    if vacancies.exists():
        data["vacancies_by_status"] = chart_series(
            vacancies.values(key=F("status")).annotate(n=Count("id")), dict(VacancyStatus.choices)
        )
        data["headcount_by_occupation"] = chart_series(
            open_vacancies.values(key=F("occupation__name_zh"))
            .annotate(n=Sum("headcount"))
            .order_by("-n")[:10]
        )
    if employers.exists() and not access.has_role(user, Role.EMPLOYER_HR):
        data["employers_by_verification"] = chart_series(
            employers.values(key=F("verification_status")).annotate(n=Count("id")),
            dict(VerificationStatus.choices),
        )
    return data
