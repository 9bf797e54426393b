"""Writes for employers and vacancies: atomic, scoped through ``laborbridge.access``, audited.

Every write that changes what the public job board shows throws the affected campaigns'
board cache away once the transaction has committed (``jobs.board``).
"""

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.board import board_invalidate
from jobs.models import (
    LEGAL_WORKING_AGE,
    OLDEST_PLACEMENT_AGE,
    Education,
    Employer,
    PayType,
    ShiftPattern,
    SkillLevel,
    Vacancy,
    VacancyStatus,
    VerificationStatus,
)
from laborbridge import access
from laborbridge.identifiers import validate_credit_code
from laborbridge.minimum_wage import MONTHLY_HOURS, minimum_wage_for, monthly_floor
from laborbridge.models import Campaign, CertificateType, Occupation, Region, User
from laborbridge.services import audit_record, model_changes

# The vacancy lifecycle: which status may follow which. ``filled`` is normally reached by
# matching taking the last place; HR may also mark a vacancy filled by hand.
VACANCY_TRANSITIONS: dict[str, set[str]] = {
    VacancyStatus.DRAFT: {VacancyStatus.OPEN, VacancyStatus.CLOSED},
    VacancyStatus.OPEN: {VacancyStatus.PAUSED, VacancyStatus.CLOSED, VacancyStatus.FILLED},
    VacancyStatus.PAUSED: {VacancyStatus.OPEN, VacancyStatus.CLOSED},
    VacancyStatus.FILLED: {VacancyStatus.OPEN, VacancyStatus.CLOSED},
    VacancyStatus.CLOSED: set(),
}

# A typo guard, not a policy: no vacancy of the cooperation pays 100,000 yuan a month.
WAGE_CEILING = 100_000

