from laborbridge.api import ApiRouter
from workers.api import WorkerImportViewSet, WorkerViewSet

router = ApiRouter()
router.register("workers", WorkerViewSet, basename="worker")
router.register("worker-imports", WorkerImportViewSet, basename="worker-import")

urlpatterns = router.urls
