"""Workers registered in bulk: a hook the floors above listen to (matching's rolling mode).

A roster import writes workers with plain INSERTs (``laborbridge.imports.writing``), so no
``post_save`` is sent; the importer announces the new workers' ids through
``workers_registered`` inside its transaction instead. Keyword argument: ``worker_ids``.
"""

from django.dispatch import Signal

workers_registered = Signal()


def workers_registered_send(*, worker_ids) -> None:
    """Announce that the workers of ``worker_ids`` were just registered."""
    worker_ids = sorted(set(worker_ids))
    if worker_ids:
        workers_registered.send(sender="import", worker_ids=worker_ids)
