"""Words for the planner's codes: why someone is not placed, why a group was split, stages."""

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

UNPLACED_REASONS = {
    "unknown_pickup_point": _("所在县没有集合点，请先设置集合点"),
    "no_trip_for_route": _("没有连接其集合点与用工企业的车次"),
    "no_trip_on_or_after_date": _("最早出发日期之后（等待天数内）没有车次"),
    "group_has_no_common_trip": _("同行家人没有都能乘坐的车次"),
    "group_does_not_fit": _("同行家人人数超过车厢座位，或没有能坐在一起的车厢"),
    "below_minimum_occupancy": _("人数不足最低上座率，未预订车辆"),
    "capacity_exhausted": _("可乘坐车次的座位已满"),
}

SPLIT_REASONS = {
    "members_have_different_trips": _("成员出发日期或路线不同"),
    "group_larger_than_car": _("人数超过一节车厢"),
    "no_car_with_room": _("没有能坐下全组的车厢"),
    "locked_seats": _("部分成员的座位已确认"),
}

# Stages of a planning run shown on the plan page, with the share of the progress bar each
# one covers. The planner's own stages (prepare … report) sit between loading and writing.
STAGES = {
    "load": (0, 10, _("读取出行人员和车次")),
    "prepare": (10, 15, _("整理需求")),
    "trunk": (15, 45, _("选择干线车次")),
    "arrival": (45, 60, _("安排接站分流大巴")),
    "seats": (60, 70, _("分配座位")),
    "feeder": (70, 88, _("安排送站大巴")),
    "report": (88, 90, _("核对车辆下界")),
    "write": (90, 100, _("保存方案")),
    "done": (100, 100, _("完成")),
}


def unplaced_label(code: str) -> str:
    return str(UNPLACED_REASONS.get(code, code))


def split_label(code: str) -> str:
    return str(SPLIT_REASONS.get(code, code))


def stage_label(stage: str) -> str:
    return str(STAGES[stage][2]) if stage in STAGES else stage


# --- why an unplaced person is on none of the trips ---------------------------------------

# The rule that kept a person off one trip, in the order they are checked: the first that
# applies is the one reported (a trip too far away is not also "full").
TRIP_RULES = (
    "feeder_ride",  # pickup point → origin station over the feeder bus ride cap
    "arrival_ride",  # destination station → employer over the arrival bus ride cap
    "before_earliest",  # departs before the person can leave
    "wait",  # departs more than the maximum waiting days after they can leave
    "not_booked",  # the planner did not book it (below its minimum occupancy)
    "full",  # every booked seat is taken
    "together",  # seats left, but not for the whole family in one car
)


def trip_refusals(
    *, travellers, trips, pickup_points, params, result
) -> dict[str, list[dict[str, Any]]]:
    """Return, per unplaced traveller id, each trip and the rule that kept them off it.

    Recomputed for the unplaced only (a few, usually) with the planner's own road times and
    limits, so the words on the plan page are the rules the planner applied.
    """
    from transport.planner.demand import problem_build

    unplaced = {u.traveller_id for u in result.unplaced}
    points = {p.id for p in pickup_points}
    subset = [t for t in travellers if t.id in unplaced and t.pickup_point_id in points]
    if not subset or not trips:
        return {}
    problem = problem_build(subset, trips, pickup_points, params, ())
    booked = {b.trip_id: b.booked_seats for b in result.trunk}
    seated: dict[str, int] = {}
    for seat in result.seats:
        seated[seat.trip_id] = seated.get(seat.trip_id, 0) + 1
    out: dict[str, list[dict[str, Any]]] = {}
    for i, traveller in enumerate(problem.travellers):
        rows = []
        for j, trip in enumerate(problem.trips):
            feeder, arrival = problem.feeder_minutes[i, j], problem.arrival_minutes[i, j]
            waited = (trip.date - traveller.earliest_departure).days
            row: dict[str, Any] = {"trip": trip.id}
            if feeder > params.feeder_max_ride_minutes:
                row.update(rule="feeder_ride", minutes=_minutes(feeder))
                row["cap"] = params.feeder_max_ride_minutes
            elif arrival > params.arrival_max_ride_minutes:
                row.update(rule="arrival_ride", minutes=_minutes(arrival))
                row["cap"] = params.arrival_max_ride_minutes
            elif waited < 0:
                row.update(
                    rule="before_earliest", earliest=traveller.earliest_departure.isoformat()
                )
            elif waited > params.max_wait_days:
                row.update(rule="wait", days=waited, max=params.max_wait_days)
            elif trip.id not in booked:
                row.update(rule="not_booked")
            elif seated.get(trip.id, 0) >= booked[trip.id]:
                row.update(rule="full", seats=booked[trip.id])
            else:
                row.update(rule="together")
            rows.append(row)
        out[traveller.id] = rows
    return out


def _minutes(value: float) -> int | None:
    return None if value == float("inf") else int(round(value))


def _duration(minutes: int | None) -> str:
    """Return a ride's length as people say it: "45 分钟", "3.5 小时"."""
    if minutes is None:
        return "—"
    if minutes < 60:
        return gettext("%(n)s 分钟") % {"n": minutes}
    return gettext("%(n)s 小时") % {"n": f"{minutes / 60:.1f}".removesuffix(".0")}


def trip_refusal_text(row: dict[str, Any], trip_name: str) -> str:
    """Return one trip's refusal in words: "G2096（3月5日）：需等待 7 天，超过最长等待 5 天"."""
    rule = row.get("rule")
    if rule == "feeder_ride":
        why = gettext("集合点到出发站车程约 %(ride)s，超过送站大巴上限 %(cap)s") % {
            "ride": _duration(row.get("minutes")),
            "cap": _duration(row.get("cap")),
        }
    elif rule == "arrival_ride":
        why = gettext("到达站到用工企业车程约 %(ride)s，超过接站大巴上限 %(cap)s") % {
            "ride": _duration(row.get("minutes")),
            "cap": _duration(row.get("cap")),
        }
    elif rule == "before_earliest":
        why = gettext("早于本人最早可出发日期 %(date)s") % {"date": row.get("earliest", "")}
    elif rule == "wait":
        why = gettext("需等待 %(days)s 天，超过最长等待天数 %(max)s 天") % {
            "days": row.get("days"),
            "max": row.get("max"),
        }
    elif rule == "not_booked":
        why = gettext("乘车人数不足最低上座率，本方案未预订")
    elif rule == "full":
        why = gettext("预订的 %(seats)s 个座位已全部坐满") % {"seats": row.get("seats")}
    elif rule == "together":
        why = gettext("尚有空座，但没有能让同行家人坐在一起的车厢")
    else:
        why = str(rule)
    return gettext("%(trip)s：%(why)s") % {"trip": trip_name, "why": why}