# Phrases that set a condition the Employment Promotion Law forbids (sex, ethnicity, home
# region; art. 3, 27, 28, 31) or an age limit outside the vacancy's age range fields.
# Deliberately narrow — restrictive wording only — so that ordinary text such as "男女不限",
# "设清真窗口" or "年满18周岁" passes; it catches the common phrasings, not every one.
_RESTRICT = r"(?:限|只招|仅招|只要|仅限|不招|不要|不收|谢绝)"
_PROVINCES = (
    "北京|天津|河北|山西|内蒙古?|辽宁|吉林|黑龙江|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北"
    "|湖南|广东|广西|海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|外地|外省|外县|外市"
)
_DISCRIMINATORY = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"(?:限|只招|仅招|只要|仅限|要求|不招|不要|不收)\s*(?:男|女)(?:性|士|工|生)?",
        r"(?:男|女)(?:性|士|工|生)?\s*优先",
        r"\b(?:males?|females?|men|women)\s+only\b",
        r"\bonly\s+(?:males?|females?|men|women)\b",
        r"(?:限|只招|仅招|只要|仅限|不招|不要|不收)\s*\S{0,6}?族",
        r"\S{1,3}族\s*优先",
        r"(?:限|只招|仅招|只要|仅限|不招|不要|不收)\s*\S{0,6}?(?:户籍|户口|籍贯|籍)",
        r"本地(?:人|户口|户籍)\s*优先|(?:限|只招|仅招|只要|仅限)\s*本(?:地|市|省|县)",
        rf"{_RESTRICT}\s*(?:{_PROVINCES})(?:省|市|县)?人",
        r"外地人\s*(?:勿扰|免谈|不要|不招|谢绝)",
    )
]
# Age limits written into the text instead of the age range fields: "35岁以下", "限40周岁",
# "年龄不超过45岁". The statutory floor ("年满16/18周岁") is not a restriction.
_AGE_LIMITS = [
    re.compile(pattern)
    for pattern in (
        r"\d{2}\s*周?岁\s*(?:以下|以内|之内|以上|之间|左右)",
        r"(?:限|只招|仅招|只要|仅限)\s*\d{2}\s*(?:[-—~～至到]\s*\d{2}\s*)?周?岁",
        r"年龄\s*(?:不超过|不大于|不高于|小于|低于|在)\s*\d{2}",
        r"\d{2}\s*[-—~～至到]\s*\d{2}\s*周?岁",
    )
]
_STATUTORY_AGE = re.compile(r"年满\s*1[68]\s*周?岁\s*(?:以上)?")
# Titles name the job, not the sex of who does it: "包装女工" is a condition in disguise.
_TITLE_SEX = re.compile(r"(?:男|女)(?:工|士)")
SCREENED_FIELDS = (
    "title",
    "description",
    "physical_requirements",
    "working_hours",
    "benefits_note",
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class VacancyData:
    """Everything HR states about a vacancy; the input of create, update and import."""

    occupation: Occupation
    title: str
    headcount: int
    wage_min: int
    wage_max: int
    district: Region
    start_date: dt.date
    description: str = ""
    pay_type: str = PayType.MONTHLY
    address: str = ""
    shift_pattern: str = ShiftPattern.DAY
    working_hours: str = ""
    contract_months: int = 12
    age_min: int = 18
    age_max: int = 55
    required_certificates: tuple[CertificateType, ...] = ()
    min_skill_level: int = SkillLevel.NONE
    min_education: int = Education.NONE
    physical_requirements: str = ""
    dormitory: bool = False
    meals: bool = False
    travel_reimbursement: bool = False
    social_insurance: bool = True
    benefits_note: str = ""
    campaign: Campaign | None = None

    @classmethod
    def of(cls, vacancy: Vacancy, **changes) -> "VacancyData":
        """Return the vacancy's current data with ``changes`` applied (for partial updates)."""
        values = {
            field.name: getattr(vacancy, field.name)
            for field in dataclasses.fields(cls)
            if field.name != "required_certificates"
        }
        values["required_certificates"] = tuple(vacancy.required_certificates.all())
        values.update(changes)
        return cls(**values)


_SCALAR_FIELDS = [
    f.name for f in dataclasses.fields(VacancyData) if f.name != "required_certificates"
]


def _after_commit_invalidate(campaign_ids: Iterable[int | None]) -> None:
    transaction.on_commit(partial(board_invalidate, list(campaign_ids)))


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------- employers


def _check_place(city: Region, district: Region) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if city.level not in (Region.Level.CITY, Region.Level.PROVINCE):
        errors["city"] = [_("所在城市必须是地级市或直辖市。")]
    if district.level != Region.Level.COUNTY:
        errors["district"] = [_("所在区县必须是县级行政区。")]
    elif not city.contains(district):
        errors["district"] = [
            _("“%(district)s”不属于“%(city)s”。") % {"district": district.name, "city": city.name}
        ]
    return errors


def employer_check_credit_code(*, credit_code: str, exclude_pk: int | None = None) -> str:
    """Return the normalised credit code, refusing an invalid one or one already registered."""
    try:
        code = validate_credit_code(credit_code)
    except ValidationError as error:
        raise ValidationError({"credit_code": error.messages}) from None
    clash = Employer.objects.filter(credit_code=code).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise ValidationError(
            {"credit_code": _("该统一社会信用代码已被“%(name)s”使用。") % {"name": clash.name}}
        )
    return code


PROFILE_FIELDS = [
    "name",
    "credit_code",
    "city",
    "district",
    "address",
    "industry",
    "size",
    "description",
    "has_dormitory",
    "dormitory_details",
    "has_canteen",
    "canteen_details",
]
# Verification vouches for who the employer is; changing these sends it back for review.
_IDENTITY_FIELDS = ("name", "credit_code")


@transaction.atomic
def employer_create(
    *,
    actor: User,
    name: str,
    credit_code: str,
    city: Region,
    district: Region,
    industry: str,
    address: str = "",
    size: str = "",
) -> Employer:
    """Register a new employer (coordinator within their pairing, or admin); it starts pending."""
    if not access.districts_for_employer_registration(actor).filter(pk=district.pk).exists():
        raise PermissionDenied(_("您不能在该地区登记企业。"))
    name = name.strip()
    errors = _check_place(city, district)
    if not name:
        errors["name"] = [_("请填写企业名称。")]
    _raise_if(errors)
    employer = Employer(
        name=name,
        credit_code=employer_check_credit_code(credit_code=credit_code),
        city=city,
        district=district,
        industry=industry,
        address=address.strip(),
        size=size,
    )
    employer.full_clean()
    employer.save()
    audit_record(
        actor=actor,
        action="employer.create",
        target=employer,
        changes={"name": [None, employer.name], "credit_code": [None, employer.credit_code]},
    )
    return employer


@transaction.atomic
def employer_update(
    *,
    actor: User,
    employer: Employer,
    name: str | None = None,
    credit_code: str | None = None,
    city: Region | None = None,
    district: Region | None = None,
    address: str | None = None,
    industry: str | None = None,
    size: str | None = None,
    description: str | None = None,
    has_dormitory: bool | None = None,
    dormitory_details: str | None = None,
    has_canteen: bool | None = None,
    canteen_details: str | None = None,
) -> Employer:
    """Save HR's company profile; arguments left ``None`` keep their value.

    A rejected employer that saves its profile goes back to review; so does a verified one
    whose legal name or credit code changes.
    """
    employer = (
        access.employers_editable_by(actor).select_for_update().filter(pk=employer.pk).first()
    )
    if employer is None:
        raise PermissionDenied(_("您无权修改该企业信息。"))
    given = {
        "name": name,
        "credit_code": credit_code,
        "city": city,
        "district": district,
        "address": address,
        "industry": industry,
        "size": size,
        "description": description,
        "has_dormitory": has_dormitory,
        "dormitory_details": dormitory_details,
        "has_canteen": has_canteen,
        "canteen_details": canteen_details,
    }
    values = {
        field: (getattr(employer, field) if value is None else value)
        for field, value in given.items()
    }
    for field in ("name", "address", "description", "dormitory_details", "canteen_details"):
        values[field] = values[field].strip()
    errors = _check_place(values["city"], values["district"])
    if not values["name"]:
        errors["name"] = [_("请填写企业名称。")]
    try:
        values["credit_code"] = employer_check_credit_code(
            credit_code=values["credit_code"], exclude_pk=employer.pk
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    _raise_if(errors)

    changes = model_changes(employer, PROFILE_FIELDS, values)
    old_status = employer.verification_status
    # Saving a rejected profile asks for review again, changed or not.
    resubmit = old_status == VerificationStatus.REJECTED or (
        old_status == VerificationStatus.VERIFIED and bool(set(_IDENTITY_FIELDS) & set(changes))
    )
    if not changes and not resubmit:
        return employer
    for field, value in values.items():
        setattr(employer, field, value)
    if resubmit:
        employer.verification_status = VerificationStatus.PENDING
        employer.verified_at = None
        changes["verification_status"] = [old_status, VerificationStatus.PENDING]
    employer.full_clean(exclude=["credit_code"])
    employer.save(
        update_fields=[*PROFILE_FIELDS, "verification_status", "verified_at", "updated_at"]
    )
    audit_record(actor=actor, action="employer.update", target=employer, changes=changes)
    _after_commit_invalidate(_campaigns_of(employer))
    return employer


def _campaigns_of(employer: Employer) -> list[int | None]:
    return list(
        Vacancy.objects.filter(employer=employer).values_list("campaign_id", flat=True).distinct()
    )


@transaction.atomic
def employer_verify(
    *, actor: User, employer: Employer, approve: bool, reason: str = ""
) -> Employer:
    """Record a coordinator's decision on an employer: verified, or rejected with a reason."""
    employer = (
        access.employers_verifiable_by(actor).select_for_update().filter(pk=employer.pk).first()
    )
    if employer is None:
        raise PermissionDenied(_("您无权审核该企业。"))
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("驳回时请填写原因。")})
    old = employer.verification_status
    new = VerificationStatus.VERIFIED if approve else VerificationStatus.REJECTED
    if old == new and (approve or employer.rejection_reason == reason):
        return employer
    employer.verification_status = new
    employer.rejection_reason = "" if approve else reason
    employer.verified_at = timezone.now() if approve else None
    employer.save(
        update_fields=["verification_status", "rejection_reason", "verified_at", "updated_at"]
    )
    audit_record(
        actor=actor,
        action="employer.verify",
        target=employer,
        changes={"verification_status": [old, new]},
        reason=reason,
    )
    _after_commit_invalidate(_campaigns_of(employer))
    return employer


