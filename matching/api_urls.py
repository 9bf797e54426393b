from rest_framework.routers import DefaultRouter

from matching.api import MatchRoundViewSet, MatchViewSet

router = DefaultRouter()
router.register("rounds", MatchRoundViewSet, basename="round")
router.register("matches", MatchViewSet, basename="match")

urlpatterns = router.urls
