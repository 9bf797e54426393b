"""Reads of follow-ups and placed workers, always inside ``laborbridge.access`` scopes."""

from django.db.models import QuerySet

from laborbridge import access
from laborbridge.models import User
from workers.models import Employment, EmploymentStatus


def placed_list_for(user: User, *, status: str = "") -> QuerySet[Employment]:
    """Return the placed workers' employment records the user sees, with what a row shows."""
    rows = access.employments_visible_to(user).select_related(
        "worker", "worker__home_county", "employer", "employer__district"
    )
    if status in EmploymentStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-started_on", "-id")


def home_figures(user: User) -> dict:
    """Return the home figures of follow-ups: a liaison's placed workers."""
    if not access.has_role(user, *access.LIAISONS) or access.is_admin(user):
        return {}
    return {
        "placed_total": access.employments_visible_to(user)
        .filter(status=EmploymentStatus.EMPLOYED)
        .count()
    }
