from django.urls import path

from laborbridge.imports.urls import import_urlpatterns
from placement import views, views_rosters
from placement.importers import WageRosterImporter

app_name = "placement"

urlpatterns = [
    path("employments/<int:pk>/record/", views.event_record, name="event_record"),
    path("regions/options/", views.region_options_partial, name="region_options"),
    path("wage-flags/", views.wage_flags, name="wage_flags"),
    # HR's monthly wage roster (工资花名册) on the shared import machinery:
    # placement:wage_import, placement:wage_import_template, placement:wage_import_job, …
    *import_urlpatterns(kind=WageRosterImporter.kind, name="wage_import", route="wages/import/"),
    # Rosters and exports people must file (issue 13).
    path("roster/", views_rosters.roster, name="roster"),
    path("roster/export/", views_rosters.roster_export, name="roster_export"),
    path("roster/<int:pk>/phone/", views_rosters.roster_reveal_phone, name="roster_reveal_phone"),
    path("census/", views_rosters.census, name="census"),
    path("census/export/", views_rosters.census_export, name="census_export"),
    path("poverty-exports/", views_rosters.poverty_exports, name="poverty_exports"),
    path("poverty-exports/<int:pk>/", views_rosters.poverty_export_detail, name="poverty_export"),
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
