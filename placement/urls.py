from django.urls import path

from placement import views, views_rosters

app_name = "placement"

urlpatterns = [
    path("employments/<int:pk>/record/", views.event_record, name="event_record"),
    # Rosters and exports people must file (issue 13).
    path("roster/", views_rosters.roster, name="roster"),
    path("roster/export/", views_rosters.roster_export, name="roster_export"),
    path(
        "roster/<int:pk>/phone/", views_rosters.roster_reveal_phone, name="roster_reveal_phone"
    ),
    path("poverty-exports/", views_rosters.poverty_exports, name="poverty_exports"),
    path(
        "poverty-exports/<int:pk>/", views_rosters.poverty_export_detail, name="poverty_export"
    ),
    path(
        "poverty-exports/<int:pk>/progress/",
        views_rosters.poverty_export_progress,
        name="poverty_export_progress",
    ),
    path(
        "poverty-exports/<int:pk>/download/",
        views_rosters.poverty_export_download,
        name="poverty_export_download",
    ),
    path(
        "poverty-exports/<int:pk>/report/",
        views_rosters.poverty_export_report,
        name="poverty_export_report",
    ),
]
