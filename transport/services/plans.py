"""Writes of transport plans: queue a planning run, set its bus fares, confirm it.

The run itself is ``transport.runs`` (published by task name through the run kit, so this
module never imports the task module).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.background import RunBusy, run_create
from laborbridge.models import Campaign, User
from laborbridge.services import audit_record
from transport import planner
from transport.models import PlanStatus, RunStatus, Seat, TransportPlan, Trip
from transport.plan_params import BUS_FARE_DEFAULTS, BUS_FARE_MAX, PLANNER_PARAMS
from transport.runs import PLANS
from transport.services.errors import require


def plan_params_clean(*, seed: int, params: dict | None) -> dict:
    """Return the run's stored parameters: the planner knobs given plus the bus fares."""
    params = dict(params or {})
    unknown = set(params) - set(PLANNER_PARAMS) - set(BUS_FARE_DEFAULTS)
    if unknown:
        raise ValidationError(_("未知的参数：%(names)s") % {"names": ", ".join(sorted(unknown))})
    knobs = {k: v for k, v in params.items() if k in PLANNER_PARAMS}
    try:
        planner.Params(seed=seed, **knobs)
    except (planner.PlanInputError, TypeError) as error:
        raise ValidationError(_("参数无效：%(error)s") % {"error": error}) from None
    fares = {k: params.get(k, v) for k, v in BUS_FARE_DEFAULTS.items()}
    if any(
        isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v < BUS_FARE_MAX
        for v in fares.values()
    ):
        raise ValidationError(
            _("大巴费用应在 0 到 %(max)s 元之间。") % {"max": BUS_FARE_MAX}, code="bad_fare"
        )
    return {**knobs, **fares}


@transaction.atomic
def plan_bus_fares_update(
    *, actor: User, plan: TransportPlan, feeder_bus_fare: float, arrival_bus_fare: float
) -> TransportPlan:
    """Set what one feeder and one arrival bus cost in the current plan's accounts (trips may
    set their own, see ``Trip.feeder_bus_fare``). Only the costs change, never the plan."""
    plan = access.transport_plans_visible_to(actor).select_for_update().filter(pk=plan.pk).first()
    if plan is None:
        raise PermissionDenied(_("您无权修改该运输方案。"))
    require(plan.is_current, _("只能修改当前方案的大巴费用。"), "not_current")
    errors = {}
    fares = {}
    for name, value in (
        ("feeder_bus_fare", feeder_bus_fare),
        ("arrival_bus_fare", arrival_bus_fare),
    ):
        try:
            fare = float(value)
        except (TypeError, ValueError):
            fare = -1.0
        if not 0 <= fare < BUS_FARE_MAX:
            errors[name] = _("大巴费用应在 0 到 %(max)s 元之间。") % {"max": BUS_FARE_MAX}
        fares[name] = int(fare) if fare.is_integer() else round(fare, 2)
    if errors:
        raise ValidationError(errors)
    old = {k: plan.params.get(k, v) for k, v in BUS_FARE_DEFAULTS.items()}
    changes = {k: [old[k], fares[k]] for k in fares if old[k] != fares[k]}
    if not changes:
        return plan
    plan.params = {**plan.params, **fares}
    plan.save(update_fields=["params", "updated_at"])
    audit_record(actor=actor, action="transport_plan.bus_fares", target=plan, changes=changes)
    return plan


class PlanBusy(RunBusy):
    """The campaign's trips are already being planned."""

    def __init__(self, busy: TransportPlan | None) -> None:
        self.plan = busy
        super().__init__(
            _("该招聘行动的运输方案 v%(version)s 正在规划，请等待其完成。")
            % {"version": busy.version if busy else "?"}
        )


def _live_plan(campaign: Campaign) -> TransportPlan | None:
    return TransportPlan.objects.filter(
        campaign=campaign, run_status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).first()


@transaction.atomic
def plan_create(
    *, actor: User, campaign: Campaign, seed: int = 0, params: dict | None = None
) -> TransportPlan:
    """Queue a planning run for ``campaign``; the Celery task starts after commit."""
    if not access.transport_campaigns_managed_by(actor).filter(pk=campaign.pk).exists():
        raise PermissionDenied(_("您无权为该招聘行动规划运输。"))
    require(seed >= 0, _("随机种子不能为负数。"))
    stored = plan_params_clean(seed=seed, params=params)
    # Lock the campaign so two coordinators pressing "plan" get versions 1 and 2, not a clash.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    require(
        Trip.objects.filter(campaign=campaign).exists(),
        _("请先为该招聘行动添加车次。"),
    )
    version = (
        TransportPlan.objects.filter(campaign=campaign).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    # The campaign lock above serialises creates; the partial unique index
    # (transport_plan_one_run_at_a_time) is the guard should any path skip it. A failed
    # publish (broker down) fails the plan with the reason and raises EnqueueFailed.
    plan = run_create(
        job=PLANS,
        live=lambda: _live_plan(campaign),
        busy=PlanBusy,
        create=lambda: TransportPlan.objects.create(
            campaign=campaign, version=version, seed=seed, params=stored, created_by=actor
        ),
    )
    audit_record(
        actor=actor,
        action="transport_plan.create",
        target=plan,
        changes={"version": version, "seed": seed, "params": stored},
    )
    return plan


@transaction.atomic
def plan_confirm(*, actor: User, plan: TransportPlan) -> TransportPlan:
    """Confirm the current plan: its seats become fixed (kept by every later re-plan)."""
    plan = access.transport_plans_visible_to(actor).select_for_update().filter(pk=plan.pk).first()
    if plan is None:
        raise PermissionDenied(_("您无权确认该运输方案。"))
    if plan.status == PlanStatus.CONFIRMED:
        return plan
    require(
        plan.run_status == RunStatus.SUCCEEDED and plan.status == PlanStatus.DRAFT,
        _("只能确认已完成规划的当前方案。"),
        "illegal_transition",
    )
    now = timezone.now()
    confirmed = Seat.objects.filter(plan=plan, released_at=None, confirmed=False).update(
        confirmed=True, updated_at=now
    )
    plan.status = PlanStatus.CONFIRMED
    plan.confirmed_by = actor
    plan.confirmed_at = now
    plan.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="transport_plan.confirm",
        target=plan,
        changes={"status": [PlanStatus.DRAFT, PlanStatus.CONFIRMED], "seats_confirmed": confirmed},
    )
    return plan
