from django.urls import path

from jobs import views
from laborbridge.imports import import_urlpatterns

app_name = "jobs"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("vacancies/", views.vacancy_list, name="vacancy_list"),
    path("vacancies/new/", views.vacancy_create, name="vacancy_create"),
    path("vacancies/export/", views.vacancy_export, name="vacancy_export"),
    path("vacancies/<int:pk>/", views.vacancy_detail, name="vacancy_detail"),
    path("vacancies/<int:pk>/edit/", views.vacancy_edit, name="vacancy_edit"),
    path("vacancies/<int:pk>/status/", views.vacancy_transition, name="vacancy_transition"),
    # HR's candidate pages moved to matching; the old addresses and names redirect there.
    path(
        "vacancies/<int:pk>/candidates/",
        views.moved_to("matching:vacancy_candidates"),
        name="vacancy_candidates",
    ),
    path("candidates/", views.moved_to("matching:candidates"), name="candidates"),
    path(
        "candidates/<int:pk>/decide/",
        views.moved_to("matching:candidate_decide"),
        name="candidate_decide",
    ),
    path("employer/", views.employer_profile, name="employer_profile"),
    path("employer/districts/", views.district_options, name="district_options"),
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/<int:pk>/", views.employer_detail, name="employer_detail"),
    path("employers/<int:pk>/verify/", views.employer_verify, name="employer_verify"),
    # Upload → preview → commit of an .xlsx vacancy list, on the shared import machinery:
    # jobs:import, jobs:import_template, jobs:import_job, … (see laborbridge.imports).
    *import_urlpatterns(
        kind="jobs.vacancies",
        name="import",
        route="vacancies/import/",
        list_url_name="jobs:vacancy_list",
        templates={"start": "jobs/import_start.html", "job": "jobs/import_job.html"},
    ),
]
