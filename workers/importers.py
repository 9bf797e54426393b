"""The county roster (花名册) importer: one row per person, keyed by resident ID number.

A person already registered by this county is updated with what the row gives (a blank
cell never erases anything); a new person is registered; a person registered by another
county is rejected naming that county. Wishes listed in a row replace the stored ones; the
row's skill and certificate are added or updated by occupation / certificate type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laborbridge import access, crypto
from laborbridge.identifiers import mask_id_number, mask_phone
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
from laborbridge.imports.cleaners import fold
from laborbridge.imports.services import audit_record_bulk
from laborbridge.imports.writing import insert_values, update_values
from laborbridge.models import (
    CertificateType,
    LaborBrand,
    Occupation,
    OccupationWordMapping,
    Region,
    Role,
    User,
)
from laborbridge.reference import occupation_aliases
from laborbridge.services import audit_record
from workers.models import (
    Consent,
    ConsentMethod,
    ConsentStatus,
    Education,
    PovertyStatus,
    SkillLevel,
    TravelGroup,
    WishCity,
    WishOccupation,
    Worker,
    WorkerCertificate,
    WorkerSkill,
    WorkerSource,
    set_phone_fields,
)
from workers.roster_state import (
    LOOKUP_BATCH,
    RELATED_FIELDS,
    SCALAR_FIELDS,
    WORKER_FIELDS,
    Names,
    NewWorker,
    delete_pairs,
    load_roster_states,
    plain_changes,
)
from workers.services import ALL_CONSENT_SCOPES, CONSENT_TEXT_VERSION, duplicate_message

# Rows per INSERT / UPDATE page (see laborbridge.imports.writing). Measured on this 2-core
# box: 1,000 workers (27 columns, encrypted ID) per INSERT take ~40 ms on SQLite and ~60 ms
# on PostgreSQL; bigger pages gain nothing. Updates are prepared per-row statements sent
# 1,000 per page (~0.1 ms a row).
CREATE_BATCH = 1000
UPDATE_BATCH = 1000
# People listed by name in the preview (added, and changed field by field); the counts and the
# rejected-rows download always cover everyone.
PREVIEW_SAMPLES = 200

_POVERTY_SYNONYMS = {
    "脱贫户": PovertyStatus.POVERTY_ALLEVIATED,
    "脱贫人口": PovertyStatus.POVERTY_ALLEVIATED,
    "已脱贫": PovertyStatus.POVERTY_ALLEVIATED,
    "稳定脱贫户": PovertyStatus.POVERTY_ALLEVIATED,
    "√": PovertyStatus.POVERTY_ALLEVIATED,
    "✓": PovertyStatus.POVERTY_ALLEVIATED,
    "1": PovertyStatus.POVERTY_ALLEVIATED,
    "×": PovertyStatus.NONE,
    "x": PovertyStatus.NONE,
    "0": PovertyStatus.NONE,
    "非贫困户": PovertyStatus.NONE,
    "普通户": PovertyStatus.NONE,
    "监测对象": PovertyStatus.MONITORED,
    "建档立卡": PovertyStatus.POVERTY_ALLEVIATED,
    "建档立卡户": PovertyStatus.POVERTY_ALLEVIATED,
    "建档立卡贫困户": PovertyStatus.POVERTY_ALLEVIATED,
    "是": PovertyStatus.POVERTY_ALLEVIATED,
    "监测户": PovertyStatus.MONITORED,
    "防返贫监测对象": PovertyStatus.MONITORED,
    "边缘易致贫户": PovertyStatus.MONITORED,
    "突发严重困难户": PovertyStatus.MONITORED,
    "脱贫不稳定户": PovertyStatus.MONITORED,
    "一般户": PovertyStatus.NONE,
    "一般": PovertyStatus.NONE,
    "一般农户": PovertyStatus.NONE,
    "否": PovertyStatus.NONE,
    "无": PovertyStatus.NONE,
}
# A monitoring column (监测对象类别, 是否监测户): a category or a yes means monitored; a no or a
# blank means "not monitored", which never lowers what the poverty column says.
_MONITORING_SYNONYMS = {
    **{word: PovertyStatus.MONITORED for word in ("是", "√", "✓", "1", "有", "监测对象", "监测户")},
    **{
        word: PovertyStatus.MONITORED for word in ("边缘易致贫户", "脱贫不稳定户", "突发严重困难户")
    },
    **{word: PovertyStatus.NONE for word in ("否", "×", "x", "0", "无", "不是", "非监测对象")},
    **{word: PovertyStatus.NONE for word in ("一般户", "一般农户", "非贫困户", "已消除风险")},
}
# Words of a poverty cell beyond the lists above, by what they contain (most specific first).
_POVERTY_WORDS = (
    (("监测", "边缘", "易致贫", "突发", "不稳定"), PovertyStatus.MONITORED),
    (("脱贫", "建档立卡", "贫困户"), PovertyStatus.POVERTY_ALLEVIATED),
    (("一般", "非贫困", "普通农户"), PovertyStatus.NONE),
)


def _poverty_cleaner(synonyms: dict[str, str]):
    """Return a cleaner for a poverty-status cell: labels, synonyms, then the words it contains."""
    by_label = cleaners.choice(PovertyStatus.choices, synonyms=synonyms)

    def clean(value: Any) -> str:
        try:
            return by_label(value)
        except CellError:
            key = _norm(value)
            if key.startswith(("非", "不")) and "监测" in key:
                return PovertyStatus.NONE
            for words, status in _POVERTY_WORDS:
                if any(word in key for word in words):
                    return status
            raise CellError(
                _(
                    "“%(value)s”无法识别为帮扶身份：可填 脱贫劳动力（脱贫户）、监测对象（监测户、"
                    "边缘易致贫户、突发严重困难户、脱贫不稳定户）、一般农村劳动力（一般户），"
                    "或在“是否脱贫户”这类列中填 是/否。"
                )
                % {"value": fold(value)[:20]}
            ) from None

    return clean


class Unclassified(str):
    """An occupation word no occupation, alias or county mapping knows: kept as 待归类."""


class GeneralLabour(str):
    """A word for general labour (普工, 力工): the person is imported with no skill."""


_EDUCATION_SYNONYMS = {
    "文盲": Education.NONE,
    "无": Education.NONE,
    "半文盲": Education.NONE,
    "中专": Education.VOCATIONAL,
    "职高": Education.VOCATIONAL,
    "技校": Education.VOCATIONAL,
    "中职": Education.VOCATIONAL,
    "高中及以上": Education.SENIOR,
    "专科": Education.COLLEGE,
    "高职": Education.COLLEGE,
    "本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "研究生": Education.BACHELOR,
}
_LEVEL_SYNONYMS = {
    "初级工": SkillLevel.FIVE,
    "初级": SkillLevel.FIVE,
    "五级": SkillLevel.FIVE,
    "5级": SkillLevel.FIVE,
    "中级工": SkillLevel.FOUR,
    "中级": SkillLevel.FOUR,
    "四级": SkillLevel.FOUR,
    "4级": SkillLevel.FOUR,
    "高级工": SkillLevel.THREE,
    "高级": SkillLevel.THREE,
    "三级": SkillLevel.THREE,
    "3级": SkillLevel.THREE,
    "技师": SkillLevel.TWO,
    "二级": SkillLevel.TWO,
    "2级": SkillLevel.TWO,
    "高级技师": SkillLevel.ONE,
    "一级": SkillLevel.ONE,
    "1级": SkillLevel.ONE,
    "无": SkillLevel.NONE,
}
_CONSENT_SYNONYMS = {
    "纸质": ConsentMethod.SIGNED_PAPER,
    "签字": ConsentMethod.SIGNED_PAPER,
    "本人签字": ConsentMethod.SIGNED_PAPER,
    "书面": ConsentMethod.SIGNED_PAPER,
    "线上": ConsentMethod.SELF_SERVICE,
    "自助": ConsentMethod.SELF_SERVICE,
    "扫码": ConsentMethod.SELF_SERVICE,
    "口头": ConsentMethod.WITNESSED_VERBAL,
    "口头同意": ConsentMethod.WITNESSED_VERBAL,
}
_TOWNSHIP_SUFFIX = re.compile(r"(街道办事处|街道|民族乡|回族乡|镇|乡)$")
_VILLAGE_SUFFIX = re.compile(r"(村民委员会|居民委员会|社区居委会|村委会|居委会|委员会|社区|村)$")
_CITY_SUFFIX = re.compile(r"(市|地区|自治州|盟)$")


def _norm(value: Any) -> str:
    return re.sub(r"\s+", "", fold(value)).lower()


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value)) if value not in (None, "") else ""


@register_importer
class WorkerRosterImporter(RowImporter):
    """Import a county official's roster into their county."""

    kind = "workers.roster"
    title = gettext_lazy("劳动力花名册")
    key_columns = ("id_number",)
    explanation = gettext_lazy(
        "每行填写一位劳动力。系统按身份证号识别同一人：本县已登记的人会按表中填写的内容更新，"
        "新的人会被登记；已由其他县区登记的人会被拒绝并注明是哪个县区。"
        "性别和出生日期由身份证号自动得出，不需要填写。"
    )
    # Headers officials' rosters carry that the registry derives itself; not reported as unknown.
    derived_headers = {
        "性别": gettext_lazy("由身份证号自动得出"),
        "出生日期": gettext_lazy("由身份证号自动得出"),
        "出生年月": gettext_lazy("由身份证号自动得出"),
        "年龄": gettext_lazy("由身份证号自动得出"),
        "序号": gettext_lazy("行号，无需导入"),
        # The national 防返贫监测 system's person export and county labour ledgers.
        "省": gettext_lazy("按上传人所在县区登记，无需导入"),
        "市": gettext_lazy("按上传人所在县区登记，无需导入"),
        "县": gettext_lazy("按上传人所在县区登记，无需导入"),
        "县区": gettext_lazy("按上传人所在县区登记，无需导入"),
        "户编号": gettext_lazy("防返贫监测系统的编号，不导入"),
        "人口编号": gettext_lazy("防返贫监测系统的编号，不导入"),
        "户主姓名": gettext_lazy("户主信息，不导入（本人姓名取“姓名”列）"),
        "与户主关系": gettext_lazy("家庭关系，不导入"),
        "劳动技能": gettext_lazy("防返贫系统的劳动能力分类（普通/技能劳动力），不是工种，不导入"),
        "务工时间": gettext_lazy("往年务工情况，不导入"),
        "务工企业名称": gettext_lazy("往年务工情况，不导入"),
        "务工所在地": gettext_lazy("往年务工情况，不导入"),
        "就业渠道": gettext_lazy("往年务工情况，不导入"),
        "民族": gettext_lazy("不需要，不导入"),
        "填表人": gettext_lazy("不需要，不导入"),
    }

    columns = [
        Column(
            "name",
            gettext_lazy("姓名"),
            variants=["名字", "劳动力姓名", "人员姓名", "务工人员姓名", "成员姓名", "本人姓名"],
            keywords=["姓名"],
            required=True,
            clean=cleaners.person_name(),
            example="王小明",
            help=gettext_lazy("本人姓名。"),
        ),
        Column(
            "id_number",
            gettext_lazy("身份证号"),
            variants=[
                "身份证号码",
                "公民身份号码",
                "身份证",
                "证件号码",
                "身份证件号码",
                "公民身份证号码",
                "居民身份证号码",
                "身份证号（18位）",
            ],
            keywords=["身份证", "证件号", "身份号"],
            required=True,
            clean=cleaners.id_number(),
            as_text=True,
            width=22,
            example="621102199005171234",
            help=gettext_lazy("18 位居民身份证号，最后一位可以是 X。请保持该列为文本格式。"),
        ),
        Column(
            "phone",
            gettext_lazy("手机号"),
            variants=["手机号码", "联系电话", "电话", "联系方式", "电话号码", "本人手机号"],
            keywords=["手机", "电话", "联系方式"],
            required=True,
            clean=cleaners.phone(),
            as_text=True,
            width=15,
            example="13912345678",
            help=gettext_lazy("11 位手机号码。"),
        ),
        Column(
            "township",
            gettext_lazy("乡镇"),
            variants=["乡（镇）", "乡镇（街道）", "所在乡镇", "户籍乡镇", "乡镇街道", "镇", "乡"],
            keywords=["乡镇", "街道", "-村"],
            clean="clean_township",
            choices=lambda importer: importer.township_names(),
            example="凤翔镇",
            help=gettext_lazy("本县的乡镇或街道，可从下拉列表选择；“凤翔”与“凤翔镇”都能识别。"),
        ),
        Column(
            "village",
            gettext_lazy("村"),
            variants=["村（社区）", "行政村", "所在村", "村社区", "村名", "户籍村", "村委会"],
            keywords=["村", "社区", "-组", "-乡镇"],
            clean=cleaners.text(max_length=50, squeeze=True),
            example="孟河村",
            help=gettext_lazy("行政村或社区名称。"),
        ),
        Column(
            "poverty_status",
            gettext_lazy("帮扶身份"),
            variants=[
                "人员类别",
                "脱贫类型",
                "户类型",
                "是否脱贫劳动力",
                "农户类型",
                "脱贫户",
                "脱贫劳动力",
                "脱贫人口",
                "帮扶对象类别",
                "帮扶对象",
                "帮扶类型",
                "户属性",
                "贫困户类型",
                "建档立卡户",
                "人员属性",
            ],
            keywords=["脱贫", "贫困", "帮扶", "建档立卡", "户类型", "户属性", "人员类别"]
            + ["-年度", "-年份", "-时间", "-日期", "-措施", "-责任人"],
            clean=_poverty_cleaner(_POVERTY_SYNONYMS),
            choices=PovertyStatus.labels,
            strict_choices=True,
            width=16,
            example=str(PovertyStatus.POVERTY_ALLEVIATED.label),
            help=gettext_lazy("一般农村劳动力 / 脱贫劳动力 / 监测对象（也识别“脱贫户”“监测户”）。"),
        ),
        Column(
            "monitoring",
            gettext_lazy("监测对象类别"),
            variants=[
                "监测对象",
                "监测户",
                "监测类型",
                "防返贫监测对象",
                "监测对象类型",
                "监测类别",
            ],
            keywords=["监测", "-时间", "-日期", "-年度", "-消除", "-措施"],
            clean=_poverty_cleaner(_MONITORING_SYNONYMS),
            width=16,
            help=gettext_lazy(
                "防返贫监测对象的类别（边缘易致贫户、脱贫不稳定户、突发严重困难户）或 是/否；"
                "填了类别或“是”的人按监测对象登记。"
            ),
        ),
        Column(
            "education",
            gettext_lazy("文化程度"),
            variants=["学历", "受教育程度", "文化"],
            keywords=["文化", "学历"],
            clean=cleaners.choice(Education.choices, synonyms=_EDUCATION_SYNONYMS),
            choices=Education.labels,
            strict_choices=True,
            example="初中",
        ),
        Column(
            "skill_occupation",
            gettext_lazy("技能工种"),
            variants=["技能", "工种", "职业技能", "掌握技能", "技能特长", "现从事工种", "擅长工种"],
            keywords=["工种", "技能", "特长", "-意向", "-等级", "-证书", "-培训", "-年限"],
            clean="clean_occupation",
            choices=lambda importer: importer.occupation_names(),
            width=16,
            example="焊工",
            help=gettext_lazy(
                "本人掌握的一项技能（职业分类大典中的工种名称）。更多技能请在系统中添加。"
            ),
        ),
        Column(
            "skill_level",
            gettext_lazy("技能等级"),
            variants=["职业技能等级", "等级", "技术等级"],
            clean=cleaners.choice(SkillLevel.choices, synonyms=_LEVEL_SYNONYMS),
            choices=SkillLevel.labels,
            strict_choices=True,
            width=14,
            example=str(SkillLevel.FOUR.label),
        ),
        Column(
            "skill_years",
            gettext_lazy("从业年限"),
            variants=["工作年限", "从业年限（年）", "工龄"],
            keywords=["年限", "工龄"],
            clean=cleaners.integer(minimum=0, maximum=60),
            example="3",
            help=gettext_lazy("该技能的从业年数（整数）。"),
        ),
        Column(
            "certificate_type",
            gettext_lazy("证书类型"),
            variants=["证书", "证书名称", "持有证书", "资格证书"],
            clean="clean_certificate_type",
            choices=lambda importer: importer.certificate_names(),
            width=24,
            example="特种作业操作证（熔化焊接与热切割作业）",
        ),
        Column(
            "certificate_number",
            gettext_lazy("证书编号"),
            variants=["证书号", "证号"],
            clean=cleaners.text(max_length=50, squeeze=True),
            as_text=True,
            width=18,
        ),
        Column(
            "certificate_issued_on",
            gettext_lazy("发证日期"),
            variants=["取证日期", "证书发证日期"],
            clean=cleaners.date(),
            example="2024-05-20",
        ),
        Column(
            "certificate_expires_on",
            gettext_lazy("证书有效期至"),
            variants=["有效期至", "有效期", "证书有效期", "到期日期"],
            clean=cleaners.date(),
            example="2030-05-19",
        ),
        Column(
            "labor_brand",
            gettext_lazy("劳务品牌"),
            variants=["所属劳务品牌", "品牌"],
            clean="clean_labor_brand",
            choices=lambda importer: importer.brand_names(),
            example="青定人力",
        ),
        Column(
            "wish_cities",
            gettext_lazy("意向城市"),
            variants=[
                "意向务工地",
                "意向地区",
                "期望工作地",
                "意向务工城市",
                "务工意向地",
                "意向就业地",
                "意向务工地点",
                "拟务工地",
            ],
            keywords=["意向城市", "意向地", "意向务工地", "拟务工地", "期望工作地"],
            clean="clean_wish_cities",
            choices=lambda importer: importer.city_names(),
            example="青岛市、胶州市",
            help=gettext_lazy("想去的城市，可填多个，用顿号“、”分隔，按意愿先后排列。"),
        ),
        Column(
            "wish_occupations",
            gettext_lazy("意向工种"),
            variants=["意向职业", "期望工种", "求职意向", "意向岗位", "就业意向", "意向务工工种"],
            keywords=["意向工种", "意向职业", "意向岗位", "求职意向", "期望工种"],
            clean="clean_wish_occupations",
            choices=lambda importer: importer.occupation_names(),
            width=18,
            example="电子产品流水线装配工、焊工",
            help=gettext_lazy("想做的工种，可填多个，用顿号分隔，按意愿先后排列。"),
        ),
        Column(
            "min_wage",
            gettext_lazy("最低月薪（元）"),
            variants=["期望月薪", "期望工资", "月薪要求", "期望薪资", "最低工资要求", "最低月薪"],
            keywords=["月薪", "期望工资", "期望薪", "工资要求", "-年"],
            clean=cleaners.wage(),
            example="5000",
            help=gettext_lazy("可接受的最低月工资，单位元；“5000-6000”按 5000 计。"),
        ),
        Column(
            "earliest_departure",
            gettext_lazy("最早出发日期"),
            variants=["可出发日期", "最早外出时间", "外出时间", "计划外出时间", "出发日期"],
            keywords=["出发", "外出时间"],
            clean=cleaners.date(earliest=dt.date(2000, 1, 1), month_only=True),
            example="2026-02-20",
            help=gettext_lazy("最早可以出发的日期；只写月份（2026年3月）按当月 1 日计。"),
        ),
        Column(
            "accepts_dormitory",
            gettext_lazy("接受住宿舍"),
            variants=["是否接受住宿舍", "住宿舍", "接受集体宿舍", "是否住宿"],
            keywords=["宿舍"],
            clean=cleaners.yes_no(),
            choices=cleaners.YES_NO_CHOICES,
            strict_choices=True,
            example="是",
        ),
        Column(
            "accepts_shift_work",
            gettext_lazy("接受倒班"),
            variants=["是否接受倒班", "倒班", "接受两班倒", "是否倒班"],
            keywords=["倒班", "夜班", "轮班"],
            clean=cleaners.yes_no(),
            choices=cleaners.YES_NO_CHOICES,
            strict_choices=True,
            example="是",
        ),
        Column(
            "travel_group",
            gettext_lazy("同行组"),
            variants=["同行人", "结伴外出", "结伴组", "同行组名称"],
            clean=cleaners.text(max_length=50),
            example="孟河村王家",
            help=gettext_lazy(
                "必须一起出行、一起务工的家人或老乡填同一个组名；组名不存在时会自动建立。"
            ),
        ),
        Column(
            "consent_given_on",
            gettext_lazy("授权日期"),
            variants=["同意日期", "签字日期", "授权时间"],
            clean=cleaners.date(earliest=dt.date(2015, 1, 1)),
            example="2026-01-10",
            help=gettext_lazy("本人同意登记和使用个人信息的日期。"),
        ),
        Column(
            "consent_method",
            gettext_lazy("授权方式"),
            variants=["同意方式"],
            clean=cleaners.choice(ConsentMethod.choices, synonyms=_CONSENT_SYNONYMS),
            choices=ConsentMethod.labels,
            strict_choices=True,
            width=18,
            example=str(ConsentMethod.SIGNED_PAPER.label),
        ),
        Column(
            "consent_witness",
            gettext_lazy("见证人"),
            variants=["授权见证人"],
            clean=cleaners.text(max_length=50),
            help=gettext_lazy("口头同意时必填。"),
        ),
        Column(
            "note",
            gettext_lazy("备注"),
            variants=["说明"],
            keywords=["备注"],
            clean=cleaners.text(max_length=500),
            width=24,
        ),
    ]

    # Access --------------------------------------------------------------------------
    @classmethod
    def allowed(cls, user: User) -> bool:
        return access.has_role(user, Role.COUNTY_OFFICIAL) and bool(user.county_id)

    @classmethod
    def options_for(cls, user: User) -> dict[str, Any]:
        return {"county": user.county_id}

    @property
    def mapping_scope(self) -> str:
        """Return whose remembered column choices apply: every official of the county."""
        return f"county:{self.options.get('county', '')}"

    # Lookups -------------------------------------------------------------------------
    def prepare(self) -> None:
        if getattr(self, "_prepared", False):
            return
        self._prepared = True
        self.county = Region.objects.get(pk=self.options["county"])
        self.townships: dict[str, Region] = {}
        self.township_by_code: dict[str, Region] = {}
        self.villages: dict[str, dict[str, Region]] = {}
        for region in Region.objects.filter(
            code__startswith=self.county.code, level__in=["township", "village"]
        ).order_by("level", "code"):
            if region.level == Region.Level.TOWNSHIP:
                self.township_by_code[region.code] = region
                for key in {_norm(region.name), _TOWNSHIP_SUFFIX.sub("", _norm(region.name))}:
                    self.townships.setdefault(key, region)
            else:
                bucket = self.villages.setdefault(region.parent_id, {})
                for key in {_norm(region.name), _VILLAGE_SUFFIX.sub("", _norm(region.name))}:
                    bucket.setdefault(key, region)
        self.occupations: dict[str, Occupation] = {}
        by_code: dict[str, Occupation] = {}
        for occupation in Occupation.objects.all():
            self.occupations.setdefault(_norm(occupation.name_zh), occupation)
            self.occupations.setdefault(_norm(occupation.code), occupation)
            by_code[occupation.code] = occupation
        # Words people write (厨师, 月嫂): the county's own choices first, then the shipped
        # alias table; None = general labour (普工), imported as no skill.
        self.occupation_words: dict[str, Occupation | None] = {}
        for word, code in occupation_aliases().items():
            if code is None or code in by_code:
                self.occupation_words[_norm(word)] = by_code.get(code) if code else None
        for mapping in OccupationWordMapping.objects.filter(county=self.county).select_related(
            "occupation"
        ):
            self.occupation_words[_norm(mapping.word)] = mapping.occupation
        self.unclassified_rows: dict[str, list[int]] = {}
        self.general_rows: dict[str, list[int]] = {}
        self.certificates: dict[str, CertificateType] = {}
        inner: dict[str, list[CertificateType]] = {}
        for certificate in CertificateType.objects.all():
            self.certificates.setdefault(_norm(certificate.name_zh), certificate)
            self.certificates.setdefault(_norm(certificate.code), certificate)
            match = re.search(r"[(（]([^)）]+)[)）]", certificate.name_zh)
            if match:
                inner.setdefault(_norm(match.group(1)), []).append(certificate)
        self.certificate_hints = inner
        self.brands = {_norm(b.name_zh): b for b in LaborBrand.objects.all()}
        self.cities: dict[str, Region] = {}
        ambiguous: set[str] = set()
        for region in Region.objects.filter(level__in=["city", "county"]).order_by("level", "code"):
            if region.level == "county" and not region.name.endswith("市"):
                continue  # districts and counties are not cities a worker names
            for key in {_norm(region.name), _CITY_SUFFIX.sub("", _norm(region.name))}:
                existing = self.cities.get(key)
                if existing is None:
                    self.cities[key] = region
                elif existing.level == region.level and existing.pk != region.pk:
                    ambiguous.add(key)
        for key in ambiguous:
            self.cities.pop(key, None)
        self.groups = {g.name: g for g in TravelGroup.objects.filter(home_county=self.county)}

    def township_names(self) -> list[str]:
        return list(
            Region.objects.filter(parent_id=self.options.get("county"), level="township")
            .order_by("code")
            .values_list("name", flat=True)
        )

    def occupation_names(self) -> list[str]:
        return list(Occupation.objects.order_by("code").values_list("name_zh", flat=True))

    def certificate_names(self) -> list[str]:
        return list(CertificateType.objects.order_by("code").values_list("name_zh", flat=True))

    def brand_names(self) -> list[str]:
        return list(LaborBrand.objects.order_by("code").values_list("name_zh", flat=True))

    def city_names(self) -> list[str]:
        """Return the eastern cities paired with the official's county, for the drop-down."""
        if self.actor is None:
            return []
        names: list[str] = []
        for pairing in access.pairings_of(self.actor):
            east = pairing.east_region
            if east.level == Region.Level.PROVINCE:
                found = Region.objects.filter(parent=east, level="city")
            elif east.level == Region.Level.CITY:
                found = [east, *Region.objects.filter(parent=east, name__endswith="市")]
            else:
                found = [east.parent] if east.parent_id else []
            names.extend(region.name for region in found if region.name not in names)
        return names

    # Cleaners that need the lookups ---------------------------------------------------
    def clean_township(self, value: Any) -> Region:
        key = _norm(value)
        region = self.townships.get(key) or self.townships.get(_TOWNSHIP_SUFFIX.sub("", key))
        if region is None:
            raise CellError(
                _("“%(value)s”不是%(county)s的乡镇（街道），请从下拉列表中选择。")
                % {"value": fold(value)[:20], "county": self.county.name}
            )
        return region

    def _occupation(self, value: Any) -> Occupation | Unclassified | GeneralLabour:
        """Return the occupation a word names; an unknown word never rejects the person."""
        word = fold(value)
        key = _norm(word)
        occupation = self.occupations.get(key)
        if occupation is not None:
            return occupation
        if key in self.occupation_words:
            found = self.occupation_words[key]
            return found if found is not None else GeneralLabour(word)
        if len(word) > 50:
            raise CellError(_("工种名称过长：最多 50 个字，多个工种请用顿号“、”分隔。"))
        return Unclassified(word)

    def clean_occupation(self, value: Any) -> Occupation | Unclassified | GeneralLabour:
        return self._occupation(value)

    def clean_wish_occupations(self, value: Any) -> list[Occupation | Unclassified | GeneralLabour]:
        return cleaners.multi(self._occupation)(value)

    def clean_certificate_type(self, value: Any) -> CertificateType:
        key = _norm(value)
        found = self.certificates.get(key)
        if found is None:
            hints = self.certificate_hints.get(key, [])
            if len(hints) == 1:
                found = hints[0]
        if found is None:
            raise CellError(
                _("证书类型“%(value)s”无法识别，请从下拉列表中选择。") % {"value": fold(value)[:30]}
            )
        return found

    def clean_labor_brand(self, value: Any) -> LaborBrand:
        brand = self.brands.get(_norm(value))
        if brand is None:
            raise CellError(
                _("劳务品牌“%(value)s”无法识别，请从下拉列表中选择。") % {"value": fold(value)[:20]}
            )
        return brand

    def _city(self, value: Any) -> Region:
        key = _norm(value)
        region = self.cities.get(key) or self.cities.get(_CITY_SUFFIX.sub("", key))
        if region is None:
            raise CellError(
                _("意向城市“%(value)s”无法识别，请填写城市名称，如“青岛市”。")
                % {"value": fold(value)[:20]}
            )
        return region

    def clean_wish_cities(self, value: Any) -> list[Region]:
        return cleaners.multi(self._city)(value)

    # Row checks ---------------------------------------------------------------------
    def _village(self, row: Row) -> tuple[Region | None, str]:
        name = row.get("village", "")
        key = _norm(name)
        stem = _VILLAGE_SUFFIX.sub("", key)
        township = row.get("township")
        buckets = [self.villages.get(township.code, {})] if township else self.villages.values()
        found = {b.get(key) or b.get(stem) for b in buckets} - {None}
        if len(found) == 1:
            region = found.pop()
            return region, region.name
        return None, name

    def _sort_occupations(self, row: Row) -> None:
        """Split the occupation cells into classified occupations and 待归类 words."""
        if row.has("skill_occupation"):
            found = row.values.pop("skill_occupation")
            if isinstance(found, Occupation):
                row.values["skill_occupation"] = found
            else:
                if isinstance(found, Unclassified):
                    row.values["skill_unclassified"] = str(found)
                    self.unclassified_rows.setdefault(str(found), []).append(row.number)
                else:
                    self.general_rows.setdefault(str(found), []).append(row.number)
                # A level or years of an unknown trade say nothing the engine can use.
                row.values.pop("skill_level", None)
                row.values.pop("skill_years", None)
        if row.has("wish_occupations"):
            found = row.values["wish_occupations"]
            row.values["wish_occupations"] = [o for o in found if isinstance(o, Occupation)]
            words = [str(o) for o in found if isinstance(o, Unclassified)]
            row.values["wishes_unclassified"] = "、".join(words)[:200]
            for word in words:
                self.unclassified_rows.setdefault(word, []).append(row.number)
            for word in (str(o) for o in found if isinstance(o, GeneralLabour)):
                self.general_rows.setdefault(word, []).append(row.number)

    def validate(self, row: Row) -> None:
        monitoring = row.values.pop("monitoring", None)
        if monitoring == PovertyStatus.MONITORED:
            row.values["poverty_status"] = PovertyStatus.MONITORED
        self._sort_occupations(row)
        if row.has("village"):
            region, name = self._village(row)
            row.values["village"] = (region, name)
            if region is not None and not row.has("township"):
                # A coded village names its township: fill it in rather than leave it out.
                row.values["township"] = self.township_by_code[region.parent_id]
        if (row.has("skill_level") or row.has("skill_years")) and not row.has("skill_occupation"):
            raise RowRejected(
                "skill_occupation", _("填写了技能等级或从业年限，但没有填写技能工种。")
            )
        certificate_details = (
            "certificate_number",
            "certificate_issued_on",
            "certificate_expires_on",
        )
        if any(row.has(key) for key in certificate_details) and not row.has("certificate_type"):
            raise RowRejected("certificate_type", _("填写了证书编号或日期，但没有填写证书类型。"))
        from workers.services import check_certificate_dates

        problem = check_certificate_dates(
            row.get("certificate_issued_on"), row.get("certificate_expires_on")
        )
        if problem:
            raise RowRejected("certificate_expires_on", problem)
        if row.has("consent_method") and not row.has("consent_given_on"):
            raise RowRejected("consent_given_on", _("填写了授权方式，请同时填写授权日期。"))
        if row.has("consent_given_on"):
            if not row.has("consent_method"):
                raise RowRejected("consent_method", _("填写了授权日期，请同时填写授权方式。"))
            if row.get("consent_given_on") > timezone.localdate():
                raise RowRejected("consent_given_on", _("授权日期不能晚于今天。"))
            if row.get("consent_method") == ConsentMethod.WITNESSED_VERBAL and not row.has(
                "consent_witness"
            ):
                raise RowRejected("consent_witness", _("口头同意须填写见证人。"))

    def key(self, row: Row) -> Hashable:
        return crypto.id_number_blind_index(row.values["id_number"])

    def label(self, row: Row) -> str:
        return row.get("name", "")

    # Stored state -------------------------------------------------------------------
    @staticmethod
    def export_queryset(workers: QuerySet[Worker]) -> QuerySet[Worker]:
        """Return ``workers`` with what the API's detail view shows, prefetched."""
        return workers.select_related(
            "home_county", "home_township", "home_village", "labor_brand", "travel_group"
        ).prefetch_related(
            Prefetch("wish_city_links", WishCity.objects.select_related("region")),
            Prefetch("wish_occupation_links", WishOccupation.objects.select_related("occupation")),
            Prefetch("skills", WorkerSkill.objects.select_related("occupation")),
            Prefetch("certificates", WorkerCertificate.objects.select_related("certificate_type")),
            Prefetch("consents", Consent.objects.order_by("-given_on", "-id")),
        )

    def existing(self, keys: Sequence[Hashable]) -> dict[Hashable, Worker]:
        found: dict[Hashable, Worker] = {}
        keys = list(keys)
        for start in range(0, len(keys), LOOKUP_BATCH):
            chunk = keys[start : start + LOOKUP_BATCH]
            workers = list(
                Worker.objects.filter(id_number_index__in=chunk).defer("id_number_encrypted")
            )
            load_roster_states(workers)
            for worker in workers:
                found[worker.id_number_index] = worker
        return found

    def _county_name(self, code: str) -> Region:
        cache = self.__dict__.setdefault("_counties", {})
        if code not in cache:
            cache[code] = Region.objects.get(pk=code)
        return cache[code]

    def check_existing(self, row: Row, worker: Worker) -> None:
        if worker.home_county_id != self.county.pk:
            raise RowRejected(
                "id_number",
                duplicate_message(self._county_name(worker.home_county_id))
                + _("如确属本县人员，请与该县区联系办理。"),
            )
        if row.has("consent_given_on") and not self._has_consent(worker, row):
            withdrawn = [c.withdrawn_on for c in worker.roster.consents if c.withdrawn_on]
            if withdrawn and max(withdrawn) >= row.get("consent_given_on"):
                raise RowRejected(
                    "consent_given_on",
                    _(
                        "此人已于 %(date)s 撤回授权，表中的授权日期更早，不能据此恢复授权；"
                        "如本人重新同意，请在系统中登记新的授权。"
                    )
                    % {"date": max(withdrawn).isoformat()},
                )

    @staticmethod
    def _has_consent(worker: Worker, row: Row) -> bool:
        return any(
            c.given_on == row.get("consent_given_on") and c.method == row.get("consent_method")
            for c in worker.roster.consents
        )

    def diff(self, row: Row, worker: Worker) -> dict[str, list[Any]]:
        changes: dict[str, list[Any]] = {}

        def compare(key: str, old: Any, new: Any) -> None:
            if old != new:
                changes[key] = [old, new]

        if row.has("phone") and crypto.phone_blind_index(row.get("phone")) != worker.phone_index:
            # Compared by blind index; the change (preview, audit) shows both phones masked.
            changes["phone"] = [worker.phone_masked, mask_phone(row.get("phone"))]
        simple = {
            "name": "name",
            "poverty_status": "poverty_status",
            "education": "education",
            "min_wage": "min_wage",
            "earliest_departure": "earliest_departure",
            "accepts_dormitory": "accepts_dormitory",
            "accepts_shift_work": "accepts_shift_work",
            "note": "note",
            "skill_unclassified": "skill_unclassified",
            "wishes_unclassified": "wishes_unclassified",
        }
        for key, field in simple.items():
            if row.has(key):
                compare(key, getattr(worker, field), row.get(key))
        if row.has("township"):
            compare("township", worker.home_township_id, row.get("township").code)
        if row.has("village"):
            region, name = row.get("village")
            compare(
                "village",
                [worker.home_village_id, worker.home_village_name],
                [region.code if region else None, name],
            )
        if row.has("labor_brand"):
            compare("labor_brand", worker.labor_brand_id, row.get("labor_brand").pk)
        state = worker.roster
        if row.has("wish_cities"):
            compare(
                "wish_cities",
                state.wish_cities,
                [region.code for region in row.get("wish_cities")],
            )
        if row.has("wish_occupations"):
            compare(
                "wish_occupations",
                state.wish_occupations,
                [occupation.pk for occupation in row.get("wish_occupations")],
            )
        if row.has("skill_occupation"):
            skill = state.skills.get(row.get("skill_occupation").pk)
            old = [skill.level, skill.years] if skill else None
            new = [
                row.get("skill_level", skill.level if skill else SkillLevel.NONE),
                row.get("skill_years", skill.years if skill else 0),
            ]
            compare("skill_occupation", old, new)
        if row.has("certificate_type"):
            held = state.certificates.get(row.get("certificate_type").pk)
            old = [held.number, held.issued_on, held.expires_on] if held else None
            new = [
                row.get("certificate_number", held.number if held else ""),
                row.get("certificate_issued_on", held.issued_on if held else None),
                row.get("certificate_expires_on", held.expires_on if held else None),
            ]
            compare("certificate_type", old, new)
        if row.has("travel_group"):
            compare("travel_group", state.travel_group, row.get("travel_group"))
        if row.has("consent_given_on") and not self._has_consent(worker, row):
            changes["consent_given_on"] = [
                worker.consent_given_on,
                row.get("consent_given_on"),
            ]
        return changes

    # Writing ------------------------------------------------------------------------
    def _groups_for(self, rows: Sequence[Row]) -> dict[str, TravelGroup]:
        wanted = {row.get("travel_group") for row in rows if row.has("travel_group")}
        missing = sorted(wanted - set(self.groups))
        if missing:
            TravelGroup.objects.bulk_create(
                [
                    TravelGroup(home_county=self.county, name=name, created_by=self.actor)
                    for name in missing
                ],
                ignore_conflicts=True,
            )
            self.groups = {g.name: g for g in TravelGroup.objects.filter(home_county=self.county)}
        return self.groups

    def _fill(self, worker: Worker, row: Row, groups: dict[str, TravelGroup]) -> None:
        if row.has("phone") and crypto.phone_blind_index(row.get("phone")) != worker.phone_index:
            set_phone_fields(worker, row.get("phone"))
        for key in (
            "name",
            "poverty_status",
            "education",
            "min_wage",
            "earliest_departure",
            "accepts_dormitory",
            "accepts_shift_work",
            "note",
            "skill_unclassified",
            "wishes_unclassified",
        ):
            if row.has(key):
                setattr(worker, key, row.get(key))
        if row.has("township"):
            worker.home_township_id = row.get("township").code
        if row.has("village"):
            region, name = row.get("village")
            worker.home_village_id = region.code if region else None
            worker.home_village_name = name
        if row.has("labor_brand"):
            worker.labor_brand_id = row.get("labor_brand").pk
        if row.has("travel_group"):
            worker.travel_group_id = groups[row.get("travel_group")].pk
        if row.has("consent_given_on") and (
            worker.consent_given_on is None
            or row.get("consent_given_on") >= worker.consent_given_on
            or worker.consent_status != ConsentStatus.GIVEN
        ):
            worker.consent_status = ConsentStatus.GIVEN
            worker.consent_given_on = row.get("consent_given_on")

    def _related(self, worker: Worker, row: Row, *, stored: bool) -> dict[type, list[tuple]]:
        """Return the rows (as value tuples in ``RELATED_FIELDS`` order) a row adds."""
        rows: dict[type, list[tuple]] = {model: [] for model in RELATED_FIELDS}
        pk = worker.pk
        for rank, region in enumerate(row.get("wish_cities") or [], start=1):
            rows[WishCity].append((pk, region.code, rank))
        for rank, occupation in enumerate(row.get("wish_occupations") or [], start=1):
            rows[WishOccupation].append((pk, occupation.pk, rank))
        if row.has("skill_occupation"):
            occupation = row.get("skill_occupation")
            held = worker.roster.skills.get(occupation.pk) if stored else None
            rows[WorkerSkill].append(
                (
                    pk,
                    occupation.pk,
                    row.get("skill_level", held.level if held else SkillLevel.NONE),
                    row.get("skill_years", held.years if held else 0),
                )
            )
        if row.has("certificate_type"):
            kind = row.get("certificate_type")
            held = worker.roster.certificates.get(kind.pk) if stored else None
            rows[WorkerCertificate].append(
                (
                    pk,
                    kind.pk,
                    row.get("certificate_number", held.number if held else ""),
                    row.get("certificate_issued_on", held.issued_on if held else None),
                    row.get("certificate_expires_on", held.expires_on if held else None),
                )
            )
        if row.has("consent_given_on"):
            rows[Consent].append(
                (
                    pk,
                    row.get("consent_given_on"),
                    row.get("consent_method"),
                    list(ALL_CONSENT_SCOPES),
                    row.get("consent_witness", ""),
                    CONSENT_TEXT_VERSION,
                    self.actor.pk if self.actor else None,
                    "",
                    None,
                    None,
                    None,
                    None,
                )
            )
        return rows

    def apply(self, *, creates: Sequence[Row], updates: Sequence[Update]) -> None:
        groups = self._groups_for([*creates, *(u.row for u in updates)])
        job_id = self.job.pk if self.job is not None else None
        total = len(creates) + len(updates) or 1
        related: dict[type, list[tuple]] = {model: [] for model in RELATED_FIELDS}
        # New workers: one INSERT per batch, then their ids by blind index ------------------
        fresh: list[tuple[NewWorker, Row]] = []
        for row in creates:
            worker = NewWorker(county=self.county.pk, actor=self.actor)
            Worker.set_id_number(worker, row.values["id_number"])  # type: ignore[arg-type]
            self._fill(worker, row, groups)
            fresh.append((worker, row))
        insert_values(
            Worker,
            WORKER_FIELDS,
            ([getattr(worker, name) for name in WORKER_FIELDS] for worker, _row in fresh),
            batch_size=CREATE_BATCH,
        )
        self.report_progress(len(creates) / total * 0.5)
        by_index = {worker.id_number_index: worker for worker, _row in fresh}
        indexes = list(by_index)
        for start in range(0, len(indexes), LOOKUP_BATCH):
            for index, pk in Worker.objects.filter(
                id_number_index__in=indexes[start : start + LOOKUP_BATCH]
            ).values_list("id_number_index", "pk"):
                by_index[index].pk = pk
        for worker, row in fresh:
            for model, items in self._related(worker, row, stored=False).items():
                related[model].extend(items)
        # Updated workers -----------------------------------------------------------------
        changed_fields: set[str] = set()
        replace: dict[type, set[int]] = {}
        skill_keys: list[tuple[int, int]] = []
        certificate_keys: list[tuple[int, int]] = []
        for update in updates:
            worker, row, changes = update.obj, update.row, update.changes
            before = {f: getattr(worker, f) for f in SCALAR_FIELDS}
            self._fill(worker, row, groups)
            changed_fields |= {f for f in SCALAR_FIELDS if getattr(worker, f) != before[f]}
            rows = self._related(worker, row, stored=True)
            if "wish_cities" in changes:
                replace.setdefault(WishCity, set()).add(worker.pk)
                related[WishCity].extend(rows[WishCity])
            if "wish_occupations" in changes:
                replace.setdefault(WishOccupation, set()).add(worker.pk)
                related[WishOccupation].extend(rows[WishOccupation])
            if "skill_occupation" in changes:
                skill_keys.append((worker.pk, row.get("skill_occupation").pk))
                related[WorkerSkill].extend(rows[WorkerSkill])
            if "certificate_type" in changes:
                certificate_keys.append((worker.pk, row.get("certificate_type").pk))
                related[WorkerCertificate].extend(rows[WorkerCertificate])
            if "consent_given_on" in changes:
                related[Consent].extend(rows[Consent])
        if updates:
            now = timezone.now()
            fields = sorted(changed_fields) + ["updated_at"]
            for update in updates:
                update.obj.updated_at = now
            update_values(
                Worker,
                fields,
                ([u.obj.pk, *(getattr(u.obj, f) for f in fields)] for u in updates),
                batch_size=UPDATE_BATCH,
            )
        for model, worker_ids in replace.items():
            ids = sorted(worker_ids)
            for start in range(0, len(ids), LOOKUP_BATCH):
                model.objects.filter(worker_id__in=ids[start : start + LOOKUP_BATCH]).delete()
        delete_pairs(WorkerSkill, "occupation_id", skill_keys)
        delete_pairs(WorkerCertificate, "certificate_type_id", certificate_keys)
        for model, items in related.items():
            insert_values(model, RELATED_FIELDS[model], items, batch_size=CREATE_BATCH)
        self.report_progress(0.9)
        # History -------------------------------------------------------------------------
        audit_record_bulk(
            actor=self.actor,
            action="worker.register",
            entries=[
                (w, {"name": w.name, "source": WorkerSource.IMPORT, "import_job": job_id})
                for w, _row in fresh
            ],
            reason=_("花名册导入"),
        )
        audit_record_bulk(
            actor=self.actor,
            action="worker.update",
            entries=[(u.obj, {**plain_changes(u.changes), "import_job": job_id}) for u in updates],
            reason=_("花名册导入"),
        )
        self.report_progress(1.0)

    # Preview ------------------------------------------------------------------------
    def preview_extras(self, parsed: Any, plan: Any) -> dict[str, Any]:
        """Return who is added (masked), what changes per person, rejected names, and the
        occupation words that are 待归类 or general labour."""
        extras = super().preview_extras(parsed, plan)
        names = Names()
        name_at = parsed.header.index.get("name")

        def row_name(row: Row) -> str:
            if row.has("name"):
                return row.get("name")
            cell = row.cells[name_at] if name_at is not None and name_at < len(row.cells) else ""
            return fold(cell)[:20]

        extras["additions"] = [
            {
                "row": row.number,
                "name": row.get("name", ""),
                "id": mask_id_number(row.get("id_number", "")),
                "poverty": _label(PovertyStatus.choices, row.get("poverty_status"))
                or str(PovertyStatus.NONE.label),
                "township": row.get("township").name if row.has("township") else "",
                "skill": row.get("skill_occupation").name_zh
                if row.has("skill_occupation")
                else (_("待归类：%(word)s") % {"word": row.get("skill_unclassified")})
                if row.get("skill_unclassified")
                else "",
            }
            for row in plan.creates[:PREVIEW_SAMPLES]
        ]
        extras["diffs"] = [
            {
                "row": update.row.number,
                "label": row_name(update.row),
                "fields": [
                    {
                        "field": parsed.header.source.get(key) or self.column(key).label
                        if key in self._column_keys
                        else key,
                        "old": self._shown(key, old, update.row, names),
                        "new": self._shown(key, new, update.row, names),
                    }
                    for key, (old, new) in update.changes.items()
                ],
            }
            for update in plan.updates[:PREVIEW_SAMPLES]
        ]
        extras["rejected_names"] = {str(row.number): row_name(row) for row in plan.rejected}
        extras["unclassified"] = [
            {"word": word, "count": len(rows), "rows": rows[:10]}
            for word, rows in sorted(self.unclassified_rows.items())
        ]
        extras["general_labour"] = [
            {"word": word, "count": len(rows)} for word, rows in sorted(self.general_rows.items())
        ]
        if self.unclassified_rows:
            extras["occupation_choices"] = [
                [o.pk, o.name_zh] for o in Occupation.objects.order_by("code")
            ]
        return extras

    @cached_property
    def _column_keys(self) -> set[str]:
        return {column.key for column in self.columns}

    @staticmethod
    def _shown(key: str, value: Any, row: Row, names: Names) -> str:
        """Return a stored or imported value as the preview shows it (phones masked)."""
        if value is None or value == "" or value == []:
            return str(_("（空）"))
        choices = {
            "poverty_status": PovertyStatus.choices,
            "education": Education.choices,
        }
        if key in choices:
            return _label(choices[key], value)
        if key == "phone":
            return mask_phone(value) if str(value).isdigit() else str(value)
        if key == "township":
            return names.region(value)
        if key == "village":
            code, name = value
            return names.region(code) if code else name
        if key == "labor_brand":
            return names.brand(value)
        if key == "wish_cities":
            return "、".join(names.region(code) for code in value)
        if key == "wish_occupations":
            return "、".join(names.occupation(pk) for pk in value)
        if key == "skill_occupation":
            level, years = value
            occupation = row.get("skill_occupation")
            return _("%(occupation)s：%(level)s，%(years)s 年") % {
                "occupation": occupation.name_zh if occupation else "",
                "level": _label(SkillLevel.choices, level),
                "years": years,
            }
        if key == "certificate_type":
            _number, issued, expires = value
            return _("发证 %(issued)s，有效期至 %(expires)s") % {
                "issued": issued.isoformat() if issued else "–",
                "expires": expires.isoformat() if expires else "–",
            }
        if isinstance(value, bool):
            return str(_("是")) if value else str(_("否"))
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    def map_words(self, *, actor: User, choices: dict[str, str]) -> int:
        """Remember each word's occupation ("general" = general labour) for the county."""
        self.prepare()
        by_pk = {str(pk): pk for pk in Occupation.objects.values_list("pk", flat=True)}
        done = 0
        for word, choice in choices.items():
            if choice == "general":
                occupation_word_map(actor=actor, county=self.county, word=word, occupation=None)
            elif choice in by_pk:
                occupation = Occupation.objects.get(pk=by_pk[choice])
                occupation_word_map(
                    actor=actor, county=self.county, word=word, occupation=occupation
                )
            else:
                continue
            done += 1
        return done

    # Export -------------------------------------------------------------------------
    def export_row(self, worker: Worker, *, full_id_number: bool = False) -> dict[str, Any]:
        """Return the worker's roster row (``load_roster_states`` must have run on it)."""
        state = worker.roster
        skill = state.first_skill
        certificate = next(iter(state.certificates.values()), None)
        consent = state.consents[0] if state.consents else None
        names = self.__dict__.get("_names") or self.__dict__.setdefault("_names", Names())
        return {
            "name": worker.name,
            "id_number": worker.reveal_id_number() if full_id_number else worker.id_number_masked,
            "phone": worker.reveal_phone() if full_id_number else worker.phone_masked,
            "township": names.region(worker.home_township_id),
            "village": worker.home_village_name or names.region(worker.home_village_id),
            "poverty_status": _label(PovertyStatus.choices, worker.poverty_status),
            "education": _label(Education.choices, worker.education),
            "skill_occupation": names.occupation(skill.occupation_id)
            if skill
            else worker.skill_unclassified,
            "skill_level": _label(SkillLevel.choices, skill.level) if skill else "",
            "skill_years": skill.years if skill else None,
            "certificate_type": names.certificate(certificate.certificate_type_id)
            if certificate
            else "",
            "certificate_number": certificate.number if certificate else "",
            "certificate_issued_on": certificate.issued_on if certificate else None,
            "certificate_expires_on": certificate.expires_on if certificate else None,
            "labor_brand": names.brand(worker.labor_brand_id),
            "wish_cities": [names.region(code) for code in state.wish_cities],
            "wish_occupations": [names.occupation(pk) for pk in state.wish_occupations]
            + [w for w in worker.wishes_unclassified.split("、") if w],
            "min_wage": worker.min_wage,
            "earliest_departure": worker.earliest_departure,
            "accepts_dormitory": "是" if worker.accepts_dormitory else "否",
            "accepts_shift_work": "是" if worker.accepts_shift_work else "否",
            "travel_group": state.travel_group or "",
            "consent_given_on": consent.given_on if consent else None,
            "consent_method": _label(ConsentMethod.choices, consent.method) if consent else "",
            "consent_witness": consent.witness if consent else "",
            "note": worker.note,
        }


