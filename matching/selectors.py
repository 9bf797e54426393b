"""Reads for matching pages and API, always scoped through ``laborbridge.access``."""

from django.db.models import QuerySet

from laborbridge import access
from laborbridge.models import User
from matching.models import Match, MatchRound
from matching.reasons import describe, rule_label

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
