from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("vacancies/", views.vacancy_list, name="vacancy_list"),
    path("vacancies/<int:pk>/", views.vacancy_detail, name="vacancy_detail"),
    path("employers/", views.employer_list, name="employer_list"),
]
