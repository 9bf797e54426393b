"""Words for the planner's codes: why someone is not placed, why a group was split, stages."""

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
