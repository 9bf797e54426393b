"""Writes of pickup points: a county's places where feeder buses collect travellers."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.models import Region, User
from laborbridge.services import audit_record, model_changes
from transport.models import Bus, BusKind, BusRider, PickupPoint, PlanStatus, RunStatus, Seat
from transport.planner.rides import stop_index
from transport.services.errors import require


def _pickup_point_values_clean(*, county: Region, values: dict) -> dict:
    """Return the point's values normalised, or raise ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    values = dict(values)
    values["name"] = (values.get("name") or "").strip()
    values["address"] = (values.get("address") or "").strip()
    if not values["name"]:
        errors["name"] = _("请填写集合点名称。")
    township = values.get("township")
    if township is not None and (
        township.level != Region.Level.TOWNSHIP or township.parent_id != county.code
    ):
        errors["township"] = _("乡镇不属于该集合点所在的县区。")
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if latitude is None or not -90 <= latitude <= 90:
        errors["latitude"] = _("纬度应在 -90 到 90 之间。")
    if longitude is None or not -180 <= longitude <= 180:
        errors["longitude"] = _("经度应在 -180 到 180 之间。")
    values["is_default"] = bool(values.get("is_default"))
    if errors:
        raise ValidationError(errors)
    return values


def _pickup_point_name_free(county: Region, name: str, exclude_pk: int | None = None) -> None:
    taken = PickupPoint.objects.filter(county=county, name=name, is_active=True)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": _("本县已有名为“%(name)s”的集合点。") % {"name": name}})


@transaction.atomic
def pickup_point_create(
    *,
    actor: User | None,
    county: Region,
    name: str,
    latitude: float,
    longitude: float,
    township: Region | None = None,
    address: str = "",
    is_default: bool = False,
) -> PickupPoint:
    """Create a county pickup point; the default one replaces the county's previous default.
    ``actor=None`` is the system (reference and demo data)."""
    if (
        actor is not None
        and not access.pickup_point_counties_managed_by(actor).filter(pk=county.pk).exists()
    ):
        raise PermissionDenied(_("您无权为该县设置集合点。"))
    require(county.level == Region.Level.COUNTY, _("集合点必须属于一个县级行政区。"))
    values = _pickup_point_values_clean(
        county=county,
        values={
            "name": name,
            "address": address,
            "township": township,
            "latitude": latitude,
            "longitude": longitude,
            "is_default": is_default,
        },
    )
    _pickup_point_name_free(county, values["name"])
    if values["is_default"]:
        PickupPoint.objects.filter(county=county, is_default=True).update(is_default=False)
    point = PickupPoint.objects.create(county=county, **values)
    audit_record(
        actor=actor,
        action="pickup_point.create",
        target=point,
        changes={
            "county": county.code,
            "township": point.township_id,
            "name": point.name,
            "default": point.is_default,
        },
    )
    return point


_PICKUP_POINT_FIELDS = ("name", "address", "township", "latitude", "longitude", "is_default")


def _pickup_point_locked(actor: User, point: PickupPoint) -> PickupPoint:
    locked = (
        access.pickup_points_managed_by(actor)
        .select_for_update()
        .select_related("county")
        .filter(pk=point.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("您无权修改该集合点。"))
    require(locked.is_active, _("该集合点已停用，不能再修改。"), "inactive")
    return locked


@transaction.atomic
def pickup_point_update(*, actor: User, point: PickupPoint, **values) -> PickupPoint:
    """Change a pickup point's name, address, township, coordinates or default flag. Its
    county stays: a point in another county is a new point.

    Seats and buses already planned keep their stops and times; the next planning run
    uses the new place."""
    unknown = set(values) - set(_PICKUP_POINT_FIELDS)
    if unknown:
        raise TypeError(f"pickup_point_update() got unexpected fields {sorted(unknown)}")
    point = _pickup_point_locked(actor, point)
    merged = {name: getattr(point, name) for name in _PICKUP_POINT_FIELDS}
    merged.update(values)
    merged = _pickup_point_values_clean(county=point.county, values=merged)
    changes = model_changes(point, list(_PICKUP_POINT_FIELDS), merged)
    if not changes:
        return point
    if "name" in changes:
        _pickup_point_name_free(point.county, merged["name"], exclude_pk=point.pk)
    if merged["is_default"] and not point.is_default:
        PickupPoint.objects.filter(county=point.county, is_default=True).exclude(
            pk=point.pk
        ).update(is_default=False)
    for name in changes:
        setattr(point, name, merged[name])
    point.save(update_fields=[*changes, "updated_at"])
    audit_record(actor=actor, action="pickup_point.update", target=point, changes=changes)
    return point


def pickup_point_riders_waiting(point: PickupPoint):
    """Return the held seats that still start their journey at ``point``: a feeder ride from
    it on a seat neither released nor checked in at the gate (draft or confirmed plan)."""
    return Seat.objects.filter(
        released_at=None,
        checked_in_at=None,
        bus_rides__pickup_point=point,
        bus_rides__kind=BusKind.FEEDER,
    ).distinct()


def _bus_stops_at(bus_stops: list, point_id: int) -> bool:
    return stop_index(bus_stops, "pickup_point", point_id) is not None


@transaction.atomic
def pickup_point_remove(*, actor: User, point: PickupPoint) -> str:
    """Remove a pickup point, refused while a planned or confirmed journey starts there.

    A point no record mentions is deleted; one that past journeys used (bus riders, bus
    stops) is deactivated instead, so that history keeps its place. Returns ``"deleted"``
    or ``"deactivated"``."""
    point = _pickup_point_locked(actor, point)
    waiting = pickup_point_riders_waiting(point)
    count = waiting.count()
    if count:
        trips = sorted(set(waiting.values_list("trip__service_number", flat=True)))
        raise ValidationError(
            _(
                "集合点“%(name)s”已安排 %(count)s 人在此上车（%(trips)s），不能删除。"
                "请先为这些人调整行程或重新规划运输方案。"
            )
            % {"name": point.name, "count": count, "trips": "、".join(trips)},
            code="in_use",
        )
    # A bus of a current plan whose journey has not happened yet (none of its riders checked
    # in at a gate) may stop there even when nobody boards there any more.
    current = (
        Bus.objects.filter(kind=BusKind.FEEDER, plan__run_status=RunStatus.SUCCEEDED)
        .exclude(plan__status=PlanStatus.SUPERSEDED)
        .exclude(riders__seat__checked_in_at__isnull=False)
    )
    if any(
        _bus_stops_at(stops or [], point.pk) for stops in current.values_list("stops", flat=True)
    ):
        raise ValidationError(
            _("集合点“%(name)s”仍是已安排送站大巴的停靠点，不能删除；请先重新规划。")
            % {"name": point.name},
            code="in_use",
        )
    used = BusRider.objects.filter(pickup_point=point).exists() or any(
        _bus_stops_at(bus_stops or [], point.pk)
        for bus_stops in Bus.objects.filter(kind=BusKind.FEEDER).values_list("stops", flat=True)
    )
    changes = {"county": point.county_id, "name": point.name, "default": point.is_default}
    if used:
        point.is_active, point.is_default = False, False
        point.save(update_fields=["is_active", "is_default", "updated_at"])
        audit_record(actor=actor, action="pickup_point.deactivate", target=point, changes=changes)
        return "deactivated"
    audit_record(actor=actor, action="pickup_point.delete", target=point, changes=changes)
    point.delete()
    return "deleted"
