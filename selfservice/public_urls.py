"""The worker's own page, reached by the personal link (no login)."""

from django.urls import path

from selfservice import views

app_name = "selfservice_public"

urlpatterns = [
    path("<slug:token>/", views.me, name="me"),
    path("<slug:token>/at-work/", views.at_work, name="at_work"),
    path("<slug:token>/job/", views.job_change, name="job_change"),
    path("<slug:token>/case/<slug:kind>/", views.case, name="case"),
]
