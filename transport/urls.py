from django.urls import path

from laborbridge.notifications import views as notification_views
from transport.views import arrivals, boarding, buses, pickup_points, plans, trips

app_name = "transport"

urlpatterns = [
    path("", trips.trip_list, name="trip_list"),
    path("trips/new/", trips.trip_create, name="trip_create"),
    path("trips/<int:pk>/", trips.trip_detail, name="trip_detail"),
    path("trips/<int:pk>/edit/", trips.trip_update, name="trip_update"),
    path("trips/<int:pk>/manifest/", trips.trip_manifest, name="trip_manifest"),
    path("trips/<int:pk>/carrier-export/", trips.carrier_export, name="carrier_export"),
    path("trips/<int:pk>/roll-call/", boarding.roll_call, name="roll_call"),
    path("buses/<int:pk>/manifest/", buses.bus_manifest, name="bus_manifest"),
    path("buses/<int:pk>/vehicle/", buses.bus_update, name="bus_update"),
    path("pickup-points/", pickup_points.pickup_points, name="pickup_points"),
    path(
        "pickup-points/<int:pk>/edit/",
        pickup_points.pickup_point_update,
        name="pickup_point_update",
    ),
    path(
        "pickup-points/<int:pk>/remove/",
        pickup_points.pickup_point_remove,
        name="pickup_point_remove",
    ),
    path("plans/run/", plans.plan_run, name="plan_run"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/confirm/", plans.plan_confirm, name="plan_confirm"),
    path("plans/<int:pk>/move/", plans.plan_move, name="plan_move"),
    path("plans/<int:pk>/swap/", plans.plan_swap, name="plan_swap"),
    path("plans/<int:pk>/fares/", plans.plan_fares, name="plan_fares"),
    path("seats/<int:pk>/roll-call/", boarding.roll_call_mark, name="roll_call_mark"),
    path("seats/<int:pk>/roll-call/undo/", boarding.roll_call_undo, name="roll_call_undo"),
    path("seats/<int:pk>/call/", boarding.roll_call_phone, name="roll_call_phone"),
    path("seats/<int:pk>/check-in/", arrivals.check_in, name="check_in"),
    path("my-county/", arrivals.county_travel, name="county_travel"),
    path("arrivals/", arrivals.arrivals, name="arrivals"),
    # The notifications moved to the outbox (/notifications/); the first addresses still work.
    path("notifications/", arrivals.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", notification_views.message_mark, name="notification_mark"),
    path(
        "notifications/read-all/",
        notification_views.messages_mark_all,
        name="notifications_mark_all",
    ),
]
