"""A plan's parameters: the planner knobs a coordinator may set and the bus fares.

Apart from the services so that the run (``transport.runs``), the reads
(``transport.selectors``) and the writes all use them without importing one another.
"""

from transport import planner
from transport.models import TransportPlan

# Cost of a chartered feeder / arrival bus for one run, in yuan, when a plan does not say.
BUS_FARE_DEFAULTS = {"feeder_bus_fare": 1500, "arrival_bus_fare": 800}
# A bus fare at or above this is a typo (a whole train costs less than a million).
BUS_FARE_MAX = 1_000_000
# The planner parameters a coordinator may set for a run (the rest keep their defaults).
PLANNER_PARAMS = (
    "max_wait_days",
    "station_buffer_minutes",
    "airport_buffer_minutes",
    "feeder_bus_seats",
    "arrival_bus_seats",
    "feeder_max_ride_minutes",
    "arrival_max_ride_minutes",
    "min_fill_special_train",
    "min_fill_reserved_carriage",
    "min_fill_chartered_bus",
    "min_fill_charter_flight",
    "own_bus_min_fill",
)


def planner_params(plan: TransportPlan) -> planner.Params:
    """Return the planner's parameters for ``plan``: its knobs, seed and bus fares."""
    knobs = {k: v for k, v in plan.params.items() if k in PLANNER_PARAMS}
    # The plan's bus fares are what the planner weighs a bus against travellers' waiting with
    # (a trip's own fares only change the cost accounts afterwards).
    fares = {
        name: float(plan.params.get(name, BUS_FARE_DEFAULTS[name])) for name in BUS_FARE_DEFAULTS
    }
    return planner.Params(
        seed=plan.seed,
        feeder_bus_cost=fares["feeder_bus_fare"],
        arrival_bus_cost=fares["arrival_bus_fare"],
        **knobs,
    )
