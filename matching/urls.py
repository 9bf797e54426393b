from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("my-county/", views.county_matches, name="county_matches"),
    path("matches/<int:pk>/answer/", views.worker_answer, name="worker_answer"),
    # HR's candidates (their old addresses under /jobs/ redirect here).
    path("candidates/", views.candidates, name="candidates"),
    path("candidates/vacancy/<int:pk>/", views.vacancy_candidates, name="vacancy_candidates"),
    path("candidates/<int:pk>/decide/", views.candidate_decide, name="candidate_decide"),
]
