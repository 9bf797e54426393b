"""The public notice page (公示), reached without login by its unguessable slug."""

from django.urls import path

from subsidies import chain_views as views

app_name = "subsidy_public"

urlpatterns = [path("<str:slug>/", views.notice_public, name="notice")]
