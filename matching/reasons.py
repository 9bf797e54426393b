"""Human text for the engine's reason codes (``matching.engine.reasons``), in the UI language.

The engine emits only codes and numbers; this module is the one place that turns them into
phrases a county official or an HR clerk reads: "工资高于期望 800 元", "持有叉车证". Names of
the occupations, certificates and labor brands a reason mentions are fetched in one query per
kind for a whole page of matches (:func:`explain`).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
        # the worker left no wage expectation: say what the job pays, never invent a wish
        "wage_offered": lambda: _("月薪约 %(amount)d 元（本人未填期望工资）") % {"amount": amount},
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
            _("没有符合条件的岗位（主要原因：%(rule)s）") % {"rule": rule_label(reason["detail"])}
            if reason.get("detail")
            else _("没有符合条件的岗位")
        ),
        "outranked": lambda: (
            _("符合条件的 %(n)d 个岗位均已由优先级更高的求职者录满")
            % {"n": _int(reason.get("eligible"))}
            if _int(reason.get("eligible"))
            else _("符合条件的岗位均已由优先级更高的求职者录满")
        ),
        "not_selected": lambda: (
            _("有 %(n)d 个符合条件的岗位，但本轮未被选中") % {"n": _int(reason.get("eligible"))}
            if _int(reason.get("eligible"))
            else _("有符合条件的岗位，但本轮未被选中")
        ),
    }
    phrase = phrases.get(code)
    return phrase() if phrase else str(code).replace("_", " ")


def rule_label(code: str) -> str:
    """Return an eligibility rule (``engine.reasons.RULES``) in words, without its parameters."""
    labels = {
        "occupation_mismatch": _("工种不符"),
        "certificate_missing": _("缺少岗位要求的证书"),
        "age_out_of_range": _("年龄不在岗位要求范围内"),
        "start_before_departure": _("岗位到岗日期早于可出发日期"),
        "destination_not_wished": _("不在意向城市"),
        "wage_below_floor": _("工资低于本人最低期望"),
        "skill_level_too_low": _("技能等级低于岗位要求"),
        "shift_work_not_accepted": _("不接受倒班"),
        "education_too_low": _("文化程度低于岗位要求"),
        "group_member_ineligible": _("同行人员中有人不符合条件"),
        "headcount_below_group_size": _("岗位人数不足以容纳整个同行小组"),
    }
    return labels.get(code) or str(code).replace("_", " ")


def unmatched_sentences(statistics: dict) -> list[str]:
    """Return why a round left people unmatched, one full sentence per reason, largest first.

    "12 人没有符合条件的岗位，主要原因：工种不符 8 人，年龄不在岗位要求范围内 4 人。" — never
    a placeholder: reasons with no one behind them are left out.
    """
    by_reason = {c: _int(n) for c, n in (statistics.get("unmatched_by_reason") or {}).items()}
    by_rule = sorted(
        ((c, _int(n)) for c, n in (statistics.get("no_eligible_by_rule") or {}).items()),
        key=lambda kv: (-kv[1], kv[0]),
    )
    sentences = []
    for code, n in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0])):
        if n <= 0:
            continue
        if code == "no_eligible_vacancy":
            rules = [(rule, k) for rule, k in by_rule if k > 0]
            if rules:
                sentences.append(
                    ngettext(
                        "%(n)d 人没有符合条件的岗位，主要原因：%(rules)s。",
                        "%(n)d 人没有符合条件的岗位，主要原因：%(rules)s。",
                        n,
                    )
                    % {
                        "n": n,
                        "rules": _("，").join(
                            ngettext("%(rule)s %(k)d 人", "%(rule)s %(k)d 人", k)
                            % {"rule": rule_label(rule), "k": k}
                            for rule, k in rules
                        ),
                    }
                )
            else:
                sentences.append(
                    ngettext("%(n)d 人没有符合条件的岗位。", "%(n)d 人没有符合条件的岗位。", n)
                    % {"n": n}
                )
        elif code == "outranked":
            sentences.append(
                ngettext(
                    "%(n)d 人符合条件的岗位均已由优先级更高的求职者录满。",
                    "%(n)d 人符合条件的岗位均已由优先级更高的求职者录满。",
                    n,
                )
                % {"n": n}
            )
        elif code == "not_selected":
            sentences.append(
                ngettext(
                    "%(n)d 人有符合条件的岗位，但本轮为使总体匹配更优未被选中。",
                    "%(n)d 人有符合条件的岗位，但本轮为使总体匹配更优未被选中。",
                    n,
                )
                % {"n": n}
            )
        else:
            sentences.append(
                _("%(n)d 人：%(reason)s。") % {"n": n, "reason": describe({"code": code})}
            )
    return sentences


# Round stages (matching.rounds.STAGES) and the engine's timing keys, in words.
def stage_label(code: str) -> str:
    """Return a round stage or timing key in words ("candidates" → "生成候选岗位")."""
    labels = {
        "load": _("读取劳动力和岗位"),
        "prepare": _("准备数据"),
        "candidates": _("生成候选岗位"),
        "scores": _("打分"),
        "units": _("组成同行小组"),
        "assignment": _("稳定匹配"),
        "assign_stable": _("稳定匹配"),
        "optimal": _("最优匹配"),
        "assign_optimal": _("最优匹配"),
        "checks": _("核验结果"),
        "reasons": _("分析未匹配原因"),
        "explain": _("生成匹配理由"),
        "write": _("写入结果"),
        "write_workers": _("标记已匹配的劳动力"),
        "write_copy": _("写入匹配记录"),
        "write_checks": _("核对引用完整性"),
        "engine": _("引擎计算"),
        "done": _("完成"),
    }
    return labels.get(code) or str(code)


def timings_sentence(timings: dict) -> str:
    """Return a round's timings as one line of words: "读取劳动力和岗位 0.1 秒，…；共 1.7 秒"."""
    timings = dict(timings or {})
    total = timings.pop("total", None)
    parts = [
        _("%(stage)s %(seconds)s 秒") % {"stage": stage_label(k), "seconds": _seconds(v)}
        for k, v in timings.items()
        if isinstance(v, int | float)
    ]
    line = _("，").join(parts)
    if isinstance(total, int | float):
        line = _("%(parts)s；共 %(seconds)s 秒") % {"parts": line, "seconds": _seconds(total)}
    return line


