"""Writes to the worker registry. Every change is audited; ID numbers stay encrypted."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from laborbridge import access, crypto
from laborbridge.identifiers import validate_id_number, validate_mobile
from laborbridge.models import Region, User
from laborbridge.services import audit_record, model_changes
from workers.models import PovertyStatus, Worker, WorkerStatus

_EDITABLE_FIELDS = [
    "name",
    "phone",
    "home_county",
    "home_township",
    "home_village",
    "poverty_status",
]


def _duplicate_error(number: str) -> ValidationError | None:
    """Return the error for an ID number already in the registry, naming its county."""
    existing = (
        Worker.objects.filter(id_number_index=crypto.id_number_blind_index(number))
        .select_related("home_county")
        .first()
    )
    if existing is None:
        return None
    return ValidationError(
        {
            "id_number": _("该身份证号已由%(county)s登记，不能重复登记。")
            % {"county": existing.home_county}
        },
        code="duplicate",
    )


def _check_address(county: Region, township: Region | None, village: Region | None) -> None:
    if county.level != Region.Level.COUNTY:
        raise ValidationError({"home_county": _("户籍地必须是县级行政区。")})
    if township is not None and (
        township.level != Region.Level.TOWNSHIP or not county.contains(township)
    ):
        raise ValidationError({"home_township": _("乡镇不属于所选县区。")})
    if village is not None and (
        village.level != Region.Level.VILLAGE or township is None or not township.contains(village)
    ):
        raise ValidationError({"home_village": _("村不属于所选乡镇。")})


@transaction.atomic
def worker_register(
    *,
    actor: User | None,
    name: str,
    id_number: str,
    phone: str,
    home_county: Region,
    home_township: Region | None = None,
    home_village: Region | None = None,
    poverty_status: str = PovertyStatus.NONE,
    status: str = WorkerStatus.REGISTERED,
) -> Worker:
    """Register a worker in ``home_county``; refuse a county the actor does not serve."""
    if (
        actor is not None
        and not access.counties_for_registration(actor).filter(pk=home_county.pk).exists()
    ):
        raise PermissionDenied(_("您只能登记本县区的劳动力。"))
    number = validate_id_number(id_number)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写姓名。")})
    _check_address(home_county, home_township, home_village)
    duplicate = _duplicate_error(number)
    if duplicate is not None:
        raise duplicate
    worker = Worker(
        name=name,
        phone=validate_mobile(phone),
        home_county=home_county,
        home_township=home_township,
        home_village=home_village,
        poverty_status=poverty_status,
        status=status,
        registered_by=actor,
    )
    worker.set_id_number(number)
    try:
        # The unique blind index is the last word when two officials register at once.
        with transaction.atomic():
            worker.save()
    except IntegrityError:
        raise _duplicate_error(number) or ValidationError(_("保存失败，请重试。")) from None
    audit_record(actor=actor, action="worker.register", target=worker, changes={"name": name})
    return worker


@transaction.atomic
def worker_update(*, actor: User, worker: Worker, **values) -> Worker:
    """Change a worker's editable fields; record what changed."""
    if not access.workers_editable_by(actor).filter(pk=worker.pk).exists():
        raise PermissionDenied(_("您无权修改该劳动力信息。"))
    unknown = set(values) - set(_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    merged = {field: values.get(field, getattr(worker, field)) for field in _EDITABLE_FIELDS}
    merged["phone"] = validate_mobile(merged["phone"])
    merged["name"] = merged["name"].strip()
    _check_address(merged["home_county"], merged["home_township"], merged["home_village"])
    if (
        merged["home_county"] != worker.home_county
        and not access.counties_for_registration(actor).filter(pk=merged["home_county"].pk).exists()
    ):
        raise PermissionDenied(_("您只能登记本县区的劳动力。"))
    changes = model_changes(worker, _EDITABLE_FIELDS, merged)
    if not changes:
        return worker
    for field, value in merged.items():
        setattr(worker, field, value)
    worker.save(update_fields=[*changes, "updated_at"])
    audit_record(actor=actor, action="worker.update", target=worker, changes=changes)
    return worker


@transaction.atomic
def worker_reveal_id_number(*, actor: User, worker: Worker, reason: str) -> str:
    """Return the full ID number and record who asked, when and why."""
    if not access.workers_editable_by(actor).filter(pk=worker.pk).exists():
        raise PermissionDenied(_("您无权查看该身份证号。"))
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请说明查看完整身份证号的原因。")})
    audit_record(actor=actor, action="worker.reveal_id_number", target=worker, reason=reason)
    return worker.reveal_id_number()
