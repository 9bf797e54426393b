"""The worker registry."""

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


class Worker(models.Model):
    """A rural worker registered by the official of their home county (or self-signed-up).

    The resident ID number is never stored in clear: ``id_number_encrypted`` holds the
    AES-GCM ciphertext, ``id_number_index`` the keyed HMAC used for uniqueness and exact
    lookup, ``id_number_masked`` what every page shows. Use :meth:`set_id_number`.
    """

    name = models.CharField(_("姓名"), max_length=50)
    id_number_encrypted = models.BinaryField(_("身份证号（密文）"), editable=False)
    id_number_index = models.CharField(
        _("身份证号索引"), max_length=64, unique=True, editable=False
    )
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    sex = models.CharField(_("性别"), max_length=6, choices=Sex.choices, editable=False)
    phone = models.CharField(_("手机号"), max_length=11)
    home_county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("户籍县区"),
        on_delete=models.PROTECT,
        related_name="workers",
    )
    home_township = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("乡镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    home_village = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("村"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    poverty_status = models.CharField(
        _("帮扶身份"), max_length=20, choices=PovertyStatus.choices, default=PovertyStatus.NONE
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=WorkerStatus.choices, default=WorkerStatus.REGISTERED
    )
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

    class Meta:
        ordering = ["home_county_id", "name", "id"]
        verbose_name = _("劳动力")
        verbose_name_plural = _("劳动力")
        indexes = [
            models.Index(fields=["home_county", "status"]),
            models.Index(fields=["home_county", "poverty_status"]),
            models.Index(fields=["phone"]),
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

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def age_on(self, day: dt.date | None = None) -> int:
        day = day or timezone.localdate()
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on()
