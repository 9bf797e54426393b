"""Writes of point-to-point transport: keyword-only, atomic, audited — one module per concern.

- ``pickup_points``: a county's pickup points (create, edit, remove or deactivate);
- ``trips``: trips and their cars; new times move the trip's buses;
- ``plans``: queue a planning run (its Celery task runs ``transport.runs``), bus fares, confirm;
- ``seats``: the coordinator's adjustments — move a traveller, swap two seats;
- ``bus_rides``: put a traveller on (or take them off) a trip's feeder and arrival buses by
  hand; the times come from the pure ``transport.planner.rides``;
- ``buses``: the hired vehicle and its driver;
- ``boarding``: the roll call (no-shows and their correction, the escort's call) and the
  gate check-in;
- ``carrier``: the carrier's real-name workbook, audited;
- ``capacity``: the seat and bus counters and the lock order every write follows;
- ``errors``: what they raise.

Callers import the module of the concern: ``from transport.services import trips``.
"""
