"""The vacancy list importer (岗位清单): HR's spreadsheet of vacancies, into their employer.

A row with a 岗位编号 (the vacancy number an export carries) updates that vacancy of the
employer; a row without one updates the employer's vacancy with the same title, occupation,
workplace and start date, or creates a new one. Blank cells leave stored values alone (and
give a new vacancy the form's defaults). Every row is checked as the vacancy form checks it
(``jobs.services.vacancy_validate``: wage and age ranges, discriminatory wording, campaign),
and a 状态 cell moves the vacancy only along its lifecycle. The same column layout is the
export, so HR can export, edit in Excel and import again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs import selectors
from jobs.models import Education, Employer, PayType, ShiftPattern, SkillLevel, Vacancy
from jobs.models import VacancyStatus as Status
from jobs.services import (
    VACANCY_TRANSITIONS,
    VacancyData,
    VacancyImportUpdate,
    vacancies_import,
    vacancy_validate,
)
from laborbridge import access
from laborbridge.imports import cleaners
from laborbridge.imports.base import (
    CellError,
    Column,
    Row,
    RowImporter,
    RowRejected,
    Update,
    register_importer,
)
from laborbridge.imports.cleaners import fold, norm
from laborbridge.models import Campaign, CertificateType, Occupation, Region, Role, User

_PAY_SYNONYMS = {
    "月薪制": PayType.MONTHLY,
    "底薪": PayType.MONTHLY,
    "时薪": PayType.HOURLY,
    "小时工": PayType.HOURLY,
    "按小时": PayType.HOURLY,
    "计件制": PayType.PIECE_RATE,
    "按件": PayType.PIECE_RATE,
}
_SHIFT_SYNONYMS = {
    "白班": ShiftPattern.DAY,
    "常白班": ShiftPattern.DAY,
    "长白": ShiftPattern.DAY,
    "两班": ShiftPattern.TWO_SHIFTS,
    "两班制": ShiftPattern.TWO_SHIFTS,
    "白夜班": ShiftPattern.TWO_SHIFTS,
    "三班": ShiftPattern.THREE_SHIFTS,
    "三班制": ShiftPattern.THREE_SHIFTS,
    "倒班": ShiftPattern.ROTATING,
    "轮班": ShiftPattern.ROTATING,
    "弹性": ShiftPattern.FLEXIBLE,
}
_EDUCATION_SYNONYMS = {
    "无": Education.NONE,
    "无要求": Education.NONE,
    "小学": Education.PRIMARY,
    "初中": Education.JUNIOR_MIDDLE,
    "高中": Education.SENIOR_HIGH,
    "中专": Education.SENIOR_HIGH,
    "技校": Education.SENIOR_HIGH,
    "职高": Education.SENIOR_HIGH,
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "本科": Education.BACHELOR,
}
_STATUS_SYNONYMS = {
    "发布": Status.OPEN,
    "在招": Status.OPEN,
    "招聘": Status.OPEN,
    "已发布": Status.OPEN,
    "关闭": Status.CLOSED,
    "招满": Status.FILLED,
}
_TEXT_FIELDS = ("description", "address", "working_hours", "physical_requirements", "benefits_note")
# Columns of an export that an import reads past: they are facts, not wishes.
_EXPORT_ONLY = ("employer_name", "filled_count", "headcount_remaining")


def _ignore(value: Any) -> None:
    return None


def _labels(choices) -> list[str]:
    return [str(label) for _value, label in choices]


def _plain(value: Any) -> Any:
    if isinstance(value, Occupation | CertificateType):
        return value.code
    if isinstance(value, Region):
        return value.code
    if isinstance(value, Campaign):
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(item) for item in value)
    return value


@register_importer
class VacancyImporter(RowImporter):
    """Import an HR clerk's vacancy list into their employer."""

    kind = "jobs.vacancies"
    title = gettext_lazy("岗位清单")
    key_columns = ("title", "occupation", "start_date")
    explanation = gettext_lazy(
        "每行填写一个岗位，导入到本企业。填写了“岗位编号”（从系统导出的表格中带有）的行更新该岗位；"
        "没有编号时，岗位名称、工种、工作地点和到岗日期都相同的岗位会被更新，否则新增。"
        "“状态”填“招聘中”即导入后直接发布（企业通过认证后公开展示），留空则保存为草稿。"
        "依照《就业促进法》，招聘条件不得限定性别、民族、户籍地区。"
    )
    columns = [
        Column(
            "vacancy_id",
            gettext_lazy("岗位编号"),
            variants=["编号", "岗位ID", "ID"],
            clean=cleaners.integer(minimum=1),
            width=10,
            help=gettext_lazy("新岗位留空；从系统导出的表格带有编号，保留它即可更新该岗位。"),
        ),
        Column(
            "title",
            gettext_lazy("岗位名称"),
            variants=["岗位", "职位", "职位名称", "招聘岗位"],
            required=True,
            clean=cleaners.text(max_length=100),
            example="电子装配工",
            width=18,
        ),
        Column(
            "occupation",
            gettext_lazy("工种"),
            variants=["工种名称", "职业", "职业名称", "工种代码", "职业代码"],
            required=True,
            clean="clean_occupation",
            choices=lambda importer: importer.occupation_names(),
            help=gettext_lazy("从下拉列表选择，或填写职业分类代码（如 6-25-04-01）。"),
            width=18,
        ),
        Column(
            "headcount",
            gettext_lazy("招聘人数"),
            variants=["人数", "需求人数", "用工人数", "招聘数量", "计划招聘人数"],
            required=True,
            clean=cleaners.integer(minimum=1, maximum=10_000),
            example="20",
            width=10,
        ),
        Column(
            "wage_min",
            gettext_lazy("月薪下限（元）"),
            variants=["月薪下限", "最低月薪", "工资下限", "薪资下限", "最低工资"],
            required=True,
            clean=cleaners.wage(minimum=1),
            example="5500",
            width=12,
            help=gettext_lazy("按月折算的税前工资，计时、计件也按月估算。"),
        ),
        Column(
            "wage_max",
            gettext_lazy("月薪上限（元）"),
            variants=["月薪上限", "最高月薪", "工资上限", "薪资上限", "最高工资"],
            required=True,
            clean=cleaners.wage(minimum=1),
            example="7000",
            width=12,
        ),
        Column(
            "pay_type",
            gettext_lazy("计薪方式"),
            variants=["薪资类型", "计薪"],
            clean=cleaners.choice(PayType.choices, synonyms=_PAY_SYNONYMS),
            choices=_labels(PayType.choices),
            strict_choices=True,
            width=10,
        ),
        Column(
            "district",
            gettext_lazy("工作地点（区县）"),
            variants=["工作地点", "工作区县", "区县"],
            clean="clean_district",
            choices=lambda importer: importer.district_names(),
            help=gettext_lazy("留空为企业所在区县；也可填写 6 位行政区划代码。"),
            width=14,
        ),
        Column(
            "address",
            gettext_lazy("工作地址"),
            variants=["详细地址", "地址"],
            clean=cleaners.text(max_length=200),
            width=24,
        ),
        Column(
            "shift_pattern",
            gettext_lazy("班制"),
            variants=["班次", "工作班制", "倒班情况"],
            clean=cleaners.choice(ShiftPattern.choices, synonyms=_SHIFT_SYNONYMS),
            choices=_labels(ShiftPattern.choices),
            width=10,
        ),
        Column(
            "working_hours",
            gettext_lazy("工作时间"),
            variants=["工时", "作息"],
            clean=cleaners.text(max_length=100),
            example="每天 8 小时，月休 4 天",
            width=20,
        ),
        Column(
            "start_date",
            gettext_lazy("到岗日期"),
            variants=["上岗日期", "入职日期", "开始日期", "用工时间"],
            required=True,
            clean=cleaners.date(earliest=dt.date(2020, 1, 1), latest=dt.date(2099, 12, 31)),
            example="2026-03-01",
            width=12,
        ),
        Column(
            "contract_months",
            gettext_lazy("合同期限（月）"),
            variants=["合同期限", "合同期"],
            clean=cleaners.integer(minimum=1, maximum=120),
            example="12",
            width=10,
        ),
        Column(
            "age_min",
            gettext_lazy("最低年龄"),
            variants=["年龄下限"],
            clean=cleaners.integer(minimum=16, maximum=65),
            example="18",
            width=8,
        ),
        Column(
            "age_max",
            gettext_lazy("最高年龄"),
            variants=["年龄上限"],
            clean=cleaners.integer(minimum=16, maximum=65),
            example="50",
            width=8,
        ),
        Column(
            "required_certificates",
            gettext_lazy("必备证书"),
            variants=["证书要求", "所需证书", "持证要求"],
            clean="clean_certificates",
            choices=lambda importer: importer.certificate_names(),
            help=gettext_lazy("多个证书用顿号“、”分隔；没有要求留空。"),
            width=24,
        ),
        Column(
            "min_skill_level",
            gettext_lazy("最低技能等级"),
            variants=["技能等级", "技能要求"],
            clean=cleaners.choice(SkillLevel.choices, synonyms=cleaners.SKILL_LEVEL_WORDS),
            choices=_labels(SkillLevel.choices),
            width=12,
        ),
        Column(
            "min_education",
            gettext_lazy("最低学历"),
            variants=["学历要求", "学历"],
            clean=cleaners.choice(Education.choices, synonyms=_EDUCATION_SYNONYMS),
            choices=_labels(Education.choices),
            width=14,
        ),
        Column(
            "physical_requirements",
            gettext_lazy("身体条件要求"),
            variants=["身体要求", "体力要求"],
            clean=cleaners.text(max_length=200),
            width=20,
        ),
        Column(
            "dormitory",
            gettext_lazy("提供宿舍"),
            variants=["宿舍", "包住", "住宿"],
            clean=cleaners.yes_no(),
            choices=cleaners.YES_NO_CHOICES,
            width=8,
        ),
        Column(
            "meals",
            gettext_lazy("提供工作餐"),
            variants=["工作餐", "包吃", "餐食"],
            clean=cleaners.yes_no(),
            choices=cleaners.YES_NO_CHOICES,
            width=8,
        ),
        Column(
            "travel_reimbursement",
            gettext_lazy("报销路费"),
            variants=["路费报销", "车费报销", "报销车费"],
            clean=cleaners.yes_no(),
            choices=cleaners.YES_NO_CHOICES,
            width=8,
        ),
        Column(
            "social_insurance",
            gettext_lazy("缴纳社会保险"),
            variants=["社保", "五险", "缴纳社保", "社会保险"],
            clean=cleaners.yes_no(),
            choices=cleaners.YES_NO_CHOICES,
            width=8,
        ),
        Column(
            "benefits_note",
            gettext_lazy("其他福利"),
            variants=["福利"],
            clean=cleaners.text(max_length=200),
            width=20,
        ),
        Column(
            "campaign",
            gettext_lazy("招聘行动"),
            variants=["专项行动", "活动"],
            clean="clean_campaign",
            choices=lambda importer: importer.campaign_names(),
            width=24,
        ),
        Column(
            "description",
            gettext_lazy("岗位描述"),
            variants=["岗位职责", "工作内容", "描述"],
            clean=cleaners.text(max_length=2000),
            width=30,
        ),
        Column(
            "status",
            gettext_lazy("状态"),
            variants=["岗位状态", "招聘状态"],
            clean=cleaners.choice(Status.choices, synonyms=_STATUS_SYNONYMS),
            choices=_labels(Status.choices),
            help=gettext_lazy(
                "新岗位可填“草稿”（默认）或“招聘中”；已有岗位只能按岗位流程改变状态。"
            ),
            width=10,
        ),
        Column(
            "employer_name",
            gettext_lazy("用工企业（仅导出）"),
            variants=["用工企业", "企业"],
            clean=_ignore,
            width=18,
            help=gettext_lazy("导出时填写；导入时忽略，总是导入到本企业。"),
        ),
        Column(
            "filled_count",
            gettext_lazy("已录用（仅导出）"),
            variants=["已录用"],
            clean=_ignore,
            width=10,
            help=gettext_lazy("导出时填写；导入时忽略。"),
        ),
        Column(
            "headcount_remaining",
            gettext_lazy("剩余名额（仅导出）"),
            variants=["剩余名额"],
            clean=_ignore,
            width=10,
            help=gettext_lazy("导出时填写；导入时忽略。"),
        ),
    ]

    # Access --------------------------------------------------------------------------
    @classmethod
    def allowed(cls, user: User) -> bool:
        return access.has_role(user, Role.EMPLOYER_HR) and bool(user.employer_id)

    @classmethod
    def options_for(cls, user: User) -> dict[str, Any]:
        return {"employer": user.employer_id}

    # Lookups -------------------------------------------------------------------------
    @property
    def employer(self) -> Employer | None:
        if not hasattr(self, "_employer"):
            pk = self.options.get("employer")
            self._employer = Employer.objects.filter(pk=pk).first() if pk else None
        return self._employer

    def prepare(self, rows: Sequence[Row] | None = None) -> None:
        if getattr(self, "_prepared", False):
            return
        self._prepared = True
        employer = self.employer
        self.occupations: dict[str, Occupation] = {}
        for occupation in Occupation.objects.all():
            for key in (occupation.name_zh, occupation.code, occupation.name_en):
                if key:
                    self.occupations.setdefault(norm(key), occupation)
        self.certificates: dict[str, CertificateType] = {}
        for certificate in CertificateType.objects.all():
            self.certificates.setdefault(norm(certificate.name_zh), certificate)
            self.certificates.setdefault(norm(certificate.code), certificate)
            inner = re.search(r"[(（]([^)）]+)[)）]", certificate.name_zh)
            if inner:
                self.certificates.setdefault(norm(inner.group(1)), certificate)
        self.districts: dict[str, Region] = {}
        city = employer.city_id if employer else None
        for district in selectors.district_choices(city):
            self.districts[norm(district.name)] = district
            self.districts[district.code] = district
        self.campaigns: dict[str, Campaign] = {}
        for campaign in selectors.campaign_choices_for(employer) if employer else []:
            for key in (campaign.name_zh, campaign.code, campaign.name_en):
                if key:
                    self.campaigns.setdefault(norm(key), campaign)
        # The employer's vacancies: the lookup of updates, small (hundreds at most).
        stored = (
            Vacancy.objects.filter(employer=employer)
            .select_related("occupation", "district", "campaign", "campaign__pairing__east_region")
            .prefetch_related("required_certificates")
            if employer
            else Vacancy.objects.none()
        )
        self.by_id: dict[int, Vacancy] = {}
        self.by_natural: dict[tuple, Vacancy] = {}
        for vacancy in stored.order_by("id"):
            self.by_id[vacancy.pk] = vacancy
            self.by_natural.setdefault(
                (
                    norm(vacancy.title),
                    vacancy.occupation_id,
                    vacancy.district_id,
                    vacancy.start_date,
                ),
                vacancy,
            )

    def occupation_names(self) -> list[str]:
        return list(Occupation.objects.order_by("code").values_list("name_zh", flat=True))

    def certificate_names(self) -> list[str]:
        return list(CertificateType.objects.order_by("code").values_list("name_zh", flat=True))

    def district_names(self) -> list[str]:
        city = self.employer.city_id if self.employer else None
        return [district.name for district in selectors.district_choices(city)]

    def campaign_names(self) -> list[str]:
        if self.employer is None:
            return []
        return [c.name_zh for c in selectors.campaign_choices_for(self.employer)]

    # Cleaners ------------------------------------------------------------------------
    def clean_occupation(self, value: Any) -> Occupation:
        self.prepare()
        found = self.occupations.get(norm(value))
        if found is None:
            raise CellError(
                _("工种“%(value)s”不在职业分类中，请从下拉列表选择。") % {"value": fold(value)[:20]}
            )
        return found

    def clean_certificates(self, value: Any) -> list[CertificateType]:
        self.prepare()

        def one(part: Any) -> CertificateType:
            found = self.certificates.get(norm(part))
            if found is None:
                raise CellError(
                    _("证书“%(value)s”无法识别，请从下拉列表选择。") % {"value": fold(part)[:20]}
                )
            return found

        # Certificate names hold "/" and spaces ("特种设备作业人员证（叉车司机 N1）"): split
        # on the list separators only.
        parts = [p for p in re.split(r"[、,，;；\n]+", fold(value)) if p.strip()]
        result: list[CertificateType] = []
        for part in parts:
            certificate = one(part)
            if certificate not in result:
                result.append(certificate)
        return result

    def clean_district(self, value: Any) -> Region:
        self.prepare()
        key = norm(value)
        found = self.districts.get(key)
        if found is None and re.fullmatch(r"\d{6}", key):
            found = Region.objects.filter(pk=key, level=Region.Level.COUNTY).first()
        if found is None:
            raise CellError(
                _("工作地点“%(value)s”无法识别：请从下拉列表选择区县，或填写 6 位行政区划代码。")
                % {"value": fold(value)[:20]}
            )
        return found

    def clean_campaign(self, value: Any) -> Campaign:
        self.prepare()
        found = self.campaigns.get(norm(value))
        if found is None:
            raise CellError(
                _("招聘行动“%(value)s”不接收本企业的岗位，请从下拉列表选择。")
                % {"value": fold(value)[:30]}
            )
        return found

    # Rows --------------------------------------------------------------------------
    def _district(self, row: Row) -> Region | None:
        if row.has("district"):
            return row.values["district"]
        return self.employer.district if self.employer else None

    def key(self, row: Row) -> Hashable:
        if row.has("vacancy_id"):
            return ("id", row.values["vacancy_id"])
        district = self._district(row)
        return (
            "natural",
            norm(row.values["title"]),
            row.values["occupation"].pk,
            district.pk if district else None,
            row.values["start_date"],
        )

    def _stored(self, row: Row) -> Vacancy | None:
        self.prepare()
        key = self.key(row)
        if key[0] == "id":
            return self.by_id.get(key[1])
        return self.by_natural.get(key[1:])

    def _given(self, row: Row) -> dict[str, Any]:
        """Return the VacancyData fields the row gives (blank cells left out)."""
        given = {
            key: value
            for key, value in row.values.items()
            if key not in ("vacancy_id", "status", *_EXPORT_ONLY)
        }
        if "required_certificates" in given:
            given["required_certificates"] = tuple(given["required_certificates"])
        return given

    def _data(self, row: Row, vacancy: Vacancy | None) -> VacancyData:
        given = self._given(row)
        if vacancy is not None:
            return VacancyData.of(vacancy, **given)
        employer = self.employer
        defaults = {
            "district": employer.district,
            "address": employer.address,
            "dormitory": employer.has_dormitory,
            "meals": employer.has_canteen,
        }
        return VacancyData(**{**defaults, **given})

    def validate(self, row: Row) -> None:
        if self.employer is None:
            raise RowRejected("", _("只有企业人事可以导入岗位。"))
        vacancy = self._stored(row)
        if row.has("vacancy_id") and vacancy is None:
            raise RowRejected("vacancy_id", _("本企业没有这个岗位编号；新岗位请把编号留空。"))
        try:
            vacancy_validate(
                employer=self.employer,
                data=self._data(row, vacancy),
                filled_count=vacancy.filled_count if vacancy else 0,
                current=vacancy,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                row.reject(
                    field if field in {c.key for c in self.columns} else "", " ".join(messages)
                )
            return
        status = row.get("status")
        if vacancy is None:
            if status not in (None, Status.DRAFT, Status.OPEN):
                row.reject("status", _("新岗位的状态只能是“草稿”或“招聘中”。"))
            return
        if status and status != vacancy.status:
            if status not in VACANCY_TRANSITIONS[vacancy.status]:
                raise RowRejected(
                    "status",
                    _("岗位状态不能从“%(old)s”变为“%(new)s”。")
                    % {"old": Status(vacancy.status).label, "new": Status(status).label},
                )
            if status == Status.OPEN and vacancy.filled_count >= row.get(
                "headcount", vacancy.headcount
            ):
                raise RowRejected("status", _("该岗位名额已全部录用，请先增加招聘人数再重新开放。"))
        if vacancy.status == Status.CLOSED and self.diff(row, vacancy):
            raise RowRejected("", _("岗位已关闭，不能再修改。"))

    def label(self, row: Row) -> str:
        return row.get("title", "")

    # Stored state -------------------------------------------------------------------
    def existing(self, keys: Sequence[Hashable]) -> dict[Hashable, Vacancy]:
        self.prepare()
        found = {}
        for key in keys:
            if key is None:
                continue
            vacancy = self.by_id.get(key[1]) if key[0] == "id" else self.by_natural.get(key[1:])
            if vacancy is not None:
                found[key] = vacancy
        return found

    def check_existing(self, row: Row, vacancy: Vacancy) -> None:
        if self.employer is None or vacancy.employer_id != self.employer.pk:
            raise RowRejected("vacancy_id", _("本企业没有这个岗位编号；新岗位请把编号留空。"))

    def diff(self, row: Row, vacancy: Vacancy) -> dict[str, list[Any]]:
        changes = {}
        for key, new in self._given(row).items():
            if key == "required_certificates":
                old = tuple(vacancy.required_certificates.all())
                if {c.pk for c in old} != {c.pk for c in new}:
                    changes[key] = [_plain(old), _plain(new)]
                continue
            old = getattr(vacancy, key)
            if key in _TEXT_FIELDS or key == "title":
                old, new = (old or "").strip(), (new or "").strip()
            if old != new:
                changes[key] = [_plain(old), _plain(new)]
        status = row.get("status")
        if status and status != vacancy.status:
            changes["status"] = [vacancy.status, status]
        return changes

    def apply(self, *, creates: Sequence[Row], updates: Sequence[Update]) -> None:
        vacancies_import(
            actor=self.actor,
            employer=self.employer,
            creates=[(self._data(row, None), row.get("status") or Status.DRAFT) for row in creates],
            updates=[
                VacancyImportUpdate(
                    vacancy=update.obj,
                    data=self._data(update.row, update.obj),
                    status=update.row.get("status") or update.obj.status,
                    changes=update.changes,
                )
                for update in updates
            ],
        )
        self.report_progress(1.0)

    # Export -------------------------------------------------------------------------
    def export_row(self, vacancy: Vacancy) -> dict[str, Any]:
        return {
            "vacancy_id": vacancy.pk,
            "title": vacancy.title,
            "occupation": vacancy.occupation.name_zh,
            "headcount": vacancy.headcount,
            "wage_min": vacancy.wage_min,
            "wage_max": vacancy.wage_max,
            "pay_type": vacancy.get_pay_type_display(),
            "district": vacancy.district.name,
            "address": vacancy.address,
            "shift_pattern": vacancy.get_shift_pattern_display(),
            "working_hours": vacancy.working_hours,
            "start_date": vacancy.start_date,
            "contract_months": vacancy.contract_months,
            "age_min": vacancy.age_min,
            "age_max": vacancy.age_max,
            "required_certificates": [c.name_zh for c in vacancy.required_certificates.all()],
            "min_skill_level": vacancy.get_min_skill_level_display(),
            "min_education": vacancy.get_min_education_display(),
            "physical_requirements": vacancy.physical_requirements,
            "dormitory": _("是") if vacancy.dormitory else _("否"),
            "meals": _("是") if vacancy.meals else _("否"),
            "travel_reimbursement": _("是") if vacancy.travel_reimbursement else _("否"),
            "social_insurance": _("是") if vacancy.social_insurance else _("否"),
            "benefits_note": vacancy.benefits_note,
            "campaign": vacancy.campaign.name_zh if vacancy.campaign else "",
            "description": vacancy.description,
            "status": vacancy.get_status_display(),
            "employer_name": vacancy.employer.name,
            "filled_count": vacancy.filled_count,
            "headcount_remaining": vacancy.headcount_remaining,
        }
