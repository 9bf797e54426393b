"""Pages of point-to-point transport, one module per area.

Coordinators: trips (list, create, edit, detail), manifests and the carrier's real-name export
(``trips``); planning runs with a live progress bar, plan review and adjustment, confirmation
(``plans``); buses (``buses``); the boarding roll call (``boarding``); pickup points, with
county officials (``pickup_points``). County officials: where each of their workers travels;
HR: who arrives when, and the gate check-in (``arrivals``).

Each view reads through ``laborbridge.access`` (404 outside the user's scope; 403 for a page
the user's role never has) and writes through ``transport.services``.
"""
