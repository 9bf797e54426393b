"""Human text for the engine's reason codes (``matching.engine.reasons``), in the UI language.

The engine emits only codes and numbers; this module is the one place that turns them into
sentences a county official or an HR clerk reads: "工资高于期望 800 元", "持有叉车证".
"""

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from laborbridge.models import CertificateType, LaborBrand, Occupation, Region


def _name(model, pk) -> str:
    if pk is None:
        return ""
    return _cached_name(model, pk, get_language() or "")


@lru_cache(maxsize=8192)
def _cached_name(model, pk, language: str) -> str:
    # Reference rows (occupations, certificates, brands) hardly ever change; caching their names
    # keeps a page of 50 explained matches from issuing hundreds of queries.
    obj = model.objects.filter(pk=pk).first()
    return str(obj) if obj is not None else str(pk)


def _region(code) -> str:
    if code in (None, "", 0):
        return ""
    region = Region.objects.filter(pk=str(code)).first()
    return region.name if region else str(code)


def _date(ordinal) -> str:
    try:
        return dt.date.fromordinal(int(ordinal)).isoformat()
    except (TypeError, ValueError, OverflowError):
        return ""


def describe(reason: dict) -> str:
    """Return one reason item (a dict from ``Reason.as_dict()``) as a readable sentence."""
    code, p = reason.get("code"), reason
    texts = {
        "wage_above_expectation": lambda: (
            _("工资高于期望 %(amount)s 元") % {"amount": p.get("amount", 0)}
        ),
        "wage_below_expectation": lambda: (
            _("工资低于期望 %(amount)s 元") % {"amount": abs(p.get("amount", 0))}
        ),
        "destination_wished": lambda: (
            _("意向城市（第 %(rank)s 志愿）") % {"rank": p.get("rank", 0) + 1}
        ),
        "occupation_wished": lambda: (
            _("意向工种：%(occupation)s")
            % {"occupation": _name(Occupation, p.get("occupation_id"))}
        ),
        "occupation_related_to_wish": lambda: (
            _("与意向工种相近：%(occupation)s")
            % {"occupation": _name(Occupation, p.get("occupation_id"))}
        ),
        "dormitory_provided": lambda: _("提供宿舍"),
        "meals_provided": lambda: _("提供工作餐"),
        "travel_reimbursed": lambda: _("报销路费"),
        "social_insurance": lambda: _("缴纳社会保险"),
        "travel_distance": lambda: _("路程约 %(km)s 公里") % {"km": round(p.get("km", 0))},
        "skill_level": lambda: (
            _("%(occupation)s技能 %(level)s 级")
            % {"occupation": _name(Occupation, p.get("occupation_id")), "level": p.get("level")}
        ),
        "related_skill_level": lambda: (
            _("相近工种技能：%(occupation)s（折算 %(level)s 级）")
            % {"occupation": _name(Occupation, p.get("occupation_id")), "level": p.get("level")}
        ),
        "skill_years": lambda: _("%(years)s 年工作经验") % {"years": p.get("years")},
        "holds_certificate": lambda: (
            _("持有%(certificate)s") % {"certificate": _name(CertificateType, p.get("cert_id"))}
        ),
        "poverty_priority": lambda: _("脱贫劳动力优先"),
        "monitoring_priority": lambda: _("监测对象优先"),
        "labor_brand_fit": lambda: (
            _("劳务品牌：%(brand)s") % {"brand": _name(LaborBrand, p.get("brand_id"))}
        ),
        "occupation_mismatch": lambda: _("工种不符"),
        "certificate_missing": lambda: (
            _("缺少%(certificate)s") % {"certificate": _name(CertificateType, p.get("cert_id"))}
        ),
        "age_out_of_range": lambda: _("年龄不在岗位要求范围内"),
        "start_before_departure": lambda: _("岗位到岗日期早于可出发日期"),
        "destination_not_wished": lambda: _("不在意向城市"),
        "wage_below_floor": lambda: _("工资低于最低期望"),
        "skill_level_too_low": lambda: _("技能等级不足"),
        "shift_work_not_accepted": lambda: _("不接受倒班"),
        "group_member_ineligible": lambda: _("同行人员中有人不符合条件"),
        "headcount_below_group_size": lambda: _("岗位人数不足以容纳整个同行小组"),
        "no_eligible_vacancy": lambda: (
            _("没有符合条件的岗位（主要原因：%(rule)s）")
            % {"rule": describe({"code": p.get("detail")}) if p.get("detail") else _("无")}
        ),
        "outranked": lambda: (
            _("符合条件的 %(n)s 个岗位均已由优先级更高的求职者录满") % {"n": p.get("eligible", 0)}
        ),
        "not_selected": lambda: (
            _("有 %(n)s 个符合条件的岗位，但本轮未被选中") % {"n": p.get("eligible", 0)}
        ),
    }
    text = texts.get(code)
    return text() if text else str(code)


def describe_all(reasons: Iterable[dict]) -> list[dict]:
    """Return the reasons with a ``text`` key added, worker side first, biggest points first."""
    items = [dict(reason, text=describe(reason)) for reason in reasons]
    items.sort(key=lambda r: (r.get("side") != "worker", -abs(r.get("points", 0))))
    return items


def region_name(code) -> str:
    return _region(code)


def ordinal_date(ordinal) -> str:
    return _date(ordinal)
