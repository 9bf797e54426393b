from django.urls import path

from jobs.api import (
    BoardVacancyListView,
    EmployerViewSet,
    VacancyImportViewSet,
    VacancyViewSet,
)
from laborbridge.api import ApiRouter

router = ApiRouter()
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
