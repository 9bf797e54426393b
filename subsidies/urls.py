"""Pages of subsidies part 1: policies, eligibility, applications' evidence and pledge."""

from django.urls import path

from subsidies import intermediary_views, views

app_name = "subsidies"

urlpatterns = [
    path("policies/", views.policy_list, name="policies"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/import/", views.policy_import, name="policy_import"),
    path("policies/<int:pk>/", views.policy_detail, name="policy"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/budget/", views.policy_budget, name="policy_budget"),
    path("policies/<int:pk>/eligibility/<str:county>/", views.eligibility, name="eligibility"),
    path(
        "policies/<int:pk>/eligibility/<str:county>/run/",
        views.eligibility_run,
        name="eligibility_run",
    ),
    path(
        "policies/<int:pk>/eligibility/<str:county>/apply-all/",
        views.applications_auto,
        name="applications_auto",
    ),
    path(
        "policies/<int:pk>/eligibility/<str:county>/apply/<int:worker>/",
        views.application_create,
        name="application_create",
    ),
    path("applications/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("applications/<int:pk>/pledge/", views.pledge_print, name="pledge"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("intermediaries/", intermediary_views.intermediary_list, name="intermediaries"),
    path("intermediaries/new/", intermediary_views.intermediary_create, name="intermediary_create"),
    path(
        "intermediaries/xlsx/", intermediary_views.intermediary_export, name="intermediary_export"
    ),
    path(
        "intermediaries/assign/<int:worker>/",
        intermediary_views.intermediary_assign,
        name="intermediary_assign",
    ),
    path("intermediaries/<int:pk>/", intermediary_views.intermediary_detail, name="intermediary"),
    path(
        "intermediaries/<int:pk>/link/",
        intermediary_views.intermediary_link,
        name="intermediary_link",
    ),
    path(
        "intermediaries/<int:pk>/id-code/",
        intermediary_views.intermediary_id_code,
        name="intermediary_id_code",
    ),
    path(
        "intermediaries/<int:pk>/approve/",
        intermediary_views.intermediary_bonus_approve,
        name="intermediary_bonus_approve",
    ),
    path(
        "intermediaries/<int:pk>/unlink/<int:worker>/",
        intermediary_views.intermediary_unlink,
        name="intermediary_unlink",
    ),
]