# ---------------------------------------------------------------------------- vacancies


def vacancy_discriminatory_phrase(text: str, *, title: bool = False) -> str | None:
    """Return the first phrase of ``text`` that sets a sex, ethnicity or region condition."""
    text = text or ""
    patterns = [*_DISCRIMINATORY, _TITLE_SEX] if title else _DISCRIMINATORY
    for pattern in patterns:
        found = pattern.search(text)
        if found:
            return found.group(0)
    return None


def vacancy_age_limit_phrase(text: str) -> str | None:
    """Return the first phrase of ``text`` that limits age outside the age range fields."""
    text = _STATUTORY_AGE.sub(" ", text or "")
    for pattern in _AGE_LIMITS:
        found = pattern.search(text)
        if found:
            return found.group(0).strip()
    return None


def _vacancy_dates_and_wage_errors(
    data: VacancyData, current: Vacancy | None
) -> dict[str, list[str]]:
    """Refuse a start date in the past and a wage below the workplace's legal minimum.

    Both are checked for a new vacancy and, on an edit, only when the value changes, so an
    old vacancy whose start has passed can still be corrected elsewhere.
    """
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if data.start_date < today and (current is None or current.start_date != data.start_date):
        errors["start_date"] = [
            _("到岗日期 %(date)s 已经过去，请填写今天（%(today)s）或以后的日期。")
            % {"date": data.start_date.isoformat(), "today": today.isoformat()}
        ]
    wage_changed = current is None or (current.wage_min, current.pay_type, current.district_id) != (
        data.wage_min,
        data.pay_type,
        data.district.pk,
    )
    if not wage_changed or data.wage_min < 1:
        return errors
    standard = minimum_wage_for(district=data.district, on=max(data.start_date, today))
    if standard is None:
        return errors
    hourly = data.pay_type == PayType.HOURLY
    floor = monthly_floor(standard, hourly_paid=hourly)
    if data.wage_min >= floor:
        return errors
    values = {
        "wage": data.wage_min,
        "place": data.district.full_name or data.district.name,
        "monthly": standard.monthly,
        "hourly": f"{standard.hourly.normalize():f}",
        "tier": standard.tier,
        "since": standard.effective_from.isoformat(),
        "source": standard.source,
        "floor": floor,
        "hours": f"{MONTHLY_HOURS:g}",
    }
    if hourly and data.wage_min >= standard.monthly:
        message = _(
            "计时岗位月薪下限 %(wage)d 元按每月 %(hours)s 小时折算，低于%(place)s的小时最低工资"
            " %(hourly)s 元（%(tier)s，%(since)s 起执行，依据：%(source)s）；"
            "月薪下限至少应为 %(floor)d 元。"
        )
    else:
        message = _(
            "月薪下限 %(wage)d 元低于%(place)s的最低工资标准 %(monthly)d 元/月"
            "（%(tier)s，%(since)s 起执行，依据：%(source)s）；月薪下限至少应为 %(floor)d 元。"
        )
    errors["wage_min"] = [message % values]
    return errors


