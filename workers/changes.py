"""Workers registered or made matchable in bulk: a hook the floors above listen to
(matching's rolling mode).

A roster import writes workers with plain INSERTs (``laborbridge.imports.writing``) and bulk
consent with one UPDATE, so no ``post_save`` is sent; each announces the workers' ids through
``workers_registered`` inside its transaction instead. Keyword argument: ``worker_ids``; the
sender names the source ("import", "consent").
"""

from django.dispatch import Signal

workers_registered = Signal()


def workers_registered_send(*, worker_ids, source: str = "import") -> None:
    """Announce that the workers of ``worker_ids`` were just registered (or consented)."""
    worker_ids = sorted(set(worker_ids))
    if worker_ids:
        workers_registered.send(sender=source, worker_ids=worker_ids)
