"""Mark the dashboards' aggregates dirty when what they count changes (targets.aggregates).

Saves and deletes of the rows the direct definitions read. Bulk writes send no signal; the
scheduled refresh (Celery beat) picks those up.
"""

from django.db.models.signals import post_delete, post_save

from targets.aggregates import aggregates_changed


def _changed(sender, **kwargs) -> None:
    aggregates_changed()


def signals_connect() -> None:
    """Connect the handlers (called once from ``TargetsConfig.ready``)."""
    from matching.models import Match
    from transport.models import Seat
    from workers.models import Employment, WishCity, WishOccupation, Worker

    for model in (Employment, Worker, Match, Seat, WishOccupation, WishCity):
        for signal in (post_save, post_delete):
            signal.connect(
                _changed, sender=model, dispatch_uid=f"targets-aggregates-{model.__name__}"
            )
