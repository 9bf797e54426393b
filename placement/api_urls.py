from laborbridge.api import ApiRouter
from placement.api import EmploymentHistoryViewSet, WageRosterImportViewSet
from placement.api_rosters import (
    CensusViewSet,
    PovertyExportViewSet,
    RosterViewSet,
    WageFlagViewSet,
)

router = ApiRouter()
router.register("placement/employments", EmploymentHistoryViewSet, basename="placement-employment")
router.register("placement/wage-imports", WageRosterImportViewSet, basename="wage-import")
router.register("placement/wage-flags", WageFlagViewSet, basename="wage-flag")
router.register("placement/roster", RosterViewSet, basename="placement-roster")
router.register("placement/census", CensusViewSet, basename="placement-census")
router.register("placement/poverty-exports", PovertyExportViewSet, basename="poverty-export")

urlpatterns = router.urls
