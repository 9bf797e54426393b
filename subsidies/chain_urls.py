"""Pages of the approval chain, notices, payment batches and the report (issue 14)."""

from django.urls import path

from subsidies import chain_views as views

app_name = "subsidy_chain"

urlpatterns = [
    path("applications/", views.application_list, name="applications"),
    path("applications/action/", views.application_action, name="action"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/send-back/", views.application_send_back, name="send_back"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/objections/", views.objection_record, name="objection_record"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("payments/", views.batch_list, name="batches"),
    path("payments/new/", views.batch_create, name="batch_create"),
    path("payments/<int:pk>/", views.batch_detail, name="batch"),
    path("payments/<int:pk>/export/", views.batch_export, name="batch_export"),
    path("payments/<int:pk>/paid/", views.batch_mark_paid, name="batch_paid"),
    path(
        "payments/<int:pk>/lines/<int:line_pk>/claw-back/",
        views.line_claw_back,
        name="claw_back",
    ),
    path(
        "payments/<int:pk>/lines/<int:line_pk>/account/",
        views.line_account,
        name="line_account",
    ),
    path("report/", views.report, name="report"),
    path("report/export/", views.report_export, name="report_export"),
]