@transaction.atomic
def occupation_word_map(
    *, actor: User, county: Region, word: str, occupation: Occupation | None
) -> int:
    """Remember what ``word`` means in ``county`` and apply it to the county's workers.

    Every worker of the county whose skill or wish was kept as this 待归类 word gets the
    occupation (or, for general labour, simply loses the word). Return how many changed.
    """
    word = fold(word)[:50]
    OccupationWordMapping.objects.update_or_create(
        county=county, word=word, defaults={"occupation": occupation, "created_by": actor}
    )
    audit_record(
        actor=actor,
        action="occupation_word.map",
        target=county,
        changes={"word": word, "occupation": occupation.code if occupation else None},
    )
    workers = list(
        Worker.objects.filter(home_county=county)
        .filter(Q(skill_unclassified=word) | Q(wishes_unclassified__contains=word))
        .select_for_update()
        .order_by("pk")
    )
    changed = []
    for worker in workers:
        changes: dict[str, list[Any]] = {}
        if worker.skill_unclassified == word:
            changes["skill_unclassified"] = [word, ""]
            worker.skill_unclassified = ""
            if occupation is not None:
                WorkerSkill.objects.get_or_create(worker=worker, occupation=occupation)
                changes["skill_occupation"] = [None, occupation.code]
        wishes = [w for w in worker.wishes_unclassified.split("、") if w]
        if word in wishes:
            rest = "、".join(w for w in wishes if w != word)
            changes["wishes_unclassified"] = [worker.wishes_unclassified, rest]
            worker.wishes_unclassified = rest
            if occupation is not None:
                links = WishOccupation.objects.filter(worker=worker)
                if not links.filter(occupation=occupation).exists():
                    rank = (links.aggregate(top=Max("rank"))["top"] or 0) + 1
                    WishOccupation.objects.create(worker=worker, occupation=occupation, rank=rank)
                    changes["wish_occupations"] = [None, occupation.code]
        if changes:
            worker.save(update_fields=["skill_unclassified", "wishes_unclassified", "updated_at"])
            changed.append((worker, changes))
    audit_record_bulk(
        actor=actor, action="worker.update", entries=changed, reason=_("工种写法归类")
    )
    return len(changed)
