"""Subsidies: policies as data, eligibility, applications, and beside them the approval
chain and payments. One module per concern; this file is only a list of imports."""

# ruff: noqa: F401
from subsidies.models.applications import (
    Application,
    ApplicationEvidence,
    ApplicationSource,
    ApplicationStatus,
    EligibilityOutcome,
    EligibilityResult,
    EligibilityRun,
    EligibilityRunStatus,
)
from subsidies.models.chain import ApprovalStep, Notice, NoticeLevel, Objection
from subsidies.models.intermediaries import (
    Intermediary,
    IntermediaryBonus,
    IntermediaryBonusStatus,
    IntermediaryKind,
    IntermediaryReferral,
)
from subsidies.models.payments import (
    PaymentBatch,
    PaymentBatchStatus,
    PaymentClawback,
    PaymentLine,
    PaymentLineStatus,
)
from subsidies.models.policies import (
    DestinationZone,
    EvidenceKind,
    PaymentMode,
    Policy,
    PolicyAmount,
    PolicyBudget,
    PolicyKind,
    TargetGroup,
)
