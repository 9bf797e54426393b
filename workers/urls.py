from django.urls import path
from django.utils.translation import gettext_lazy as _

from laborbridge.imports.urls import import_urlpatterns
from workers import signup_views, views
from workers.importers import WorkerRosterImporter

app_name = "workers"

urlpatterns = [
    path("", views.worker_list, name="list"),
    path("new/", views.worker_create, name="create"),
    path("bulk/", views.workers_bulk, name="bulk"),
    path("export/", views.workers_export, name="export"),
    path("<int:pk>/", views.worker_detail, name="detail"),
    path("<int:pk>/edit/", views.worker_edit, name="edit"),
    path("<int:pk>/reveal/", views.worker_reveal, name="reveal"),
    path("<int:pk>/consent/", views.worker_consent, name="consent"),
    path("<int:pk>/consent/withdraw/", views.worker_consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/status/", views.worker_status, name="status"),
    path("pending/", signup_views.pending_list, name="pending"),
    path("pending/<int:pk>/", signup_views.pending_detail, name="pending_detail"),
    path("pending/<int:pk>/decide/", signup_views.pending_decide, name="pending_decide"),
    path("campaigns/", signup_views.campaign_posters, name="campaigns"),
    *import_urlpatterns(
        kind=WorkerRosterImporter.kind,
        name="import",
        route="import/",
        list_url_name="workers:list",
        list_label=_("查看名册"),
    ),
]
