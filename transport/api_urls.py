from laborbridge.api import ApiRouter
from transport.api.buses import BusViewSet
from transport.api.notifications import TransportNotificationViewSet
from transport.api.pickup_points import PickupPointViewSet
from transport.api.plans import TransportPlanViewSet
from transport.api.seats import SeatViewSet
from transport.api.trips import TripViewSet

router = ApiRouter()
router.register("transport/trips", TripViewSet, basename="transport-trip")
router.register("transport/plans", TransportPlanViewSet, basename="transport-plan")
router.register("transport/seats", SeatViewSet, basename="transport-seat")
router.register("transport/buses", BusViewSet, basename="transport-bus")
router.register("transport/pickup-points", PickupPointViewSet, basename="transport-pickup-point")
router.register(
    "transport/notifications", TransportNotificationViewSet, basename="transport-notification"
)

urlpatterns = router.urls
