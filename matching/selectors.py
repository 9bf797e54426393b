"""Reads for matching pages and API, always scoped through ``laborbridge.access``."""

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from jobs.models import Vacancy
from jobs.selectors import AWAITING_EMPLOYER
from laborbridge import access
from laborbridge.models import User
from matching.models import Match, MatchRound
from matching.reasons import describe, rule_label
from workers.models import WorkerCertificate, WorkerSkill

FILL_CHART_SIZE = 12  # occupations on the round page's chart, the most matched first


def rounds_visible_to(user: User) -> QuerySet[MatchRound]:
    return MatchRound.objects.filter(campaign__in=access.campaigns_visible_to(user)).select_related(
        "campaign", "created_by"
    )


def round_charts(round_: MatchRound) -> dict:
    """Return the chart series of a finished round's statistics page."""
    stats = round_.statistics or {}
    # Every series is sorted largest first and leaves out zeros: a bar of 0 says nothing.
    unmatched = [
        {"label": describe({"code": code}), "value": count}
        for code, count in sorted(
            (stats.get("unmatched_by_reason") or {}).items(), key=lambda kv: (-kv[1], kv[0])
        )
        if count
    ]
    rules = [
        {"label": rule_label(code), "value": count}
        for code, count in sorted(
            (stats.get("no_eligible_by_rule") or {}).items(), key=lambda kv: (-kv[1], kv[0])
        )
        if count
    ]
    from laborbridge.models import Occupation

    by_occupation = stats.get("fill_by_occupation") or {}
    names = dict(Occupation.objects.filter(code__in=by_occupation).values_list("code", "name_zh"))
    occupations = sorted(
        ((code, entry) for code, entry in by_occupation.items() if entry.get("filled")),
        key=lambda kv: (-kv[1]["filled"], -kv[1]["headcount"], kv[0]),
    )[:FILL_CHART_SIZE]
    fill = [
        {
            "label": names.get(code, code),
            "value": entry["filled"],
            "total": entry["headcount"],
            "rate": round(100 * entry["filled"] / entry["headcount"]) if entry["headcount"] else 0,
        }
        for code, entry in occupations
    ]
    poverty_total = stats.get("poverty_workers", 0)
    return {
        "unmatched": unmatched,
        "rules": rules,
        "fill": fill,
        "poverty_rate": (stats.get("poverty_matched", 0) / poverty_total)
        if poverty_total
        else None,
        "overall_rate": (stats.get("matched", 0) / stats["workers"])
        if stats.get("workers")
        else None,
    }


def matches_for_county_page(user: User) -> QuerySet[Match]:
    return (
        access.matches_visible_to(user)
        .select_related(
            "worker", "vacancy__employer", "vacancy__district", "vacancy__occupation", "round"
        )
        .order_by("status", "-created_at")
    )


def candidates_for(user: User, *, vacancy: Vacancy | None = None) -> QuerySet[Match]:
    """Return the matches the user may see as candidates, those awaiting HR first."""
    matches = access.matches_visible_to(user)
    if vacancy is not None:
        matches = matches.filter(vacancy=vacancy)
    waiting_first = Case(
        When(AWAITING_EMPLOYER, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        matches.select_related("worker", "vacancy", "vacancy__occupation")
        .prefetch_related(
            Prefetch("worker__skills", WorkerSkill.objects.select_related("occupation")),
            Prefetch(
                "worker__certificates",
                WorkerCertificate.objects.select_related("certificate_type"),
            ),
        )
        .order_by(waiting_first, "-score", "-created_at", "-id")
    )


def worker_matches_section(request, worker) -> dict | None:
    """Return the context of the worker page's matches section: the user's scope only.

    A coordinator sees the matches of their pairing, not every match of a worker they may
    read (registered as a page section in ``MatchingConfig``).
    """
    matches = list(
        access.matches_visible_to(request.user)
        .filter(worker=worker)
        .select_related("vacancy", "vacancy__employer", "vacancy__district")
        .order_by("-created_at")[:10]
    )
    return {"matches": matches} if matches else None
