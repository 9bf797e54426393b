from rest_framework.routers import DefaultRouter

from workers.api import WorkerImportViewSet, WorkerViewSet

router = DefaultRouter()
router.register("workers", WorkerViewSet, basename="worker")
router.register("worker-imports", WorkerImportViewSet, basename="worker-import")

urlpatterns = router.urls