def _seconds(value: float) -> str:
    return f"{value:.1f}" if value >= 0.1 else f"{value:.2f}"


def describe_all(reasons: Iterable[dict], *, hide_zero: bool = False) -> list[dict]:
    """Return the reasons with a ``text`` key added, worker side first, biggest points first.

    ``hide_zero`` leaves out reasons worth no points (pages list only what counted).
    """
    reasons = [r for r in reasons or [] if isinstance(r, dict) and r.get("code")]
    if hide_zero:
        reasons = [r for r in reasons if _int(r.get("points"))]
    names = _names_for(reasons)
    items = [dict(reason, text=describe(reason, names)) for reason in reasons]
    items.sort(key=lambda r: (r.get("side") != "worker", -abs(_int(r.get("points")))))
    return items


def truthful_wage(reasons: list[dict], *, min_wage: int | None) -> list[dict]:
    """Return ``reasons`` with the wage reason of a worker without a wage expectation restated.

    The engine scores a missing expectation as 0, so its "wage above expectation by 5,000" is
    really "the job pays about 5,000": say that instead (same points, no invented wish).
    """
    if min_wage:
        return reasons
    return [
        dict(r, code="wage_offered")
        if r.get("code") in ("wage_above_expectation", "wage_below_expectation")
        else r
        for r in reasons
    ]


def explain(matches: Iterable) -> None:
    """Set the reasons of each match of a page, largest contribution first, in words.

    ``reason_lines`` holds every reason that counted (worth points); ``worker_lines`` and
    ``vacancy_lines`` split them into why the worker would go and why the employer would take
    them — both sides for every round, stable or optimal.
    """
    matches = list(matches)
    reasons = {
        m.pk: truthful_wage(
            [r for r in m.reasons or [] if isinstance(r, dict) and r.get("code")],
            min_wage=getattr(m.worker, "min_wage", None),
        )
        for m in matches
    }
    names = _names_for(r for rs in reasons.values() for r in rs)
    for match in matches:
        lines = [
            ReasonLine(
                text=describe(r, names), points=_int(r.get("points")), side=str(r.get("side", ""))
            )
            for r in reasons[match.pk]
            if _int(r.get("points"))
        ]
        lines.sort(key=lambda line: -abs(line.points))
        # A skill an import kept as a 待归类 word is no skill to the engine: say so, so nobody
        # wonders why 司机 did not count for a driving job.
        word = getattr(match.worker, "skill_unclassified", "")
        if word:
            lines.append(
                ReasonLine(
                    text=_("技能“%(word)s”待归类，匹配时按无技能计") % {"word": word},
                    points=0,
                    side="worker",
                )
            )
        match.reason_lines = lines
        match.worker_lines = [line for line in lines if line.side == "worker"]
        match.vacancy_lines = [line for line in lines if line.side != "worker"]
