from django.urls import path

from laborbridge.api import (
    ApiRootView,
    ApiRouter,
    CampaignViewSet,
    OccupationViewSet,
    RegionViewSet,
)
from laborbridge.notifications.api import MessageViewSet

router = ApiRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("occupations", OccupationViewSet, basename="occupation")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("notifications", MessageViewSet, basename="notification")

urlpatterns = [path("", ApiRootView.as_view(), name="api-root"), *router.urls]
