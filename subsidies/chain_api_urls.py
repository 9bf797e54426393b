"""API routes of the approval chain, notices, payment batches and the report (issue 14)."""

from laborbridge.api import ApiRouter
from subsidies.chain_api import (
    SubsidyApplicationViewSet,
    SubsidyNoticeViewSet,
    SubsidyPaymentBatchViewSet,
    SubsidyReportViewSet,
)

router = ApiRouter()
router.register("subsidy-applications", SubsidyApplicationViewSet, basename="subsidy-application")
router.register("subsidy-notices", SubsidyNoticeViewSet, basename="subsidy-notice")
router.register(
    "subsidy-payment-batches", SubsidyPaymentBatchViewSet, basename="subsidy-payment-batch"
)
router.register("subsidy-report", SubsidyReportViewSet, basename="subsidy-report")

urlpatterns = router.urls
