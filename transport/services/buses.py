"""Writes of feeder and arrival buses: the vehicle hired and its driver."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.identifiers import validate_mobile
from laborbridge.models import User
from laborbridge.services import audit_record, model_changes
from transport.models import Bus
from transport.services.errors import require

# 甘J·12345, 鲁B12345, 鲁B·D12345 (new energy): a province character, the city letter, then
# five or six letters and digits. Written with or without the dot or spaces.
_PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}$")
_BUS_VEHICLE_FIELDS = ("plate_number", "driver_name", "driver_phone")


def plate_number_normalize(value: str) -> str:
    """Return a licence plate as stored ("甘J12345"), or raise ValidationError."""
    plate = re.sub(r"[\s·•.\-]", "", value or "").upper()
    if plate and not _PLATE.match(plate):
        raise ValidationError(
            _("车牌号格式不正确，应如“甘J·12345”或“鲁B·D12345”。"), code="invalid_plate"
        )
    return plate


@transaction.atomic
def bus_update(*, actor: User, bus: Bus, **values) -> Bus:
    """Record the vehicle hired for a feeder or arrival bus: its licence plate, the driver's
    name and mobile. Only the fields given change; an empty value clears one."""
    unknown = set(values) - set(_BUS_VEHICLE_FIELDS)
    if unknown:
        raise TypeError(f"bus_update() got unexpected fields {sorted(unknown)}")
    bus = (
        access.buses_visible_to(actor)
        .select_for_update()
        .select_related("plan", "trip")
        .filter(pk=bus.pk)
        .first()
    )
    if bus is None:
        raise PermissionDenied(_("您无权修改该大巴。"))
    require(bus.plan.is_current, _("只能修改当前方案的大巴。"), "not_current")
    errors: dict[str, str] = {}
    merged = {name: getattr(bus, name) for name in _BUS_VEHICLE_FIELDS}
    merged.update({k: (v or "").strip() for k, v in values.items()})
    try:
        merged["plate_number"] = plate_number_normalize(merged["plate_number"])
    except ValidationError as error:
        errors["plate_number"] = error.messages[0]
    if len(merged["driver_name"]) > 50:
        errors["driver_name"] = _("司机姓名不能超过 50 个字。")
    if merged["driver_phone"]:
        try:
            merged["driver_phone"] = validate_mobile(merged["driver_phone"])
        except ValidationError as error:
            errors["driver_phone"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    changes = model_changes(bus, list(_BUS_VEHICLE_FIELDS), merged)
    if not changes:
        return bus
    for name in changes:
        setattr(bus, name, merged[name])
    bus.save(update_fields=[*changes, "updated_at"])
    audit_record(
        actor=actor,
        action="bus.update",
        target=bus,
        changes={**changes, "trip": bus.trip.service_number, "kind": bus.kind},
    )
    return bus
