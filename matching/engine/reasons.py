"""Structured reason items and the codes the engine emits.

The engine never produces human text. Every explanation is a :class:`Reason`: a stable code
string plus numeric parameters; the Django layer turns codes into Chinese (or English) with
gettext. Codes are part of the engine's contract: they are only ever added, never renamed.

Eligibility rules (``ineligibility()``, ``no_eligible_vacancy`` unmatched reasons)
---------------------------------------------------------------------------------
``occupation_mismatch``       vacancy occupation is neither one of the worker's skill or wished
                              occupations nor related to one. params: ``occupation_id``.
``certificate_missing``       a required certificate is not held. params: ``cert_id``.
``age_out_of_range``          worker's age outside the vacancy's range.
                              params: ``age``, ``age_min``, ``age_max``.
``start_before_departure``    vacancy starts before the worker's earliest departure date.
                              params: ``start`` and ``earliest`` (``date.toordinal()`` days).
``destination_not_wished``    worker listed destination cities and this city is not one.
                              params: ``city``.
``wage_below_floor``          vacancy's maximum wage below the worker's minimum monthly wage.
                              params: ``wage_max``, ``min_wage`` (yuan/month).
``skill_level_too_low``       worker's skill level in the occupation (a related occupation's
                              skill counts one level lower) below the vacancy's minimum.
                              params: ``level``, ``required``.
``shift_work_not_accepted``   vacancy works shifts and the worker does not accept shift work.
``education_too_low``         worker's schooling below the vacancy's minimum (0 = none required,
                              1 primary … 5 bachelor; a worker whose schooling is not recorded
                              has level -1 and meets no requirement). params: ``level``,
                              ``required``.
``group_member_ineligible``   (travel groups) no vacancy is eligible for every member.
``headcount_below_group_size``  (travel groups) vacancies eligible for every member exist but
                              none has headcount for the whole group. params: ``size``.

Worker-side score reasons (worker's preference for a vacancy)
-------------------------------------------------------------
``wage_above_expectation``    expected wage (midpoint of the vacancy's range) minus the worker's
                              minimum wage is >= 0. params: ``points``, ``amount`` (yuan).
``wage_below_expectation``    the same difference is negative. params: ``points``, ``amount``.
``destination_wished``        vacancy city is the worker's wished city number ``rank`` (0 = first).
                              params: ``points``, ``city``, ``rank``.
``occupation_wished``         vacancy occupation is wished occupation number ``rank``.
                              params: ``points``, ``occupation_id``, ``rank``.
``occupation_related_to_wish``  vacancy occupation is related to a wished occupation.
                              params: ``points``, ``occupation_id``.
``dormitory_provided``        vacancy offers a dormitory and the worker accepts one. ``points``.
``meals_provided``            vacancy provides meals. ``points``.
``travel_reimbursed``         vacancy reimburses travel. ``points``.
``social_insurance``          vacancy pays social insurance. ``points``.
``travel_distance``           great-circle (haversine) distance home -> workplace; negative points.
                              params: ``points``, ``km``.

Vacancy-side score reasons (vacancy's priority for a worker)
------------------------------------------------------------
``skill_level``               skill in the vacancy's occupation. params: ``points``,
                              ``occupation_id``, ``level``.
``related_skill_level``       best skill is in a related occupation (counts one level lower).
                              params: ``points``, ``occupation_id``, ``level`` (effective level).
``skill_years``               years of that skill (capped). params: ``points``, ``years``.
``holds_certificate``         worker holds a certificate the vacancy requires or prefers.
                              params: ``points``, ``cert_id``.
``poverty_priority``          policy priority for a poverty-alleviated household. ``points``.
``monitoring_priority``       policy priority for a household under return-to-poverty
                              monitoring. ``points``.
``labor_brand_fit``           worker belongs to a labor brand the vacancy prefers.
                              params: ``points``, ``brand_id``.

Unmatched reasons (``Result.unmatched_reason()``)
-------------------------------------------------
``no_eligible_vacancy``       no eligible vacancy (for a travel group: none eligible for the whole
                              group). params: ``rule`` is given as the reason's ``detail`` code
                              (one of the eligibility codes above: the rule that excluded the
                              most vacancies of the worker's occupations, or ``occupation_mismatch``
                              when no vacancy has one of them), ``excluded`` (vacancies that rule
                              excluded), ``considered`` (vacancies of matching occupation).
``outranked``                 every eligible vacancy is filled by workers (units) of higher
                              priority: the worker (group) cannot be seated without displacing
                              someone the vacancy ranks higher. params: ``eligible``.
``not_selected``              some eligible vacancy could have seated the worker, but the assignment
                              placed others (optimal mode, or an unresolved travel-group
                              instability). params: ``eligible``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# Eligibility rules, in the order they are reported (ties for "most excluded" go to the first).
OCCUPATION_MISMATCH = "occupation_mismatch"
CERTIFICATE_MISSING = "certificate_missing"
AGE_OUT_OF_RANGE = "age_out_of_range"
START_BEFORE_DEPARTURE = "start_before_departure"
DESTINATION_NOT_WISHED = "destination_not_wished"
WAGE_BELOW_FLOOR = "wage_below_floor"
SKILL_LEVEL_TOO_LOW = "skill_level_too_low"
SHIFT_WORK_NOT_ACCEPTED = "shift_work_not_accepted"
EDUCATION_TOO_LOW = "education_too_low"
GROUP_MEMBER_INELIGIBLE = "group_member_ineligible"
HEADCOUNT_BELOW_GROUP_SIZE = "headcount_below_group_size"

# Index = the integer the kernels use for a rule.
RULES: tuple[str, ...] = (
    OCCUPATION_MISMATCH,
    CERTIFICATE_MISSING,
    AGE_OUT_OF_RANGE,
    START_BEFORE_DEPARTURE,
    DESTINATION_NOT_WISHED,
    WAGE_BELOW_FLOOR,
    SKILL_LEVEL_TOO_LOW,
    SHIFT_WORK_NOT_ACCEPTED,
    EDUCATION_TOO_LOW,
    GROUP_MEMBER_INELIGIBLE,
    HEADCOUNT_BELOW_GROUP_SIZE,
)
RULE_INDEX = MappingProxyType({code: i for i, code in enumerate(RULES)})
# The rules one vacancy of a matching occupation can fail (not the occupation or group rules).
VACANCY_RULES = RULES[1 : RULE_INDEX[GROUP_MEMBER_INELIGIBLE]]

# Worker side.
WAGE_ABOVE_EXPECTATION = "wage_above_expectation"
WAGE_BELOW_EXPECTATION = "wage_below_expectation"
DESTINATION_WISHED = "destination_wished"
OCCUPATION_WISHED = "occupation_wished"
OCCUPATION_RELATED_TO_WISH = "occupation_related_to_wish"
DORMITORY_PROVIDED = "dormitory_provided"
MEALS_PROVIDED = "meals_provided"
TRAVEL_REIMBURSED = "travel_reimbursed"
SOCIAL_INSURANCE = "social_insurance"
TRAVEL_DISTANCE = "travel_distance"

# Vacancy side.
SKILL_LEVEL = "skill_level"
RELATED_SKILL_LEVEL = "related_skill_level"
SKILL_YEARS = "skill_years"
HOLDS_CERTIFICATE = "holds_certificate"
POVERTY_PRIORITY = "poverty_priority"
MONITORING_PRIORITY = "monitoring_priority"
LABOR_BRAND_FIT = "labor_brand_fit"

# Unmatched.
NO_ELIGIBLE_VACANCY = "no_eligible_vacancy"
OUTRANKED = "outranked"
NOT_SELECTED = "not_selected"

# Index = the integer stored in Result.unmatched_code (-1 = matched).
UNMATCHED: tuple[str, ...] = (NO_ELIGIBLE_VACANCY, OUTRANKED, NOT_SELECTED)

WORKER_SCORE_CODES: tuple[str, ...] = (
    WAGE_ABOVE_EXPECTATION,
    WAGE_BELOW_EXPECTATION,
    DESTINATION_WISHED,
    OCCUPATION_WISHED,
    OCCUPATION_RELATED_TO_WISH,
    DORMITORY_PROVIDED,
    MEALS_PROVIDED,
    TRAVEL_REIMBURSED,
    SOCIAL_INSURANCE,
    TRAVEL_DISTANCE,
)
VACANCY_SCORE_CODES: tuple[str, ...] = (
    SKILL_LEVEL,
    RELATED_SKILL_LEVEL,
    SKILL_YEARS,
    HOLDS_CERTIFICATE,
    POVERTY_PRIORITY,
    MONITORING_PRIORITY,
    LABOR_BRAND_FIT,
)
ALL_CODES: tuple[str, ...] = RULES + WORKER_SCORE_CODES + VACANCY_SCORE_CODES + UNMATCHED


@dataclass(frozen=True, slots=True, init=False)
class Reason:
    """One structured explanation item: a code, optional points and numeric parameters.

    ``Reason("wage_above_expectation", points=16, amount=800)``. ``detail`` carries a second
    code where one is needed (the excluding rule of ``no_eligible_vacancy``).
    """

    code: str
    points: int
    detail: str | None
    params: MappingProxyType[str, Any] = field(compare=False)
    _items: tuple[tuple[str, Any], ...] = field(repr=False)

    def __init__(self, code: str, *, points: int = 0, detail: str | None = None, **params: Any):
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "points", int(points))
        object.__setattr__(self, "detail", detail)
        object.__setattr__(self, "params", MappingProxyType(dict(params)))
        object.__setattr__(self, "_items", tuple(sorted(params.items())))

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (``code``, ``points``, ``detail`` and the params)."""
        data: dict[str, Any] = {"code": self.code, "points": self.points}
        if self.detail is not None:
            data["detail"] = self.detail
        data.update(self.params)
        return data

    def __getattr__(self, name: str) -> Any:
        # Only called for names that are not slots: expose params as attributes (r.amount).
        try:
            return self.params[name]
        except (KeyError, AttributeError):
            raise AttributeError(name) from None
