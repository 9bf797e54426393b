"""The carrier's real-name check: the workbook with full ID numbers, audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.models import User
from laborbridge.services import audit_record
from transport import manifests
from transport.models import Trip


@transaction.atomic
def trip_carrier_export(*, actor: User, trip: Trip, reason: str) -> bytes:
    """Return the workbook with full ID numbers the carrier needs for its real-name check,
    and record who exported it, when and why (``trip.carrier_export``)."""
    trip = access.trips_managed_by(actor).filter(pk=trip.pk).first()
    if trip is None:
        raise PermissionDenied(_("您无权导出该车次的实名信息。"))
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请说明导出完整身份证号的原因。")})
    export = manifests.carrier_export_build(trip)
    audit_record(
        actor=actor,
        action="trip.carrier_export",
        target=trip,
        changes={
            "seats": export.rows,
            "id_numbers": export.revealed,
            "withheld_no_consent": export.withheld,
            "workers": export.worker_ids,
        },
        reason=reason,
    )
    return export.content
