"""The public campaign job board (no login), mounted at ``/c/``."""

from django.urls import path

from jobs import board_views

app_name = "jobs_public"

urlpatterns = [
    path("<slug:campaign_code>/", board_views.board, name="board"),
    path("<slug:campaign_code>/jobs/<int:pk>/", board_views.board_vacancy, name="vacancy"),
]
