"""The worker registry: who wants to work away, what they can do and want, and their consent."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laborbridge import crypto
from laborbridge.identifiers import mask_id_number, mask_phone


class PovertyStatus(models.TextChoices):
    NONE = "none", _("一般农村劳动力")
    POVERTY_ALLEVIATED = "poverty_alleviated", _("脱贫劳动力")
    MONITORED = "monitored", _("监测对象")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class WorkerStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    REGISTERED = "registered", _("已登记")
    MATCHED = "matched", _("已匹配")
    OFFERED = "offered", _("已推荐")
    ACCEPTED = "accepted", _("已接受")
    TRAVELLING = "travelling", _("在途")
    EMPLOYED = "employed", _("已就业")
    RETURNED = "returned", _("已返乡")
    WITHDRAWN = "withdrawn", _("已退出")


class Education(models.TextChoices):
    NONE = "none", _("未上过学")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专/职高/技校")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科及以上")


# A worker's schooling as the level a vacancy's minimum (jobs.models.Education) is compared with;
# a senior-high and a vocational-school diploma meet the same requirement (高中/中专/技校).
EDUCATION_LEVEL = {
    Education.NONE: 0,
    Education.PRIMARY: 1,
    Education.JUNIOR: 2,
    Education.SENIOR: 3,
    Education.VOCATIONAL: 3,
    Education.COLLEGE: 4,
    Education.BACHELOR: 5,
}


class SkillLevel(models.IntegerChoices):
    """National vocational skill levels; higher is more skilled (the engine compares them)."""

    NONE = 0, _("无等级")
    FIVE = 1, _("五级/初级工")
    FOUR = 2, _("四级/中级工")
    THREE = 3, _("三级/高级工")
    TWO = 4, _("二级/技师")
    ONE = 5, _("一级/高级技师")


class ConsentMethod(models.TextChoices):
    SIGNED_PAPER = "signed_paper", _("纸质签字")
    SELF_SERVICE = "self_service", _("本人线上自助")
    WITNESSED_VERBAL = "witnessed_verbal", _("口头同意（有见证人）")


class ConsentScope(models.TextChoices):
    REGISTRY = "registry", _("登记信息，用于就业服务")
    MATCHING = "matching", _("向用工企业推荐（姓名、年龄、技能、意向）")
    TRANSPORT = "transport", _("安排点对点出行（向承运方提供购票所需信息）")
    FOLLOW_UP = "follow_up", _("就业后回访及稳岗补贴核查")


class ConsentStatus(models.TextChoices):
    NONE = "none", _("未授权")
    GIVEN = "given", _("已授权")
    WITHDRAWN = "withdrawn", _("已撤回")


class WorkerSource(models.TextChoices):
    FORM = "form", _("工作人员登记")
    IMPORT = "import", _("花名册导入")
    SELF_SIGNUP = "self_signup", _("扫码报名")
    API = "api", _("接口")


def set_phone_fields(obj: object, phone: str) -> None:
    """Set the encrypted phone's four columns on a worker, a signup or an importer's row."""
    obj.phone_encrypted = crypto.phone_encrypt(phone)  # type: ignore[attr-defined]
    obj.phone_index = crypto.phone_blind_index(phone)  # type: ignore[attr-defined]
    obj.phone_last4 = phone[-4:]  # type: ignore[attr-defined]
    obj.phone_masked = mask_phone(phone)  # type: ignore[attr-defined]


def _phone_unreadable(obj: object) -> str:
    # Reading a full phone must be a decision that is audited, never an attribute access.
    raise AttributeError(
        "The phone is stored encrypted: show phone_masked, or reveal it through "
        "workers.services.worker_reveal (audited)."
    )


class TravelGroup(models.Model):
    """People who must travel and work together: a family or fellow villagers."""

    class Kind(models.TextChoices):
        FAMILY = "family", _("家庭成员")
        FELLOW_VILLAGERS = "fellow_villagers", _("同村老乡")

    home_county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("所属县区"),
        on_delete=models.PROTECT,
        related_name="travel_groups",
    )
    name = models.CharField(_("组名"), max_length=50)
    kind = models.CharField(
        _("类型"), max_length=20, choices=Kind.choices, default=Kind.FELLOW_VILLAGERS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["home_county_id", "name"]
        verbose_name = _("同行组")
        verbose_name_plural = _("同行组")
        constraints = [
            models.UniqueConstraint(fields=["home_county", "name"], name="travel_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Worker(models.Model):
    """A rural worker registered by the official of their home county.

    The resident ID number is never stored in clear: ``id_number_encrypted`` holds the
    AES-GCM ciphertext, ``id_number_index`` the keyed HMAC used for uniqueness and exact
    lookup, ``id_number_masked`` what every page shows. Use :meth:`set_id_number`.
    Wishes are ordered (first = most wanted) through :class:`WishCity` and
    :class:`WishOccupation`; consent history lives in :class:`Consent`, with the current
    state copied into ``consent_status`` / ``consent_given_on`` for lists and filters.
    """

    name = models.CharField(_("姓名"), max_length=50)
    id_number_encrypted = models.BinaryField(_("身份证号（密文）"), editable=False)
    # Unique by a constraint (Meta), not `unique=True`: on PostgreSQL the field option adds a
    # second, `LIKE`-pattern index that an HMAC is never searched with — one more index write
    # for every new row version of a million workers (bench/RESULTS.md, issue 17).
    id_number_index = models.CharField(_("身份证号索引"), max_length=64, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    sex = models.CharField(_("性别"), max_length=6, choices=Sex.choices, editable=False)
    # The phone, like the ID number, only encrypted (set it through ``phone = …`` or
    # :meth:`set_phone`): a blind index for exact search, the last four digits for the
    # "last four" search, the mask every page shows.
    phone_encrypted = models.BinaryField(_("手机号（密文）"), editable=False)
    phone_index = models.CharField(_("手机号索引"), max_length=64, editable=False)
    phone_last4 = models.CharField(_("手机号后四位"), max_length=4, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, editable=False)
    # Foreign keys covered by a composite index (see Meta) carry no index of their own:
    # every index costs ~10 % of a 10,000-row roster import on PostgreSQL.
    home_county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("户籍县区"),
        on_delete=models.PROTECT,
        related_name="workers",
        db_index=False,
    )
    home_township = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("乡镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    home_village = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("村"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The village as the official wrote it, for townships whose villages are not coded yet.
    home_village_name = models.CharField(_("村（社区）"), max_length=50, blank=True)
    poverty_status = models.CharField(
        _("帮扶身份"), max_length=20, choices=PovertyStatus.choices, default=PovertyStatus.NONE
    )
    education = models.CharField(
        _("文化程度"), max_length=12, choices=Education.choices, blank=True
    )
    labor_brand = models.ForeignKey(
        "laborbridge.LaborBrand",
        verbose_name=_("劳务品牌"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workers",
    )
    wish_cities = models.ManyToManyField(
        "laborbridge.Region",
        verbose_name=_("意向城市"),
        through="WishCity",
        related_name="+",
        blank=True,
    )
    wish_occupations = models.ManyToManyField(
        "laborbridge.Occupation",
        verbose_name=_("意向工种"),
        through="WishOccupation",
        related_name="+",
        blank=True,
    )
    # Occupation words of an import that match no occupation (待归类): kept so nobody is lost
    # and the word can be mapped once for every worker who has it; matching ignores them.
    skill_unclassified = models.CharField(_("待归类技能工种"), max_length=50, blank=True)
    wishes_unclassified = models.CharField(_("待归类意向工种"), max_length=200, blank=True)
    min_wage = models.PositiveIntegerField(_("最低月薪（元）"), null=True, blank=True)
    earliest_departure = models.DateField(_("最早出发日期"), null=True, blank=True)
    accepts_dormitory = models.BooleanField(_("接受住宿舍"), default=True)
    accepts_shift_work = models.BooleanField(_("接受倒班"), default=True)
    travel_group = models.ForeignKey(
        TravelGroup,
        verbose_name=_("同行组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    consent_status = models.CharField(
        _("授权状态"), max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.NONE
    )
    consent_given_on = models.DateField(_("授权日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=WorkerStatus.choices, default=WorkerStatus.REGISTERED
    )
    source = models.CharField(
        _("来源"), max_length=12, choices=WorkerSource.choices, default=WorkerSource.FORM
    )
    note = models.TextField(_("备注"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # What `manage.py rotate_keys` re-encrypts, with the associated data each was sealed with.
    encrypted_fields = {
        "id_number_encrypted": crypto.PURPOSE_ID_NUMBER,
        "phone_encrypted": crypto.PURPOSE_PHONE,
    }

    class Meta:
        ordering = ["home_county_id", "name", "id"]
        verbose_name = _("劳动力")
        verbose_name_plural = _("劳动力")
        # No index names `status`: a matching round moves hundreds of thousands of workers
        # from registered to matched, and an update that changes no indexed column is a HOT
        # update (the new row version goes beside the old one on its page, no index entry):
        # 625,000 workers in 3.6 s instead of 28.9 s with status in two indexes. The table is
        # kept 60 % full (migration 0009) so those versions find room on their page. A
        # county's counts by status read the `(home_county, …)` indexes and the rows.
        indexes = [
            models.Index(fields=["home_county", "poverty_status"]),
            # The registry list's sort and keyset pages (workers.selectors.WORKER_LIST_KEYS).
            models.Index(fields=["home_county", "name", "id"]),
            models.Index(fields=["home_township"]),
            models.Index(fields=["phone_index"]),
            models.Index(fields=["home_county", "phone_last4"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], name="worker_unique_id_number"),
            models.CheckConstraint(
                condition=models.Q(min_wage__isnull=True) | models.Q(min_wage__lte=100_000),
                name="worker_min_wage_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"

    def set_id_number(self, number: str) -> None:
        """Store an already validated ID number: ciphertext, blind index, mask, derived facts."""
        from laborbridge.identifiers import id_number_birth_date, id_number_sex

        self.id_number_encrypted = crypto.id_number_encrypt(number)
        self.id_number_index = crypto.id_number_blind_index(number)
        self.id_number_masked = mask_id_number(number)
        self.birth_date = id_number_birth_date(number)
        self.sex = id_number_sex(number)

    def reveal_id_number(self) -> str:
        """Return the full number. Callers must go through ``workers.services`` to audit it."""
        return crypto.id_number_decrypt(self.id_number_encrypted)

    def set_phone(self, phone: str) -> None:
        """Store an already validated mobile number: ciphertext, blind index, last four, mask."""
        set_phone_fields(self, phone)

    def reveal_phone(self) -> str:
        """Return the full phone. Callers must go through ``workers.services`` to audit it."""
        return crypto.phone_decrypt(self.phone_encrypted)

    phone = property(_phone_unreadable, set_phone, doc="Write-only: sets the encrypted phone.")

    @property
    def village_display(self) -> str:
        return self.home_village.name if self.home_village_id else self.home_village_name

    def age_on(self, day: dt.date | None = None) -> int:
        day = day or timezone.localdate()
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on()


class WishCity(models.Model):
    """A city the worker would go to; ``rank`` 1 is the most wanted."""

    # Both keys are covered by the unique constraint and the index in Meta.
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="wish_city_links", db_index=False
    )
    region = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("城市"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    rank = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        ordering = ["worker_id", "rank"]
        verbose_name = _("意向城市")
        verbose_name_plural = _("意向城市")
        constraints = [
            models.UniqueConstraint(fields=["worker", "region"], name="wish_city_unique")
        ]
        indexes = [models.Index(fields=["region", "worker"])]

    def __str__(self) -> str:
        return f"{self.rank}. {self.region_id}"


class WishOccupation(models.Model):
    """An occupation the worker would take; ``rank`` 1 is the most wanted."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="wish_occupation_links", db_index=False
    )
    occupation = models.ForeignKey(
        "laborbridge.Occupation",
        verbose_name=_("工种"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    rank = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        ordering = ["worker_id", "rank"]
        verbose_name = _("意向工种")
        verbose_name_plural = _("意向工种")
        constraints = [
            models.UniqueConstraint(fields=["worker", "occupation"], name="wish_occupation_unique")
        ]
        indexes = [models.Index(fields=["occupation", "worker"])]

    def __str__(self) -> str:
        return f"{self.rank}. {self.occupation_id}"


class WorkerSkill(models.Model):
    """What the worker can do: an occupation, a vocational level and years of experience."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="skills", db_index=False
    )
    occupation = models.ForeignKey(
        "laborbridge.Occupation",
        verbose_name=_("工种"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    level = models.PositiveSmallIntegerField(
        _("技能等级"), choices=SkillLevel.choices, default=SkillLevel.NONE
    )
    years = models.PositiveSmallIntegerField(_("从业年限"), default=0)

    class Meta:
        ordering = ["worker_id", "-level", "-years", "id"]
        verbose_name = _("技能")
        verbose_name_plural = _("技能")
        constraints = [
            models.UniqueConstraint(fields=["worker", "occupation"], name="worker_skill_unique"),
            models.CheckConstraint(condition=models.Q(level__lte=5), name="worker_skill_level"),
            models.CheckConstraint(condition=models.Q(years__lte=60), name="worker_skill_years"),
        ]
        indexes = [models.Index(fields=["occupation", "worker"])]

    def __str__(self) -> str:
        return f"{self.occupation.name_zh} · {self.get_level_display()} · {self.years}"


class WorkerCertificate(models.Model):
    """A certificate the worker holds (special operations, skill level, driving licence …)."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="certificates", db_index=False
    )
    certificate_type = models.ForeignKey(
        "laborbridge.CertificateType",
        verbose_name=_("证书类型"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("证书编号"), max_length=50, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        ordering = ["worker_id", "certificate_type_id"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "certificate_type"], name="worker_certificate_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(issued_on__isnull=True)
                | models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("issued_on")),
                name="certificate_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.certificate_type.name_zh

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()


class Consent(models.Model):
    """A worker's consent to the processing of their data, and its withdrawal (PIPL)."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="consents")
    given_on = models.DateField(_("授权日期"))
    method = models.CharField(_("授权方式"), max_length=20, choices=ConsentMethod.choices)
    scope = models.JSONField(_("授权范围"), default=list)
    witness = models.CharField(_("见证人"), max_length=50, blank=True)
    text_version = models.CharField(_("告知书版本"), max_length=20, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回说明"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["worker_id", "-given_on", "-id"]
        verbose_name = _("授权记录")
        verbose_name_plural = _("授权记录")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=~models.Q(method="witnessed_verbal") | ~models.Q(witness=""),
                name="verbal_consent_has_witness",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_on} {self.get_method_display()}"

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(ConsentScope.choices)
        return [str(labels.get(code, code)) for code in self.scope]


class SelfSignup(models.Model):
    """A sign-up a worker left by scanning a campaign QR code, waiting for their official.

    Kept apart from :class:`Worker` so that a submission never reveals (or collides with)
    a registration: the same ID number may sign up twice or already be registered, and the
    official decides — register it, merge it into the existing record, or reject it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待核实")
        VERIFIED = "verified", _("已登记")
        MERGED = "merged", _("已合并")
        REJECTED = "rejected", _("已驳回")

    campaign = models.ForeignKey(
        "laborbridge.Campaign",
        verbose_name=_("招聘行动"),
        on_delete=models.PROTECT,
        related_name="signups",
    )
    home_county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("户籍县区"),
        on_delete=models.PROTECT,
        related_name="signups",
    )
    home_township = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("乡镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number_encrypted = models.BinaryField(_("身份证号（密文）"), editable=False)
    id_number_index = models.CharField(
        _("身份证号索引"), max_length=64, db_index=True, editable=False
    )
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    phone_encrypted = models.BinaryField(_("手机号（密文）"), editable=False)
    phone_index = models.CharField(_("手机号索引"), max_length=64, editable=False)
    phone_last4 = models.CharField(_("手机号后四位"), max_length=4, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, editable=False)
    wish_occupation_ids = models.JSONField(_("意向工种"), default=list, blank=True)
    wish_city_codes = models.JSONField(_("意向城市"), default=list, blank=True)
    min_wage = models.PositiveIntegerField(_("最低月薪（元）"), null=True, blank=True)
    earliest_departure = models.DateField(_("最早出发日期"), null=True, blank=True)
    accepts_dormitory = models.BooleanField(_("接受住宿舍"), default=True)
    accepts_shift_work = models.BooleanField(_("接受倒班"), default=True)
    consent_text_version = models.CharField(_("告知书版本"), max_length=20)
    consented_at = models.DateTimeField(_("同意时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    worker = models.ForeignKey(
        Worker,
        verbose_name=_("登记为"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signups",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    rejection_reason = models.TextField(_("驳回原因"), blank=True)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    encrypted_fields = {
        "id_number_encrypted": crypto.PURPOSE_ID_NUMBER,
        "phone_encrypted": crypto.PURPOSE_PHONE,
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("扫码报名")
        verbose_name_plural = _("扫码报名")
        indexes = [models.Index(fields=["home_county", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"

    def set_id_number(self, number: str) -> None:
        self.id_number_encrypted = crypto.id_number_encrypt(number)
        self.id_number_index = crypto.id_number_blind_index(number)
        self.id_number_masked = mask_id_number(number)

    def reveal_id_number(self) -> str:
        return crypto.id_number_decrypt(self.id_number_encrypted)

    def set_phone(self, phone: str) -> None:
        set_phone_fields(self, phone)

    def reveal_phone(self) -> str:
        return crypto.phone_decrypt(self.phone_encrypted)

    phone = property(_phone_unreadable, set_phone, doc="Write-only: sets the encrypted phone.")


class EmploymentStatus(models.TextChoices):
    EMPLOYED = "employed", _("在岗")
    LEFT = "left", _("已离职")
    HOME = "home", _("已返乡")


class Employment(models.Model):
    """A placed worker's job, opened when HR checks them in at the factory gate.

    ``employer`` and ``vacancy`` are where the worker arrived. What follows is the dated
    history (``placement.EmploymentEvent``); the fields under "derived" below are its
    current result, recomputed by the ``placement.services`` event services under the row's
    lock on every event — never typed, never edited elsewhere.
    """

    worker = models.ForeignKey(
        Worker, verbose_name=_("劳动力"), on_delete=models.PROTECT, related_name="employments"
    )
    employer = models.ForeignKey(
        "jobs.Employer",
        verbose_name=_("用工企业"),
        on_delete=models.PROTECT,
        related_name="employments",
    )
    vacancy = models.ForeignKey(
        "jobs.Vacancy", verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="employments"
    )
    match = models.OneToOneField(
        "matching.Match",
        verbose_name=_("匹配"),
        on_delete=models.PROTECT,
        related_name="employment",
    )
    started_on = models.DateField(_("到岗日期"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.EMPLOYED,
    )
    ended_on = models.DateField(_("离职日期"), null=True, blank=True)
    # Derived from the history (placement.services): the current job (None when not at
    # work), the first day of the current unbroken spell at work, and the whole months of
    # the spells that ended — months worked as of a day D are then
    # whole_months(working_since, D) continuous and months_in_closed_spells + that in total,
    # without replaying the history of 100,000 people.
    current_employer = models.ForeignKey(
        "jobs.Employer",
        verbose_name=_("当前用工企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    current_employer_name = models.CharField(_("当前用工企业名称"), max_length=120, blank=True)
    current_workplace = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("当前务工地点（县区）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    current_monthly_wage = models.PositiveIntegerField(_("当前月工资（元）"), null=True, blank=True)
    working_since = models.DateField(_("本次连续务工起始日"), null=True, blank=True)
    months_in_closed_spells = models.PositiveIntegerField(_("此前各段务工月数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("就业记录")
        verbose_name_plural = _("就业记录")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="employment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker.name} @ {self.employer.name}"
