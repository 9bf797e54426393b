from django.urls import path

from laborbridge.api import (
    ApiRootView,
    ApiRouter,
    CampaignViewSet,
    OccupationViewSet,
    RegionViewSet,
)

router = ApiRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("occupations", OccupationViewSet, basename="occupation")
router.register("campaigns", CampaignViewSet, basename="campaign")

urlpatterns = [path("", ApiRootView.as_view(), name="api-root"), *router.urls]
