"""Reads for the role dashboards. Each takes a user and stays inside their scope.

The home page's figures come from the apps that own them (``laborbridge.registry``); this
module adds the core's own (campaigns, pairings) and the chart helper they share.
"""

from collections.abc import Iterable, Mapping

from laborbridge import access, registry
from laborbridge.models import User


def chart_series(rows: Iterable[Mapping], labels: Mapping | None = None) -> list[dict]:
    """Return chart points ``{label, value}`` from rows ``{key, n}``, largest first.

    Zero rows are left out (a dashboard shows what is there, not every empty category); with
    ``labels`` a key is shown by its label (e.g. a status's display name) and unknown keys
    keep the key. Equal values keep the rows' order.
    """
    points = [
        {"label": labels.get(row["key"], row["key"]) if labels else row["key"], "value": row["n"]}
        for row in rows
        if row["n"]
    ]
    return sorted(points, key=lambda point: -point["value"])


def core_home_figures(user: User) -> dict:
    """Return the core's figures of the home page: the user's campaigns and pairings."""
    return {
        "campaigns": list(access.campaigns_visible_to(user).select_related("pairing")[:5]),
        "pairings": list(access.pairings_of(user)),
    }


def dashboard_for(user: User) -> dict:
    """Return the figures and chart series of the user's home page."""
    return registry.home_figures_for(user)
