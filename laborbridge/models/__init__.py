from laborbridge.imports.models import ImportColumnMapping, ImportJob, OccupationWordMapping
from laborbridge.models.accounts import Role, User
from laborbridge.models.audit import AuditEvent
from laborbridge.models.reference import (
    Campaign,
    CertificateType,
    LaborBrand,
    MinimumWage,
    Occupation,
    OccupationGroup,
    Pairing,
    Region,
    Station,
)
from laborbridge.notifications.models import (
    Message,
    MessageAudience,
    MessageDelivery,
    MessageRead,
)

__all__ = [
    "AuditEvent",
    "Campaign",
    "CertificateType",
    "ImportColumnMapping",
    "ImportJob",
    "LaborBrand",
    "Message",
    "MessageAudience",
    "MessageDelivery",
    "MessageRead",
    "MinimumWage",
    "Occupation",
    "OccupationGroup",
    "OccupationWordMapping",
    "Pairing",
    "Region",
    "Role",
    "Station",
    "User",
]
