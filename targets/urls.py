from django.urls import path

from targets import views

app_name = "targets"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("pairing/<int:key>/", views.scope_dashboard, {"kind": "pairing"}, name="pairing"),
    path("county/<str:key>/", views.scope_dashboard, {"kind": "county"}, name="county"),
    path(
        "pairing/<int:key>/report.xlsx",
        views.report_xlsx,
        {"kind": "pairing"},
        name="pairing_report_xlsx",
    ),
    path(
        "county/<str:key>/report.xlsx",
        views.report_xlsx,
        {"kind": "county"},
        name="county_report_xlsx",
    ),
    path(
        "pairing/<int:key>/monthly/",
        views.monthly_report,
        {"kind": "pairing"},
        name="pairing_monthly",
    ),
    path(
        "county/<str:key>/monthly/", views.monthly_report, {"kind": "county"}, name="county_monthly"
    ),
    path(
        "pairing/<int:key>/annual/", views.annual_report, {"kind": "pairing"}, name="pairing_annual"
    ),
    path("county/<str:key>/annual/", views.annual_report, {"kind": "county"}, name="county_annual"),
    path("all/", views.scope_dashboard, {"kind": "all", "key": ""}, name="all"),
    path("all/report.xlsx", views.report_xlsx, {"kind": "all", "key": ""}, name="all_report_xlsx"),
    path("employer/", views.employer_home, name="employer_home"),
    path("employer/<int:key>/", views.employer_dashboard, name="employer"),
    path("employer/<int:key>/report.xlsx", views.employer_report_xlsx, name="employer_report_xlsx"),
    path("lists/", views.lists, name="lists"),
    path("pairing/<int:key>/lists/", views.scope_lists, {"kind": "pairing"}, name="pairing_lists"),
    path("county/<str:key>/lists/", views.scope_lists, {"kind": "county"}, name="county_lists"),
    path(
        "pairing/<int:key>/lists/<str:which>.xlsx",
        views.list_xlsx,
        {"kind": "pairing"},
        name="pairing_list_xlsx",
    ),
    path(
        "county/<str:key>/lists/<str:which>.xlsx",
        views.list_xlsx,
        {"kind": "county"},
        name="county_list_xlsx",
    ),
    path("pairing/<int:pk>/lists/pin/", views.snapshot_pin, name="snapshot_pin"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/template.xlsx", views.target_template, name="target_template"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
]
