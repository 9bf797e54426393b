from followups.api import FollowUpViewSet
from laborbridge.api import ApiRouter

router = ApiRouter()
router.register("followups", FollowUpViewSet, basename="followup")

urlpatterns = router.urls
