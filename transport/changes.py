"""What a traveller's trip became: a hook the floors above listen to (outreach texts it).

Transport may not import the floors above, so its services announce the changes a traveller
must hear about through ``travellers_moved``, sent inside the service's transaction once the
change is complete (the seat written, the bus rides redone, the buses retimed) — listeners
read the final state and their writes commit or roll back with the change.

A model ``post_save`` would not do: a seat swap writes with ``QuerySet.update()`` (the
unique seat index holds mid-swap), a move saves the seat before its bus rides change, and
a new departure time is saved before the trip's feeder buses are moved with it.

Keyword arguments: ``actor`` (the user who made the change), ``seat_ids`` (the travellers'
seats, in ``pk`` order), ``cause`` (one of ``MOVE``, ``SWAP``, ``RETIME``).
"""

from django.dispatch import Signal

MOVE = "move"
SWAP = "swap"
RETIME = "retime"

travellers_moved = Signal()


def travellers_moved_send(*, actor, seat_ids, cause: str) -> None:
    """Announce that the travellers of ``seat_ids`` have a new trip, seat or time."""
    seat_ids = sorted(set(seat_ids))
    if seat_ids:
        travellers_moved.send(sender=cause, actor=actor, seat_ids=seat_ids, cause=cause)
