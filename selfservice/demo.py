"""Demo step: personal links for the demo's travellers and placed workers; one printed."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from laborbridge.models import Role, User
from selfservice import services
from workers.models import Worker


def demo_links_issue(*, base_url: str) -> list[str]:
    """Give each demo traveller (a held seat) and placed worker without a live link one,
    issued by the demo coordinator; issue a fresh one for the first of them and return the
    line that prints its address (its token exists only now). Nothing when the demo has no
    travellers yet, or no coordinator login."""
    actor = User.objects.filter(username="coordinator", role=Role.COORDINATOR).first()
    if actor is None:
        return []
    workers = list(
        Worker.objects.filter(
            Q(transport_seats__released_at__isnull=True, transport_seats__isnull=False)
            | Q(employments__isnull=False)
        )
        .distinct()
        .order_by("pk")
    )
    if not workers:
        return []
    with transaction.atomic():
        fresh = [w for w in workers if not w.personal_links.filter(revoked_at=None).exists()]
        for worker in fresh:
            services.link_issue(actor=actor, worker=worker)
        shown = workers[0]
        _link, token = services.link_issue(actor=actor, worker=shown)
    url = base_url.rstrip("/") + reverse("selfservice_public:me", args=[token])
    return [
        f"Personal links: {len(fresh)} issued ({len(workers)} travellers and placed workers).",
        f"A worker's own page (no login; {shown.name}): {url}",
    ]
