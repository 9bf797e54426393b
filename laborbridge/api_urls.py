from rest_framework.routers import DefaultRouter

from laborbridge.api import CampaignViewSet, OccupationViewSet, RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("occupations", OccupationViewSet, basename="occupation")
router.register("campaigns", CampaignViewSet, basename="campaign")

urlpatterns = router.urls
