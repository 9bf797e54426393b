"""Self-signup by QR code: a worker's submission and the official's decision on it.

The public side never says whether an ID number is already known: every accepted
submission gets the same answer, and a repeat of a pending one just refreshes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laborbridge import access, crypto
from laborbridge.identifiers import validate_id_number, validate_mobile
from laborbridge.models import Campaign, Occupation, Region, User
from laborbridge.services import audit_record
from workers.models import (
    ConsentMethod,
    ConsentStatus,
    SelfSignup,
    Worker,
    WorkerSource,
)
from workers.services import (
    CONSENT_TEXT_VERSION,
    ConsentInput,
    duplicate_message,
    worker_consent_record,
    worker_register,
    worker_update,
)

# The notice a worker agrees to on the signup page (个人信息处理告知). Its version is stored
# with every signup and consent; change CONSENT_TEXT_VERSION whenever the text changes.
CONSENT_TEXT = gettext_lazy(
    "我同意县人力资源和社会保障局登记我填写的姓名、身份证号、手机号、户籍和求职意向，"
    "用于东西部劳务协作就业服务：向用工企业推荐（只提供姓名、年龄、技能和意向，不提供身份证号和手机号）、"
    "安排点对点出行（向承运方提供购票所需的身份信息）以及就业后的回访和稳岗补贴核查。"
    "身份证号加密保存，查看须登记原因。我可以随时联系县人社局查询、更正或撤回授权。"
)


def signup_counties(campaign: Campaign) -> QuerySet[Region]:
    """Return the counties whose people may sign up for ``campaign`` (its western side)."""
    west = campaign.pairing.west_region
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if west.level == Region.Level.COUNTY:
        return counties.filter(pk=west.pk)
    return counties.filter(code__startswith=west.prefix).order_by("code")


def signup_cities(campaign: Campaign) -> QuerySet[Region]:
    """Return the eastern cities a worker may wish for in ``campaign``."""
    east = campaign.pairing.east_region
    if east.level == Region.Level.PROVINCE:
        return Region.objects.filter(parent=east, level=Region.Level.CITY).order_by("code")
    if east.level == Region.Level.CITY:
        return Region.objects.filter(pk=east.pk) | Region.objects.filter(
            parent=east, name__endswith="市"
        )
    return Region.objects.filter(pk=east.parent_id) if east.parent_id else Region.objects.none()


@transaction.atomic
def signup_submit(
    *,
    campaign: Campaign,
    name: str,
    id_number: str,
    phone: str,
    home_county: Region,
    home_township: Region | None = None,
    wish_occupations: Sequence[Occupation] = (),
    wish_cities: Sequence[Region] = (),
    min_wage: int | None = None,
    earliest_departure: dt.date | None = None,
    accepts_dormitory: bool = True,
    accepts_shift_work: bool = True,
    consented: bool = False,
) -> SelfSignup:
    """Put a QR-code signup into its county's queue (or refresh the same pending one)."""
    if not consented:
        raise ValidationError({"consent": _("请阅读并勾选同意个人信息使用说明。")})
    if not signup_counties(campaign).filter(pk=home_county.pk).exists():
        raise ValidationError({"home_county": _("请选择本次招聘行动覆盖的县区。")})
    if home_township is not None and (
        home_township.level != Region.Level.TOWNSHIP or not home_county.contains(home_township)
    ):
        raise ValidationError({"home_township": _("乡镇不属于所选县区。")})
    number = validate_id_number(id_number)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写姓名。")})
    values = {
        "campaign": campaign,
        "home_county": home_county,
        "home_township": home_township,
        "name": name,
        "phone": validate_mobile(phone),
        "wish_occupation_ids": [o.pk for o in wish_occupations],
        "wish_city_codes": [r.pk for r in wish_cities],
        "min_wage": min_wage,
        "earliest_departure": earliest_departure,
        "accepts_dormitory": accepts_dormitory,
        "accepts_shift_work": accepts_shift_work,
        "consent_text_version": CONSENT_TEXT_VERSION,
        "consented_at": timezone.now(),
    }
    index = crypto.id_number_blind_index(number)
    signup = (
        SelfSignup.objects.select_for_update()
        .filter(id_number_index=index, campaign=campaign, status=SelfSignup.Status.PENDING)
        .first()
    )
    action = "signup.resubmit"
    if signup is None:
        signup = SelfSignup()
        signup.set_id_number(number)
        action = "signup.submit"
    for field, value in values.items():
        setattr(signup, field, value)
    signup.save()
    audit_record(actor=None, action=action, target=signup, changes={"county": home_county.pk})
    return signup


