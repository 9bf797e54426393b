from django.urls import path

from laborbridge.notifications import views as notification_views
from transport import views

app_name = "transport"

urlpatterns = [
    path("", views.trip_list, name="trip_list"),
    path("trips/new/", views.trip_create, name="trip_create"),
    path("trips/<int:pk>/", views.trip_detail, name="trip_detail"),
    path("trips/<int:pk>/edit/", views.trip_update, name="trip_update"),
    path("trips/<int:pk>/manifest/", views.trip_manifest, name="trip_manifest"),
    path("trips/<int:pk>/carrier-export/", views.carrier_export, name="carrier_export"),
    path("trips/<int:pk>/roll-call/", views.roll_call, name="roll_call"),
    path("buses/<int:pk>/manifest/", views.bus_manifest, name="bus_manifest"),
    path("buses/<int:pk>/vehicle/", views.bus_update, name="bus_update"),
    path("pickup-points/", views.pickup_points, name="pickup_points"),
    path("pickup-points/<int:pk>/edit/", views.pickup_point_update, name="pickup_point_update"),
    path("pickup-points/<int:pk>/remove/", views.pickup_point_remove, name="pickup_point_remove"),
    path("plans/run/", views.plan_run, name="plan_run"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/confirm/", views.plan_confirm, name="plan_confirm"),
    path("plans/<int:pk>/move/", views.plan_move, name="plan_move"),
    path("plans/<int:pk>/swap/", views.plan_swap, name="plan_swap"),
    path("plans/<int:pk>/fares/", views.plan_fares, name="plan_fares"),
    path("seats/<int:pk>/roll-call/", views.roll_call_mark, name="roll_call_mark"),
    path("seats/<int:pk>/roll-call/undo/", views.roll_call_undo, name="roll_call_undo"),
    path("seats/<int:pk>/call/", views.roll_call_phone, name="roll_call_phone"),
    path("seats/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("my-county/", views.county_travel, name="county_travel"),
    path("arrivals/", views.arrivals, name="arrivals"),
    # The notifications moved to the outbox (/notifications/); the first addresses still work.
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", notification_views.message_mark, name="notification_mark"),
    path(
        "notifications/read-all/",
        notification_views.messages_mark_all,
        name="notifications_mark_all",
    ),
]
