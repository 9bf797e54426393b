from cases.api import CaseViewSet
from laborbridge.api import ApiRouter

router = ApiRouter()
router.register("cases", CaseViewSet, basename="case")

urlpatterns = router.urls
