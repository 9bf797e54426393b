from laborbridge.imports.models import ImportJob
from laborbridge.models.accounts import Role, User
from laborbridge.models.audit import AuditEvent
from laborbridge.models.reference import (
    Campaign,
    CertificateType,
    LaborBrand,
    Occupation,
    OccupationGroup,
    Pairing,
    Region,
    Station,
)

__all__ = [
    "AuditEvent",
    "Campaign",
    "CertificateType",
    "ImportJob",
    "LaborBrand",
    "Occupation",
    "OccupationGroup",
    "Pairing",
    "Region",
    "Role",
    "Station",
    "User",
]
