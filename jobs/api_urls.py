from rest_framework.routers import DefaultRouter

from jobs.api import EmployerViewSet, VacancyViewSet

router = DefaultRouter()
router.register("employers", EmployerViewSet, basename="employer")
router.register("vacancies", VacancyViewSet, basename="vacancy")

urlpatterns = router.urls
