from laborbridge.api import ApiRouter
from placement.api import EmploymentHistoryViewSet

router = ApiRouter()
router.register("placement/employments", EmploymentHistoryViewSet, basename="placement-employment")

urlpatterns = router.urls
