"""Reference data shared by every app: regions, pairings, occupations, certificates, brands."""

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualNameMixin(models.Model):
    """A Chinese and an English name; ``name`` follows the active language."""

    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = get_language() or "zh-hans"
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh


class Region(models.Model):
    """An administrative division identified by its GB/T 2260 code.

    Codes are hierarchical by prefix (province 2 digits, city 4, county 6, township 9,
    village 12), which is what makes "everything inside this region" one indexed
    ``startswith`` query; see :attr:`prefix`.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("地级")
        COUNTY = "county", _("县级")
        TOWNSHIP = "township", _("乡级")
        VILLAGE = "village", _("村级")

    _PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}

    code = models.CharField(_("行政区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    full_name = models.CharField(_("全称"), max_length=200)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return self.full_name or self.name

    @property
    def prefix(self) -> str:
        """Return the code prefix shared by this region and everything inside it."""
        return self.code[: self._PREFIX_LENGTH[self.level]]

    def contains(self, other: "Region | str | None") -> bool:
        code = other.code if isinstance(other, Region) else other
        return bool(code) and code.startswith(self.prefix)


class Pairing(BilingualNameMixin):
    """A standing cooperation between an eastern and a western region (东西部协作结对)."""

    code = models.SlugField(_("编码"), max_length=50, unique=True)
    east_region = models.ForeignKey(
        Region, verbose_name=_("东部地区"), on_delete=models.PROTECT, related_name="+"
    )
    west_region = models.ForeignKey(
        Region, verbose_name=_("西部地区"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("结对时间"), null=True, blank=True)
    note = models.TextField(_("来源说明"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("协作结对")
        verbose_name_plural = _("协作结对")


class OccupationGroup(BilingualNameMixin):
    """A major group (大类) of the national occupational classification."""

    code = models.CharField(_("大类代码"), max_length=2, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("职业大类")
        verbose_name_plural = _("职业大类")


class Occupation(BilingualNameMixin):
    """An occupation (职业/工种) coded like ``6-18-02-04`` (major-medium-minor-detail)."""

    code = models.CharField(_("职业代码"), max_length=20, unique=True)
    group = models.ForeignKey(
        OccupationGroup,
        verbose_name=_("大类"),
        on_delete=models.PROTECT,
        related_name="occupations",
    )
    related = models.ManyToManyField("self", verbose_name=_("相近职业"), blank=True)
    code_verified = models.BooleanField(_("代码已核对"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("职业")
        verbose_name_plural = _("职业")


class CertificateType(BilingualNameMixin):
    """A kind of certificate a worker can hold (特种作业操作证, 职业技能等级证书 …)."""

    code = models.SlugField(_("编码"), max_length=50, unique=True)
    issuer_kind = models.CharField(_("发证类别"), max_length=100, blank=True)
    occupations = models.ManyToManyField(
        Occupation, verbose_name=_("相关职业"), blank=True, related_name="certificate_types"
    )
    levels = models.JSONField(_("等级"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("证书类型")
        verbose_name_plural = _("证书类型")


class LaborBrand(BilingualNameMixin):
    """A named, trained regional workforce (劳务品牌), e.g. 岷归药工."""

    code = models.SlugField(_("编码"), max_length=50, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所属地区"), on_delete=models.PROTECT, related_name="labor_brands"
    )
    occupations = models.ManyToManyField(
        Occupation, verbose_name=_("相关职业"), blank=True, related_name="labor_brands"
    )
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("劳务品牌")
        verbose_name_plural = _("劳务品牌")


class Campaign(BilingualNameMixin):
    """A hiring season of one pairing, e.g. 2026 春风行动 · 定西 → 青岛."""

    code = models.SlugField(_("编码"), max_length=60, unique=True)
    pairing = models.ForeignKey(
        Pairing, verbose_name=_("协作结对"), on_delete=models.PROTECT, related_name="campaigns"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("招聘行动")
        verbose_name_plural = _("招聘行动")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            )
        ]

    @property
    def is_running(self) -> bool:
        today = timezone.localdate()
        return self.starts_on <= today <= self.ends_on


class Station(BilingualNameMixin):
    """A railway station, airport or bus station used by point-to-point transport."""

    class Kind(models.TextChoices):
        RAILWAY_STATION = "railway_station", _("火车站")
        AIRPORT = "airport", _("机场")
        BUS_STATION = "bus_station", _("汽车站")

    code = models.SlugField(_("编码"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="stations"
    )
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("车站/机场")
        verbose_name_plural = _("车站/机场")


class MinimumWage(models.Model):
    """The legal minimum wage of a region from a date (最低工资标准), with its source.

    A province-level row is the province's lowest tier: it applies wherever no city or
    county row says more, so an unlisted district is never held to a tier it may not have.
    """

    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="minimum_wages"
    )
    tier = models.CharField(_("档次"), max_length=20)
    monthly = models.PositiveIntegerField(_("月最低工资（元）"))
    hourly = models.DecimalField(_("小时最低工资（元）"), max_digits=6, decimal_places=2)
    effective_from = models.DateField(_("执行日期"))
    source = models.CharField(_("来源文件"), max_length=200)
    verified = models.BooleanField(_("已核对原文"), default=False)

    class Meta:
        ordering = ["region", "-effective_from"]
        verbose_name = _("最低工资标准")
        verbose_name_plural = _("最低工资标准")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="minimum_wage_region_date_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.tier} {self.monthly}"
