from laborbridge.api import ApiRouter
from matching.api import MatchRoundViewSet, MatchViewSet

router = ApiRouter()
router.register("rounds", MatchRoundViewSet, basename="round")
router.register("matches", MatchViewSet, basename="match")

urlpatterns = router.urls
