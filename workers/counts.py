"""The worker list's count of a county (or of every worker, for admins), kept in Redis.

The list's first page and the API's say "共 50,000 人": a COUNT over the county's index
entries on every first page (~0.7 ms of ORM work and 2.5-10 ms of PostgreSQL at 50,000
workers, issue 17 item 3). The unfiltered count of a county official's or an admin's list is
kept by ``laborbridge.badges`` until a worker is registered (saved, imported: the importer's
``workers_registered``), deleted or moved to another county; filtered and searched lists, and
the other roles' scopes (pairings, townships, placements), are counted on every page.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from laborbridge import access
from laborbridge.badges import Badge, badge_changed, badge_counts
from laborbridge.models import User
from workers.changes import workers_registered
from workers.models import Worker
from workers.selectors import worker_list_scope

LIST_COUNT = "workers-count"


def worker_list_badge(user: User) -> Badge:
    """Return the count of the workers ``user`` sees, unfiltered
    (``access.workers_visible_to``): kept in Redis for the scopes of ``worker_list_scope``,
    counted every time for the others."""
    scope = worker_list_scope(user)
    return Badge(
        None if scope is None else LIST_COUNT,
        scope or (),
        lambda: access.workers_visible_to(user).count(),
    )


def worker_list_count(user: User) -> int:
    """Return how many workers ``user`` sees, unfiltered (``worker_list_badge``)."""
    return badge_counts([worker_list_badge(user)])[0]


def workers_changed(**_kwargs) -> None:
    """Announce that workers were added, removed or moved: the lists count again."""
    badge_changed(LIST_COUNT)


def _worker_saved(created: bool, update_fields=None, **_kwargs) -> None:
    # Saves naming their fields without home_county (status, consent) move no one.
    if created or update_fields is None or "home_county" in update_fields:
        workers_changed()


post_save.connect(_worker_saved, sender=Worker, dispatch_uid="count-worker-saved")
post_delete.connect(workers_changed, sender=Worker, dispatch_uid="count-worker-deleted")
workers_registered.connect(workers_changed, dispatch_uid="count-workers-registered")
