"""API routes of subsidy policies, eligibility, applications' creation and evidence."""

from laborbridge.api import ApiRouter
from subsidies.api import SubsidyEvidenceViewSet, SubsidyPolicyViewSet

router = ApiRouter()
router.register("subsidy-policies", SubsidyPolicyViewSet, basename="subsidy-policy")
router.register("subsidy-evidence", SubsidyEvidenceViewSet, basename="subsidy-evidence")

urlpatterns = router.urls
