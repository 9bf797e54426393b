"""The county roster's (花名册) columns: headers, synonyms, cleaners and the export row.

Declarations only: the importer (:mod:`workers.importers`) adds the lookups, row checks and
the bulk write path; the roster export (:func:`workers.services.worker_export_workbook`) uses
:class:`WorkerRosterExport`. Neither of them is imported here, so the services' checks can be
used by the importer without an import circle.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laborbridge import access
from laborbridge.imports import cleaners
from laborbridge.imports.base import CellError, Column
from laborbridge.imports.cleaners import fold, norm
from laborbridge.models import CertificateType, LaborBrand, Occupation, Region, Role, User
from workers.models import ConsentMethod, Education, PovertyStatus, SkillLevel, Worker
from workers.roster_links import intermediary_hook
from workers.roster_state import Names

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
            key = norm(value)
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


def choice_label(choices, value) -> str:
    """Return the label of ``value`` among ``choices`` ("" for a blank value)."""
    return str(dict(choices).get(value, value)) if value not in (None, "") else ""


class WorkerRosterColumns:
    """The roster's layout: its columns, who may use it, its drop-down lists, its export row.

    A mixin without a constructor: it expects ``actor`` and ``options`` on the instance, which
    :class:`~laborbridge.imports.base.RowImporter` (the importer) or
    :class:`WorkerRosterExport` (the export) set.
    """

    actor: User | None
    options: dict[str, Any]

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

    # repeats=True: the pipeline cleans each distinct cell of the column once per file
    # (choices, places, dates; never names, ID numbers, phones or free text).
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
            repeats=True,
        ),
        Column(
            "village",
            gettext_lazy("村"),
            variants=["村（社区）", "行政村", "所在村", "村社区", "村名", "户籍村", "村委会"],
            keywords=["村", "社区", "-组", "-乡镇"],
            clean=cleaners.text(max_length=50, squeeze=True),
            example="孟河村",
            help=gettext_lazy("行政村或社区名称。"),
            repeats=True,
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
            repeats=True,
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
            repeats=True,
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
            repeats=True,
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
            repeats=True,
        ),
        Column(
            "skill_level",
            gettext_lazy("技能等级"),
            variants=["职业技能等级", "等级", "技术等级"],
            clean=cleaners.choice(SkillLevel.choices, synonyms=cleaners.SKILL_LEVEL_WORDS),
            choices=SkillLevel.labels,
            strict_choices=True,
            width=14,
            example=str(SkillLevel.FOUR.label),
            repeats=True,
        ),
        Column(
            "skill_years",
            gettext_lazy("从业年限"),
            variants=["工作年限", "从业年限（年）", "工龄"],
            keywords=["年限", "工龄"],
            clean=cleaners.integer(minimum=0, maximum=60),
            example="3",
            help=gettext_lazy("该技能的从业年数（整数）。"),
            repeats=True,
        ),
        Column(
            "certificate_type",
            gettext_lazy("证书类型"),
            variants=["证书", "证书名称", "持有证书", "资格证书"],
            clean="clean_certificate_type",
            choices=lambda importer: importer.certificate_names(),
            width=24,
            example="特种作业操作证（熔化焊接与热切割作业）",
            repeats=True,
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
            repeats=True,
        ),
        Column(
            "certificate_expires_on",
            gettext_lazy("证书有效期至"),
            variants=["有效期至", "有效期", "证书有效期", "到期日期"],
            clean=cleaners.date(),
            example="2030-05-19",
            repeats=True,
        ),
        Column(
            "labor_brand",
            gettext_lazy("劳务品牌"),
            variants=["所属劳务品牌", "品牌"],
            clean="clean_labor_brand",
            choices=lambda importer: importer.brand_names(),
            example="青定人力",
            repeats=True,
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
            repeats=True,
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
            repeats=True,
        ),
        Column(
            "min_wage",
            gettext_lazy("最低月薪（元）"),
            variants=["期望月薪", "期望工资", "月薪要求", "期望薪资", "最低工资要求", "最低月薪"],
            keywords=["月薪", "期望工资", "期望薪", "工资要求", "-年"],
            clean=cleaners.wage(),
            example="5000",
            help=gettext_lazy("可接受的最低月工资，单位元；“5000-6000”按 5000 计。"),
            repeats=True,
        ),
        Column(
            "earliest_departure",
            gettext_lazy("最早出发日期"),
            variants=["可出发日期", "最早外出时间", "外出时间", "计划外出时间", "出发日期"],
            keywords=["出发", "外出时间"],
            clean=cleaners.date(earliest=dt.date(2000, 1, 1), month_only=True),
            example="2026-02-20",
            help=gettext_lazy("最早可以出发的日期；只写月份（2026年3月）按当月 1 日计。"),
            repeats=True,
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
            repeats=True,
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
            repeats=True,
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
            repeats=True,
        ),
        Column(
            "consent_given_on",
            gettext_lazy("授权日期"),
            variants=["同意日期", "签字日期", "授权时间"],
            clean=cleaners.date(earliest=dt.date(2015, 1, 1)),
            example="2026-01-10",
            help=gettext_lazy("本人同意登记和使用个人信息的日期。"),
            repeats=True,
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
            repeats=True,
        ),
        Column(
            "consent_witness",
            gettext_lazy("见证人"),
            variants=["授权见证人"],
            clean=cleaners.text(max_length=50),
            help=gettext_lazy("口头同意时必填。"),
        ),
        Column(
            "intermediary",
            gettext_lazy("输转中介"),
            variants=[
                "带头人",
                "带队人",
                "劳务经纪人",
                "中介机构",
                "劳务中介",
                "输转中介机构",
                "输转带头人",
            ],
            keywords=["中介", "带头人", "带队人", "经纪人"],
            clean="clean_intermediary",
            choices=lambda importer: importer.intermediary_names(),
            width=16,
            help=gettext_lazy(
                "带此人外出务工的劳务中介机构或带头人（劳务经纪人），须是本县已在“输转奖补”中"
                "登记的名称；用于计算输转奖补。"
            ),
            repeats=True,
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

    # Drop-down lists -----------------------------------------------------------------
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

    def intermediary_names(self) -> list[str]:
        """Return the county's agencies and team leaders (workers.roster_links hook)."""
        hook = intermediary_hook()
        return sorted(hook.names(self.options.get("county", ""))) if hook else []

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
            "poverty_status": choice_label(PovertyStatus.choices, worker.poverty_status),
            "education": choice_label(Education.choices, worker.education),
            "skill_occupation": names.occupation(skill.occupation_id)
            if skill
            else worker.skill_unclassified,
            "skill_level": choice_label(SkillLevel.choices, skill.level) if skill else "",
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
            "consent_method": choice_label(ConsentMethod.choices, consent.method)
            if consent
            else "",
            "consent_witness": consent.witness if consent else "",
            "note": worker.note,
        }


class WorkerRosterExport(WorkerRosterColumns):
    """The roster's layout for an export: columns and drop-down lists, no import path."""

    def __init__(self, *, actor: User | None, options: dict[str, Any] | None = None):
        self.actor = actor
        self.options = dict(options or {})
