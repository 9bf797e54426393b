from django.urls import path
from rest_framework.routers import DefaultRouter

from jobs.api import (
    BoardVacancyListView,
    EmployerViewSet,
    VacancyImportViewSet,
    VacancyViewSet,
)

router = DefaultRouter()
router.register("employers", EmployerViewSet, basename="employer")
router.register("vacancies", VacancyViewSet, basename="vacancy")
router.register("vacancy-imports", VacancyImportViewSet, basename="vacancy-import")

urlpatterns = [
    path(
        "board/<slug:campaign_code>/vacancies/",
        BoardVacancyListView.as_view(),
        name="board-vacancies",
    ),
    *router.urls,
]
