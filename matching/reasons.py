"""Human text for the engine's reason codes (``matching.engine.reasons``), in the UI language.

The engine emits only codes and numbers; this module is the one place that turns them into
phrases a county official or an HR clerk reads: "工资高于期望 800 元", "持有叉车证". Names of
the occupations, certificates and labor brands a reason mentions are fetched in one query per
kind for a whole page of matches (:func:`explain`).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from laborbridge.models import CertificateType, LaborBrand, Occupation

_NAMED = (
    ("occupation", "occupation_id", Occupation),
    ("certificate", "cert_id", CertificateType),
    ("brand", "brand_id", LaborBrand),
)


@dataclass(frozen=True)
class ReasonLine:
    text: str
    points: int
    side: str

    @property
    def signed_points(self) -> str:
        return f"{self.points:+d}" if self.points else "0"


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _education(value) -> str:
    """The vacancy's minimum schooling in words (jobs.models.Education)."""
    from jobs.models import Education

    try:
        return str(Education(int(value)).label)
    except (TypeError, ValueError):
        return str(value)


def _level(value) -> str:
    from workers.models import SkillLevel

    try:
        return SkillLevel(int(value)).label
    except (TypeError, ValueError):
        return str(value)


def _names_for(reasons: Iterable[dict]) -> dict[str, dict[int, str]]:
    wanted: dict[str, set[int]] = {kind: set() for kind, _key, _model in _NAMED}
    for reason in reasons:
        for kind, key, _model in _NAMED:
            if reason.get(key) is not None:
                wanted[kind].add(_int(reason[key]))
    return {
        kind: {obj.pk: obj.name for obj in model.objects.filter(pk__in=wanted[kind])}
        if wanted[kind]
        else {}
        for kind, _key, model in _NAMED
    }


def describe(reason: dict, names: dict[str, dict[int, str]] | None = None) -> str:
    """Return one reason item (a dict from ``Reason.as_dict()``) as a readable phrase."""
    if names is None:
        names = _names_for([reason])
    code = reason.get("code", "")
    occupation = names["occupation"].get(_int(reason.get("occupation_id")), _("该工种"))
    certificate = names["certificate"].get(_int(reason.get("cert_id")), _("所需证书"))
    brand = names["brand"].get(_int(reason.get("brand_id")), _("劳务品牌"))
    amount = abs(_int(reason.get("amount")))
    rank = _int(reason.get("rank")) + 1
    phrases = {
        "wage_above_expectation": lambda: _("工资高于期望 %(amount)d 元") % {"amount": amount},
        "wage_below_expectation": lambda: _("工资低于期望 %(amount)d 元") % {"amount": amount},
        "destination_wished": lambda: _("工作地是第 %(rank)d 意向城市") % {"rank": rank},
        "occupation_wished": lambda: (
            _("%(occupation)s是第 %(rank)d 意向工种") % {"occupation": occupation, "rank": rank}
        ),
        "occupation_related_to_wish": lambda: (
            _("%(occupation)s与意向工种相近") % {"occupation": occupation}
        ),
        "dormitory_provided": lambda: _("提供宿舍"),
        "meals_provided": lambda: _("提供工作餐"),
        "travel_reimbursed": lambda: _("报销路费"),
        "social_insurance": lambda: _("缴纳社会保险"),
        "travel_distance": lambda: _("路程约 %(km)d 公里") % {"km": _int(reason.get("km"))},
        "skill_level": lambda: (
            _("%(occupation)s技能：%(level)s")
            % {"occupation": occupation, "level": _level(reason.get("level"))}
        ),
        "related_skill_level": lambda: (
            _("相近工种%(occupation)s技能（按%(level)s计）")
            % {"occupation": occupation, "level": _level(reason.get("level"))}
        ),
        "skill_years": lambda: _("从业 %(years)d 年") % {"years": _int(reason.get("years"))},
        "holds_certificate": lambda: _("持有%(certificate)s") % {"certificate": certificate},
        "poverty_priority": lambda: _("脱贫劳动力优先"),
        "monitoring_priority": lambda: _("监测对象优先"),
        "labor_brand_fit": lambda: _("劳务品牌：%(brand)s") % {"brand": brand},
        "occupation_mismatch": lambda: _("工种不符"),
        "certificate_missing": lambda: _("缺少%(certificate)s") % {"certificate": certificate},
        "age_out_of_range": lambda: _("年龄不在岗位要求范围内"),
        "start_before_departure": lambda: _("岗位到岗日期早于可出发日期"),
        "destination_not_wished": lambda: _("不在意向城市"),
        "wage_below_floor": lambda: _("工资低于最低期望"),
        "skill_level_too_low": lambda: _("技能等级低于岗位要求"),
        "shift_work_not_accepted": lambda: _("不接受倒班"),
        "education_too_low": lambda: (
            (
                _("未登记文化程度，岗位要求%(required)s")
                if _int(reason.get("level", -1)) < 0
                else _("文化程度低于岗位要求（%(required)s）")
            )
            % {"required": _education(reason.get("required"))}
        ),
        "group_member_ineligible": lambda: _("同行人员中有人不符合条件"),
        "headcount_below_group_size": lambda: _("岗位人数不足以容纳整个同行小组"),
        "no_eligible_vacancy": lambda: (
            _("没有符合条件的岗位（主要原因：%(rule)s）")
            % {
                "rule": describe({"code": reason.get("detail")}, names)
                if reason.get("detail")
                else _("无")
            }
        ),
        "outranked": lambda: (
            _("符合条件的 %(n)d 个岗位均已由优先级更高的求职者录满")
            % {"n": _int(reason.get("eligible"))}
        ),
        "not_selected": lambda: (
            _("有 %(n)d 个符合条件的岗位，但本轮未被选中") % {"n": _int(reason.get("eligible"))}
        ),
    }
    phrase = phrases.get(code)
    return phrase() if phrase else str(code).replace("_", " ")


def describe_all(reasons: Iterable[dict]) -> list[dict]:
    """Return the reasons with a ``text`` key added, worker side first, biggest points first."""
    reasons = [r for r in reasons or [] if isinstance(r, dict) and r.get("code")]
    names = _names_for(reasons)
    items = [dict(reason, text=describe(reason, names)) for reason in reasons]
    items.sort(key=lambda r: (r.get("side") != "worker", -abs(_int(r.get("points")))))
    return items


def explain(matches: Iterable) -> None:
    """Set ``reason_lines`` (largest contribution first) on each match of a page."""
    matches = list(matches)
    reasons = {
        m.pk: [r for r in m.reasons or [] if isinstance(r, dict) and r.get("code")] for m in matches
    }
    names = _names_for(r for rs in reasons.values() for r in rs)
    for match in matches:
        lines = [
            ReasonLine(
                text=describe(r, names), points=_int(r.get("points")), side=str(r.get("side", ""))
            )
            for r in reasons[match.pk]
        ]
        lines.sort(key=lambda line: -abs(line.points))
        match.reason_lines = lines