def vacancy_validate(
    *,
    employer: Employer,
    data: VacancyData,
    filled_count: int = 0,
    current: Vacancy | None = None,
) -> None:
    """Raise a ValidationError naming every field of ``data`` that cannot be saved.

    ``current`` is the stored vacancy on an edit (None for a new one): a past start date
    or a wage below the legal minimum is refused when new or changed.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not data.title.strip():
        add("title", _("请填写岗位名称。"))
    if data.headcount < 1:
        add("headcount", _("招聘人数至少为 1。"))
    elif data.headcount < filled_count:
        add(
            "headcount",
            _("已有 %(filled)d 人录用，招聘人数不能少于 %(filled)d。") % {"filled": filled_count},
        )
    if data.wage_min < 1:
        add("wage_min", _("请填写月薪下限。"))
    if data.wage_max < data.wage_min:
        add("wage_max", _("月薪上限不能低于下限。"))
    if data.wage_max > WAGE_CEILING:
        add("wage_max", _("月薪上限超过 10 万元，请核对是否多写了 0。"))
    if data.age_min < LEGAL_WORKING_AGE:
        add("age_min", _("最低年龄不能小于 %(age)d 周岁。") % {"age": LEGAL_WORKING_AGE})
    if data.age_max > OLDEST_PLACEMENT_AGE:
        add("age_max", _("最高年龄不能大于 %(age)d 周岁。") % {"age": OLDEST_PLACEMENT_AGE})
    if data.age_max < data.age_min:
        add("age_max", _("最高年龄不能低于最低年龄。"))
    if not 1 <= data.contract_months <= 120:
        add("contract_months", _("合同期限应在 1 至 120 个月之间。"))
    if data.district.level != "county":
        add("district", _("工作地点必须是县级行政区（区、县、县级市）。"))
    if data.pay_type not in PayType.values:
        add("pay_type", _("计薪方式无效。"))
    if data.shift_pattern not in ShiftPattern.values:
        add("shift_pattern", _("班制无效。"))
    if data.min_skill_level not in SkillLevel.values:
        add("min_skill_level", _("技能等级无效。"))
    if data.min_education not in Education.values:
        add("min_education", _("学历要求无效。"))
    if data.campaign is not None and not data.campaign.pairing.east_region.contains(
        employer.district_id
    ):
        add("campaign", _("该招聘行动不接收本企业所在地区的岗位。"))
    if data.district.level == "county":
        for field, messages in _vacancy_dates_and_wage_errors(data, current).items():
            errors.setdefault(field, []).extend(messages)
    for field, messages in vacancy_wording_errors(
        {field: getattr(data, field) for field in SCREENED_FIELDS}
    ).items():
        errors.setdefault(field, []).extend(messages)
    _raise_if(errors)


def vacancy_wording_errors(texts: dict[str, str]) -> dict[str, list[str]]:
    """Return, per field, the message refusing a discriminatory condition in its text."""
    errors = {}
    for field, text in texts.items():
        phrase = vacancy_discriminatory_phrase(text, title=field == "title")
        if phrase:
            errors[field] = [
                _(
                    "含有“%(phrase)s”：招聘不得设置性别、民族、地域等歧视性条件"
                    "（《就业促进法》），请删除后再保存。"
                )
                % {"phrase": phrase}
            ]
            continue
        phrase = vacancy_age_limit_phrase(text)
        if phrase:
            errors[field] = [
                _(
                    "含有“%(phrase)s”：不得在文字中另设年龄限制（歧视性条件），"
                    "年龄要求请填在“最低年龄”“最高年龄”两栏。"
                )
                % {"phrase": phrase}
            ]
    return errors


def _vacancy_values(data: VacancyData) -> dict:
    values = {name: getattr(data, name) for name in _SCALAR_FIELDS}
    for name in ("title", "description", "address", "working_hours", "physical_requirements"):
        values[name] = values[name].strip()
    values["benefits_note"] = values["benefits_note"].strip()
    return values


@transaction.atomic
def vacancy_create(
    *, actor: User, employer: Employer, data: VacancyData, publish: bool = False
) -> Vacancy:
    """Create a vacancy of ``employer`` as a draft (or published at once)."""
    if not access.employers_editable_by(actor).filter(pk=employer.pk).exists():
        raise PermissionDenied(_("您无权为该企业发布岗位。"))
    vacancy_validate(employer=employer, data=data)
    vacancy = Vacancy(employer=employer, **_vacancy_values(data))
    vacancy.save()
    vacancy.required_certificates.set(data.required_certificates)
    audit_record(
        actor=actor,
        action="vacancy.create",
        target=vacancy,
        changes={"title": [None, vacancy.title], "headcount": [None, vacancy.headcount]},
    )
    if publish:
        vacancy = vacancy_set_status(actor=actor, vacancy=vacancy, status=VacancyStatus.OPEN)
    return vacancy


def _status_for_headcount(status: str, vacancy: Vacancy) -> str:
    """Return ``status`` corrected for the places left: open ↔ filled follow the headcount."""
    if status == VacancyStatus.OPEN and vacancy.filled_count >= vacancy.headcount:
        return VacancyStatus.FILLED
    if status == VacancyStatus.FILLED and vacancy.filled_count < vacancy.headcount:
        return VacancyStatus.OPEN
    return status


@transaction.atomic
def vacancy_update(*, actor: User, vacancy: Vacancy, data: VacancyData) -> Vacancy:
    """Save HR's changes to a vacancy; a closed vacancy can no longer be changed.

    A change of headcount keeps the status honest: an open vacancy whose places are now all
    taken becomes filled, a filled one with places again becomes open.
    """
    vacancy = access.vacancies_editable_by(actor).select_for_update().filter(pk=vacancy.pk).first()
    if vacancy is None:
        raise PermissionDenied(_("您无权修改该岗位。"))
    if vacancy.status == VacancyStatus.CLOSED:
        raise ValidationError(_("岗位已关闭，不能再修改。"), code="closed")
    employer = vacancy.employer
    vacancy_validate(
        employer=employer, data=data, filled_count=vacancy.filled_count, current=vacancy
    )
    values = _vacancy_values(data)
    changes = model_changes(vacancy, _SCALAR_FIELDS, values)
    old_campaign = vacancy.campaign_id
    old_certificates = set(vacancy.required_certificates.values_list("pk", flat=True))
    new_certificates = {c.pk for c in data.required_certificates}
    if old_certificates != new_certificates:
        changes["required_certificates"] = [sorted(old_certificates), sorted(new_certificates)]
    if not changes:
        return vacancy
    for field, value in values.items():
        setattr(vacancy, field, value)
    update_fields = [*_SCALAR_FIELDS, "updated_at"]
    status = _status_for_headcount(vacancy.status, vacancy)
    if status != vacancy.status:
        changes["status"] = [vacancy.status, status]
        vacancy.status = status
        update_fields.append("status")
    vacancy.save(update_fields=update_fields)
    if "required_certificates" in changes:
        vacancy.required_certificates.set(data.required_certificates)
    audit_record(actor=actor, action="vacancy.update", target=vacancy, changes=changes)
    _after_commit_invalidate([old_campaign, vacancy.campaign_id])
    return vacancy


@transaction.atomic
def vacancy_set_status(*, actor: User, vacancy: Vacancy, status: str) -> Vacancy:
    """Move a vacancy along its lifecycle; refuse illegal moves with a clear message."""
    vacancy = access.vacancies_editable_by(actor).select_for_update().filter(pk=vacancy.pk).first()
    if vacancy is None:
        raise PermissionDenied(_("您无权修改该岗位。"))
    if status not in VacancyStatus.values:
        raise ValidationError(_("未知的岗位状态“%(status)s”。") % {"status": status})
    if status == vacancy.status:
        return vacancy
    if status not in VACANCY_TRANSITIONS[vacancy.status]:
        raise ValidationError(
            _("岗位状态不能从“%(old)s”变为“%(new)s”。")
            % {"old": VacancyStatus(vacancy.status).label, "new": VacancyStatus(status).label},
            code="illegal_transition",
        )
    if status == VacancyStatus.OPEN and vacancy.filled_count >= vacancy.headcount:
        raise ValidationError(
            _("该岗位 %(headcount)d 个名额已全部录用，请先增加招聘人数再重新开放。")
            % {"headcount": vacancy.headcount},
            code="no_places_left",
        )
    old = vacancy.status
    vacancy.status = status
    update_fields = ["status", "updated_at"]
    if status == VacancyStatus.OPEN and vacancy.published_at is None:
        vacancy.published_at = timezone.now()
        update_fields.append("published_at")
    vacancy.save(update_fields=update_fields)
    audit_record(
        actor=actor, action="vacancy.status", target=vacancy, changes={"status": [old, status]}
    )
    _after_commit_invalidate([vacancy.campaign_id])
    return vacancy


def vacancy_publish(*, actor: User, vacancy: Vacancy) -> Vacancy:
    """Open a draft or paused vacancy to matching and (once the employer is verified) the board."""
    return vacancy_set_status(actor=actor, vacancy=vacancy, status=VacancyStatus.OPEN)


def vacancy_pause(*, actor: User, vacancy: Vacancy) -> Vacancy:
    """Take an open vacancy off the board and out of matching for a while."""
    return vacancy_set_status(actor=actor, vacancy=vacancy, status=VacancyStatus.PAUSED)


def vacancy_close(*, actor: User, vacancy: Vacancy) -> Vacancy:
    """Close a vacancy for good."""
    return vacancy_set_status(actor=actor, vacancy=vacancy, status=VacancyStatus.CLOSED)


# ------------------------------------------------------------------------------ imports

# Rows per INSERT / UPDATE of an import. An HR sheet rarely has more than a few hundred
# vacancies; 500 rows of ~30 columns stay well under SQLite's and PostgreSQL's parameter
# limits and take ~30 ms per statement.
IMPORT_BATCH = 500


@dataclasses.dataclass(frozen=True)
class VacancyImportUpdate:
    """One stored vacancy an import row changes: the new data, status and the change list."""

    vacancy: Vacancy
    data: VacancyData
    status: str
    changes: dict


@transaction.atomic
def vacancies_import(
    *,
    actor: User,
    employer: Employer,
    creates: Sequence[tuple[VacancyData, str]],
    updates: Sequence[VacancyImportUpdate],
) -> tuple[list[Vacancy], list[Vacancy]]:
    """Write an import's new and changed vacancies of ``employer`` in bulk, audited.

    Each row was validated by the importer with :func:`vacancy_validate` and its status
    move checked against the lifecycle; this re-checks both, so nothing invalid is written
    even if the data changed between preview and commit (the import then stores nothing).
    """
    from laborbridge.imports.services import audit_record_bulk

    if not access.employers_editable_by(actor).filter(pk=employer.pk).exists():
        raise PermissionDenied(_("您无权为该企业导入岗位。"))
    now = timezone.now()
    created = []
    for data, status in creates:
        vacancy_validate(employer=employer, data=data)
        if status not in (VacancyStatus.DRAFT, VacancyStatus.OPEN):
            raise ValidationError(_("新岗位只能是草稿或招聘中。"))
        created.append(
            Vacancy(
                employer=employer,
                status=status,
                published_at=now if status == VacancyStatus.OPEN else None,
                **_vacancy_values(data),
            )
        )
    Vacancy.objects.bulk_create(created, batch_size=IMPORT_BATCH)
    through = Vacancy.required_certificates.through
    links = [
        through(vacancy_id=vacancy.pk, certificatetype_id=certificate.pk)
        for vacancy, (data, _status) in zip(created, creates, strict=True)
        for certificate in data.required_certificates
    ]

    changed = []
    campaigns = {vacancy.campaign_id for vacancy in created}
    for update in updates:
        vacancy = update.vacancy
        campaigns.add(vacancy.campaign_id)
        if vacancy.employer_id != employer.pk or vacancy.status == VacancyStatus.CLOSED:
            raise ValidationError(_("岗位已关闭或不属于本企业，不能修改。"))
        vacancy_validate(
            employer=employer,
            data=update.data,
            filled_count=vacancy.filled_count,
            current=vacancy,
        )
        if (
            update.status != vacancy.status
            and update.status not in VACANCY_TRANSITIONS[vacancy.status]
        ):
            raise ValidationError(_("岗位状态变化不符合岗位流程。"))
        for field, value in _vacancy_values(update.data).items():
            setattr(vacancy, field, value)
        if update.status == VacancyStatus.OPEN and vacancy.published_at is None:
            vacancy.published_at = now
        vacancy.status = _status_for_headcount(update.status, vacancy)
        vacancy.updated_at = now
        changed.append(vacancy)
        if "required_certificates" in update.changes:
            through.objects.filter(vacancy_id=vacancy.pk).delete()
            links.extend(
                through(vacancy_id=vacancy.pk, certificatetype_id=certificate.pk)
                for certificate in update.data.required_certificates
            )
    Vacancy.objects.bulk_update(
        changed,
        [*_SCALAR_FIELDS, "status", "published_at", "updated_at"],
        batch_size=IMPORT_BATCH,
    )
    through.objects.bulk_create(links, batch_size=IMPORT_BATCH)
    audit_record_bulk(
        actor=actor,
        action="vacancy.import_create",
        entries=[(v, {"title": [None, v.title], "status": [None, v.status]}) for v in created],
    )
    audit_record_bulk(
        actor=actor,
        action="vacancy.import_update",
        entries=[(u.vacancy, u.changes) for u in updates],
    )
    _after_commit_invalidate(campaigns | {vacancy.campaign_id for vacancy in changed})
    return created, changed