def _pending(actor: User, signup: SelfSignup) -> SelfSignup:
    locked = (
        access.signups_visible_to(actor)
        .select_for_update()
        .filter(pk=signup.pk, status=SelfSignup.Status.PENDING)
        .first()
    )
    if locked is None:
        if not access.signups_visible_to(actor).filter(pk=signup.pk).exists():
            raise PermissionDenied(_("您无权处理该报名。"))
        raise ValidationError(_("该报名已处理过。"))
    if not access.counties_for_registration(actor).filter(pk=locked.home_county_id).exists():
        raise PermissionDenied(_("您无权处理该报名。"))
    return locked


def signup_existing_worker(signup: SelfSignup) -> Worker | None:
    """Return the registered worker with the signup's ID number, in whatever county."""
    return (
        Worker.objects.filter(id_number_index=signup.id_number_index)
        .select_related("home_county")
        .first()
    )


def _consent(signup: SelfSignup) -> ConsentInput:
    return ConsentInput(
        given_on=timezone.localtime(signup.consented_at).date(),
        method=ConsentMethod.SELF_SERVICE,
        text_version=signup.consent_text_version,
    )


def _close(actor: User, signup: SelfSignup, status: str, worker: Worker | None, reason: str = ""):
    signup.status = status
    signup.worker = worker
    signup.decided_by = actor
    signup.decided_at = timezone.now()
    signup.rejection_reason = reason
    signup.save(
        update_fields=[
            "status",
            "worker",
            "decided_by",
            "decided_at",
            "rejection_reason",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action=f"signup.{status}",
        target=signup,
        changes={"worker": worker.pk if worker else None},
        reason=reason,
    )


@transaction.atomic
def signup_verify(*, actor: User, signup: SelfSignup) -> Worker:
    """Register the signup as a new worker after the official checked it."""
    signup = _pending(actor, signup)
    existing = signup_existing_worker(signup)
    if existing is not None:
        message = duplicate_message(existing.home_county)
        if existing.home_county_id == signup.home_county_id:
            message += _("请选择“合并到已有记录”。")
        raise ValidationError(message)
    worker = worker_register(
        actor=actor,
        name=signup.name,
        id_number=signup.reveal_id_number(),
        phone=signup.reveal_phone(),
        home_county=signup.home_county,
        home_township=signup.home_township,
        wish_cities=list(Region.objects.filter(pk__in=signup.wish_city_codes)),
        wish_occupations=_in_order(Occupation, signup.wish_occupation_ids),
        min_wage=signup.min_wage,
        earliest_departure=signup.earliest_departure,
        accepts_dormitory=signup.accepts_dormitory,
        accepts_shift_work=signup.accepts_shift_work,
        consent=_consent(signup),
        source=WorkerSource.SELF_SIGNUP,
    )
    _close(actor, signup, SelfSignup.Status.VERIFIED, worker)
    return worker


def _in_order(model, ids: Sequence) -> list:
    by_pk = model.objects.in_bulk(list(ids))
    return [by_pk[pk] for pk in ids if pk in by_pk]


@transaction.atomic
def signup_merge(*, actor: User, signup: SelfSignup, worker: Worker) -> Worker:
    """Bring the signup's phone, wishes and consent into an existing record of the county."""
    signup = _pending(actor, signup)
    if not access.workers_editable_by(actor).filter(pk=worker.pk).exists():
        raise PermissionDenied(_("您无权修改该劳动力信息。"))
    if worker.home_county_id != signup.home_county_id:
        raise ValidationError(_("只能合并到同一县区的记录。"))
    values: dict = {
        "phone": signup.reveal_phone(),
        "accepts_dormitory": signup.accepts_dormitory,
        "accepts_shift_work": signup.accepts_shift_work,
    }
    if signup.wish_city_codes:
        values["wish_cities"] = list(Region.objects.filter(pk__in=signup.wish_city_codes))
    if signup.wish_occupation_ids:
        values["wish_occupations"] = _in_order(Occupation, signup.wish_occupation_ids)
    if signup.min_wage is not None:
        values["min_wage"] = signup.min_wage
    if signup.earliest_departure is not None:
        values["earliest_departure"] = signup.earliest_departure
    if signup.home_township_id and not worker.home_township_id:
        values["home_township"] = signup.home_township
    worker = worker_update(actor=actor, worker=worker, **values)
    if worker.consent_status != ConsentStatus.GIVEN:
        worker_consent_record(actor=actor, worker=worker, consent=_consent(signup))
    _close(actor, signup, SelfSignup.Status.MERGED, worker)
    return worker


@transaction.atomic
def signup_reject(*, actor: User, signup: SelfSignup, reason: str) -> SelfSignup:
    """Close a signup that is not genuine or not eligible, with the reason."""
    signup = _pending(actor, signup)
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写驳回原因。")})
    _close(actor, signup, SelfSignup.Status.REJECTED, None, reason)
    return signup
