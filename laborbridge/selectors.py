"""Reads for the role dashboards. Each takes a user and stays inside their scope."""

from django.db.models import Count, F, Sum

from jobs.models import VacancyStatus, VerificationStatus
from laborbridge import access
from laborbridge.models import Region, User
from workers.models import PovertyStatus, WorkerStatus


def _series(rows, labels: dict[str, str]) -> list[dict]:
    counts = {row["key"]: row["n"] for row in rows}
    return [{"label": label, "value": counts.get(key, 0)} for key, label in labels.items()]


def dashboard_for(user: User) -> dict:
    """Return the figures and chart series of the user's home page."""
    workers = access.workers_visible_to(user)
    vacancies = access.vacancies_visible_to(user)
    employers = access.employers_visible_to(user)
    data: dict = {
        "worker_total": workers.count(),
        "vacancy_open": vacancies.filter(status=VacancyStatus.OPEN).count(),
        "headcount_open": vacancies.filter(status=VacancyStatus.OPEN).aggregate(n=Sum("headcount"))[
            "n"
        ]
        or 0,
        "employer_total": employers.count(),
        "campaigns": list(access.campaigns_visible_to(user).select_related("pairing")[:5]),
        "pairings": list(access.pairings_of(user)),
    }
    if data["worker_total"]:
        data["workers_by_status"] = _series(
            workers.values(key=F("status")).annotate(n=Count("id")),
            dict(WorkerStatus.choices),
        )
        data["workers_by_poverty"] = _series(
            workers.values(key=F("poverty_status")).annotate(n=Count("id")),
            dict(PovertyStatus.choices),
        )
        by_area = (
            workers.values(key=F("home_county_id")).annotate(n=Count("id")).order_by("-n")[:12]
            if user.is_superuser or user.role != "county_official"
            else workers.exclude(home_township=None)
            .values(key=F("home_township_id"))
            .annotate(n=Count("id"))
            .order_by("-n")[:12]
        )
        by_area = list(by_area)
        names = dict(
            Region.objects.filter(pk__in=[r["key"] for r in by_area]).values_list("code", "name")
        )
        data["workers_by_area"] = [
            {"label": names.get(r["key"], r["key"]), "value": r["n"]} for r in by_area
        ]
    if vacancies.exists():
        data["vacancies_by_status"] = _series(
            vacancies.values(key=F("status")).annotate(n=Count("id")), dict(VacancyStatus.choices)
        )
        data["headcount_by_occupation"] = [
            {"label": row["occupation__name_zh"], "value": row["n"]}
            for row in vacancies.filter(status=VacancyStatus.OPEN)
            .values("occupation__name_zh")
            .annotate(n=Sum("headcount"))
            .order_by("-n")[:10]
        ]
    if employers.exists() and not user.role == "employer_hr":
        data["employers_by_verification"] = _series(
            employers.values(key=F("verification_status")).annotate(n=Count("id")),
            dict(VerificationStatus.choices),
        )
    return data
