from laborbridge.api import ApiRouter
from workers.api import SelfSignupViewSet, WorkerImportViewSet, WorkerViewSet

router = ApiRouter()
router.register("workers", WorkerViewSet, basename="worker")
router.register("worker-imports", WorkerImportViewSet, basename="worker-import")
router.register("signups", SelfSignupViewSet, basename="signup")

urlpatterns = router.urls
