from laborbridge.api import ApiRouter
from placement.api import EmploymentHistoryViewSet, WageRosterImportViewSet

router = ApiRouter()
router.register("placement/employments", EmploymentHistoryViewSet, basename="placement-employment")
router.register("placement/wage-imports", WageRosterImportViewSet, basename="wage-import")

urlpatterns = router.urls
