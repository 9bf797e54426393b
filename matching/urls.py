from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("my-county/", views.county_matches, name="county_matches"),
    path("matches/<int:pk>/answer/", views.worker_answer, name="worker_answer"),
]
