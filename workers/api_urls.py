from rest_framework.routers import DefaultRouter

from workers.api import WorkerViewSet

router = DefaultRouter()
router.register("workers", WorkerViewSet, basename="worker")

urlpatterns = router.urls
